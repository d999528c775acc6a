package dev.miroir.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.task.NodeTaskRef;
import dev.miroir.router.task.RouterTask;
import dev.miroir.router.task.TaskStore;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.topology.TopologyHolder;
import dev.miroir.router.write.QuorumRule;
import dev.miroir.router.write.QuorumRule.NodeOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The router's operations over its nodes, shared by every route: ask one node, send to many, and turn
 * the many answers of a write into one honest answer and one router task. Routes decide what to send;
 * this class decides what the answers mean.
 */
public final class Fleet {

  public static final String DEGRADED_SHARDS_HEADER = "X-Miroir-Degraded-Shards";
  public static final String FAILED_SHARDS_HEADER = "X-Miroir-Failed-Shards";
  public static final String LATE_NODES_HEADER = "X-Miroir-Late-Nodes";
  public static final String EPOCH_HEADER = "X-Miroir-Epoch";

  /** One request to one node. */
  public record NodeCall(HttpMethod method, String uri, Buffer body, String contentType, String authorization) {}

  /** What the router task of a write records besides its node tasks. */
  public record TaskTemplate(String indexUid, ObjectNode details, RouterTask.DetailsMode detailsMode) {}

  private final Vertx vertx;
  private final TopologyHolder topology;
  private final NodeClient nodes;
  private final TaskStore tasks;
  private final String masterAuthorization;
  private final HintedHandoff handoff;

  public Fleet(Vertx vertx, TopologyHolder topology, NodeClient nodes, TaskStore tasks, String masterKey) {
    this(vertx, topology, nodes, tasks, masterKey, new HintedHandoff(vertx, nodes, HintedHandoff.DEFAULT_MAX_HINTS,
        HintedHandoff.DEFAULT_MAX_BYTES, 500));
  }

  public Fleet(Vertx vertx, TopologyHolder topology, NodeClient nodes, TaskStore tasks, String masterKey,
      HintedHandoff handoff) {
    this.vertx = vertx;
    this.topology = topology;
    this.nodes = nodes;
    this.tasks = tasks;
    this.masterAuthorization = masterKey == null || masterKey.isEmpty() ? null : "Bearer " + masterKey;
    this.handoff = handoff;
  }

  /** Writes nodes missed, waiting to be replayed to them. */
  public HintedHandoff handoff() {
    return handoff;
  }

  /**
   * Holds writes to some shards (repair, shard moves). Placeholder until the sequenced write path
   * lands: it resolves at once and holds nothing.
   */
  public dev.miroir.router.write.ShardFence fence() {
    return (indexUid, shards, ttl) -> Future.succeededFuture(new dev.miroir.router.write.ShardFence.Handle() {
      @Override
      public String id() {
        return "none";
      }

      @Override
      public Future<Void> lift() {
        return Future.succeededFuture();
      }
    });
  }

  /** What the write path knows about one node's copies. */
  public dev.miroir.router.write.ReplicaStatus replicaStatus(String nodeId) {
    return new dev.miroir.router.write.ReplicaStatus(nodeId, handoff.pending(nodeId), false, null);
  }

  public RoutingSnapshot snapshot() {
    return topology.snapshot();
  }

  /** For internal operations only (router bookkeeping the client did not ask for). */
  public String masterAuthorization() {
    return masterAuthorization;
  }

  public NodeClient nodes() {
    return nodes;
  }

  public TaskStore tasks() {
    return tasks;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Sends one call to one node; writes go through {@link HintedHandoff}, so a node that misses one gets it later. */
  public Future<NodeReply> send(RoutingSnapshot s, String nodeId, NodeCall call) {
    if (HintedHandoff.isReplayable(call)) {
      return handoff.send(s.node(nodeId), call);
    }
    return nodes.send(s.node(nodeId), call.method(), call.uri(), call.body(), call.contentType(), call.authorization());
  }

  /**
   * Asks readable nodes one after the other until one answers without a 5xx or a network error; a 4xx
   * is an answer (the request is wrong everywhere alike).
   */
  public Future<NodeReply> askOne(RoutingSnapshot s, NodeCall call) {
    List<TopologyNode> candidates = new ArrayList<>();
    s.nodes().values().stream().filter(n -> n.state().isReadable()).forEach(candidates::add);
    s.nodes().values().stream().filter(n -> !n.state().isReadable()).forEach(candidates::add);
    return askInOrder(candidates, 0, call, null);
  }

  private Future<NodeReply> askInOrder(List<TopologyNode> candidates, int i, NodeCall call, NodeReply last) {
    if (i >= candidates.size()) {
      return Future.succeededFuture(last);
    }
    TopologyNode node = candidates.get(i);
    return nodes.send(node, call.method(), call.uri(), call.body(), call.contentType(), call.authorization())
        .compose(reply -> reply.status() == 0 || reply.status() >= 500
            ? askInOrder(candidates, i + 1, call, reply)
            : Future.succeededFuture(reply));
  }

  /** Sends each node its own call, all at once; the result keeps the calls' order. */
  public Future<Map<String, NodeReply>> sendEach(RoutingSnapshot s, Map<String, NodeCall> calls) {
    List<String> ids = new ArrayList<>(calls.keySet());
    List<Future<NodeReply>> futures = new ArrayList<>();
    for (String id : ids) {
      futures.add(send(s, id, calls.get(id)));
    }
    return Future.join(futures).transform(ignored -> {
      Map<String, NodeReply> replies = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        replies.put(ids.get(i), futures.get(i).result());
      }
      return Future.succeededFuture(replies);
    });
  }

  /** The same call to every node of the topology. */
  public Future<Map<String, NodeReply>> broadcast(RoutingSnapshot s, NodeCall call) {
    Map<String, NodeCall> calls = new LinkedHashMap<>();
    s.broadcastNodes().forEach(id -> calls.put(id, call));
    return sendEach(s, calls);
  }

  /**
   * Judges a write by {@link QuorumRule} and answers as Meilisearch would: 202 with a router task when
   * acknowledged; the node's own error when a node refused it; a 503 naming the failed shards
   * otherwise. Headers name degraded and failed shards and the nodes that missed the write.
   *
   * @param followUp router bookkeeping to enqueue once the write is acknowledged (e.g. making
   *     {@code _miroir_shard} filterable); its node tasks join the router task for status only
   */
  public Future<Reply> acknowledgeWrite(
      RoutingSnapshot s,
      Map<String, NodeReply> replies,
      SortedMap<Integer, List<String>> targetsByShard,
      TaskTemplate template,
      Function<RoutingSnapshot, Future<Map<String, NodeReply>>> followUp) {
    Map<String, NodeOutcome> outcomes = new LinkedHashMap<>();
    replies.forEach((node, reply) -> outcomes.put(node, reply.outcome()));
    QuorumRule.Decision decision = QuorumRule.decide(targetsByShard, outcomes, s.replicationFactor());
    Map<String, String> headers = headers(decision);
    switch (decision.verdict()) {
      case REJECTED -> {
        NodeReply refusal = replies.values().stream().filter(NodeReply::isClientError).findFirst().orElseThrow();
        return Future.succeededFuture(Reply.of(refusal).withHeaders(headers));
      }
      case FAILED -> {
        String detail = "The write reached too few copies of shard(s) " + join(decision.failedShards())
            + " (" + replies.values().stream().filter(r -> !r.isSuccess()).map(NodeReply::describe)
                .collect(Collectors.joining(", "))
            + "). Copies that nodes did enqueue will be applied, and the router replays the missed copies to"
            + " their nodes when they answer again, but the write is not acknowledged: retry it.";
        return Future.succeededFuture(Reply.error(MeiliError.writeQuorumNotReached(detail), headers));
      }
      default -> {
        Future<Map<String, NodeReply>> extra = followUp == null ? Future.succeededFuture(Map.of()) : followUp.apply(s);
        return extra.compose(followUps -> recordTask(s, replies, followUps, template))
            .map(body -> Reply.json(202, body).withHeaders(headers));
      }
    }
  }

  private Future<JsonNode> recordTask(
      RoutingSnapshot s, Map<String, NodeReply> replies, Map<String, NodeReply> followUps, TaskTemplate template) {
    List<NodeTaskRef> refs = new ArrayList<>();
    String type = null;
    for (NodeReply reply : replies.values()) {
      if (reply.isSuccess()) {
        JsonNode json = reply.json();
        refs.add(new NodeTaskRef(reply.nodeId(), s.node(reply.nodeId()).url(), json.path("taskUid").asLong(), true));
        if (type == null) {
          type = json.path("type").asText(null);
        }
      }
    }
    for (NodeReply reply : followUps.values()) {
      if (reply.isSuccess()) {
        refs.add(new NodeTaskRef(reply.nodeId(), s.node(reply.nodeId()).url(), reply.json().path("taskUid").asLong(), false));
      }
    }
    String taskType = type;
    // The earliest node enqueue time, so that startedAt never precedes enqueuedAt.
    String enqueuedAt = replies.values().stream().filter(NodeReply::isSuccess)
        .map(r -> r.json().path("enqueuedAt").asText(null)).filter(v -> v != null)
        .min(java.util.Comparator.comparing(Instant::parse)).orElse(Instant.now().toString());
    return blocking(() -> {
      long uid = tasks.nextUid();
      tasks.put(new RouterTask(uid, template.indexUid(), taskType, enqueuedAt, template.details(),
          template.detailsMode(), refs, null));
      return uid;
    }).map(uid -> {
      ObjectNode summary = JsonNodeFactory.instance.objectNode();
      summary.put("taskUid", uid);
      if (template.indexUid() == null) {
        summary.putNull("indexUid");
      } else {
        summary.put("indexUid", template.indexUid());
      }
      summary.put("status", "enqueued");
      summary.put("type", taskType);
      summary.put("enqueuedAt", enqueuedAt);
      return summary;
    });
  }

  /**
   * For synchronous broadcasts (keys, experimental features): succeeds when every node did; else the
   * first node 4xx, or a 503 naming the nodes that missed it. The first success is the answer.
   */
  public Reply acknowledgeEverywhere(Map<String, NodeReply> replies) {
    List<String> missed = replies.values().stream().filter(r -> !r.isSuccess()).map(NodeReply::nodeId).toList();
    Map<String, String> headers = missed.isEmpty() ? Map.of() : Map.of(LATE_NODES_HEADER, String.join(",", missed));
    if (missed.isEmpty()) {
      return Reply.of(replies.values().iterator().next());
    }
    for (NodeReply reply : replies.values()) {
      if (reply.isClientError()) {
        return Reply.of(reply).withHeaders(headers);
      }
    }
    String detail = "The change did not reach every node (" + replies.values().stream()
        .filter(r -> !r.isSuccess()).map(NodeReply::describe).collect(Collectors.joining(", "))
        + "); nodes that did receive it keep it. Retry once the nodes are back.";
    return Reply.error(MeiliError.nodeUnreachable(detail), headers);
  }

  /** Runs a task-store call, off the event loop when the store blocks. */
  public <T> Future<T> blocking(Callable<T> work) {
    if (!tasks.isBlocking()) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(work, false);
  }

  private static Map<String, String> headers(QuorumRule.Decision decision) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (!decision.degradedShards().isEmpty()) {
      headers.put(DEGRADED_SHARDS_HEADER, join(decision.degradedShards()));
    }
    if (!decision.failedShards().isEmpty()) {
      headers.put(FAILED_SHARDS_HEADER, join(decision.failedShards()));
    }
    if (!decision.lateNodes().isEmpty()) {
      headers.put(LATE_NODES_HEADER, String.join(",", decision.lateNodes()));
    }
    return headers;
  }

  private static String join(List<Integer> shards) {
    return shards.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
