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
import dev.miroir.router.write.NodeCopy;
import dev.miroir.router.write.ReplicaLogStore;
import dev.miroir.router.write.ReplicaStatus;
import dev.miroir.router.write.ShardFence;
import dev.miroir.router.write.WritePath;
import dev.miroir.router.write.WriteSequencer.WritePlan;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Set;
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

  /** Request header marking a write forwarded by a follower router to the sequencer. */
  public static final String FORWARDED_HEADER = "X-Miroir-Forwarded";

  private final Vertx vertx;
  private final TopologyHolder topology;
  private final NodeClient nodes;
  private final TaskStore tasks;
  private final String masterAuthorization;
  private final WritePath writes;
  private WebClient forwarder;

  public Fleet(Vertx vertx, TopologyHolder topology, NodeClient nodes, TaskStore tasks, String masterKey,
      WritePath writes) {
    this.vertx = vertx;
    this.topology = topology;
    this.nodes = nodes;
    this.tasks = tasks;
    this.masterAuthorization = masterKey == null || masterKey.isEmpty() ? null : "Bearer " + masterKey;
    this.writes = writes;
  }

  /** The write path: sequencer, replica log, dispatchers. */
  public WritePath writes() {
    return writes;
  }

  /**
   * Holds writes to some shards (repair, shard moves) at the cluster's write sequencer. On a router
   * that is not the sequencer, raising fails with {@link ReplicaLogStore.NotLeaderException}; the HTTP
   * form ({@code POST /_miroir/fences}) is forwarded to the sequencer.
   */
  public ShardFence fence() {
    return writes.fence();
  }

  /** What the write path knows about one node's copies. */
  public ReplicaStatus replicaStatus(String nodeId) {
    return writes.status(nodeId);
  }

  /**
   * Asks {@code pending} every {@code delayMillis} until it says false or {@code deadlineNanos}
   * passes; completes either way (the callers go on with what the nodes show then).
   */
  public Future<Void> waitWhile(java.util.function.Supplier<Future<Boolean>> pending, long deadlineNanos,
      long delayMillis) {
    return pending.get().compose(still -> {
      if (!still || System.nanoTime() > deadlineNanos) {
        return Future.succeededFuture();
      }
      io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
      vertx.setTimer(delayMillis, t -> waitWhile(pending, deadlineNanos, delayMillis).onComplete(later));
      return later.future();
    });
  }

  /** Nodes of this topology that miss acknowledged writes (see {@link WritePath#behind}). */
  public Set<String> behindNodes(RoutingSnapshot s) {
    Set<String> out = new java.util.TreeSet<>();
    for (String id : s.nodes().keySet()) {
      if (writes.behind(id)) {
        out.add(id);
      }
    }
    return out;
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

  /**
   * Sends one call to one node, as it is: for reads and for calls that are not sequenced writes
   * (keys, task cancel/delete). Writes go through {@link #write}.
   */
  public Future<NodeReply> send(RoutingSnapshot s, String nodeId, NodeCall call) {
    return nodes.send(s.node(nodeId), call.method(), call.uri(), call.body(), call.contentType(), call.authorization());
  }

  /**
   * A write: each node's call becomes one copy of one sequenced write, logged before it is sent and
   * delivered in the cluster's write order. The result maps each node to its copy's first attempt.
   *
   * @param indexUid the index the write changes, or null (swap-indexes)
   * @param shards the shards it touches, or null for every shard (broadcasts)
   * @param nonIdempotentType the node task type when applying it twice differs from once
   *     ({@code documentEdition}, {@code indexSwap}), else null
   */
  public Future<Map<String, NodeReply>> write(
      String indexUid, Map<String, NodeCall> calls, Collection<Integer> shards, String nonIdempotentType) {
    List<NodeCopy> copies = new ArrayList<>();
    calls.forEach((node, call) -> copies.add(new NodeCopy(0, node, call.method().name(), call.uri(),
        call.body() == null ? null : NodeCopy.bytesOf(call.body()), call.contentType(), call.authorization(),
        nonIdempotentType, indexUid, 0)));
    WritePlan plan = new WritePlan(indexUid, shards == null ? null : Set.copyOf(shards), copies);
    return writes.submit(plan).recover(failure -> Future.failedFuture(failure instanceof ReplicaLogStore.NotLeaderException
        ? MeiliError.sequencerUnavailable("This router lost its place as the cluster's write sequencer;"
            + " nothing was written. Retry.").exception()
        : failure));
  }

  /** The same write to every node of the topology (index, settings, delete-all, by filter). */
  public Future<Map<String, NodeReply>> writeEverywhere(
      RoutingSnapshot s, String indexUid, NodeCall call, String nonIdempotentType) {
    Map<String, NodeCall> calls = new LinkedHashMap<>();
    s.broadcastNodes().forEach(id -> calls.put(id, call));
    return write(indexUid, calls, null, nonIdempotentType);
  }

  /**
   * Wraps a write route: served here when this router is the cluster's write sequencer, else
   * forwarded unchanged to the one that is (which answers the client through us).
   */
  public Function<RoutingContext, Future<Reply>> sequenced(Function<RoutingContext, Future<Reply>> handler) {
    return ctx -> writes.leading() ? handler.apply(ctx) : forwardToSequencer(ctx);
  }

  private Future<Reply> forwardToSequencer(RoutingContext ctx) {
    String leader = writes.leaderUrl();
    if (ctx.request().getHeader(FORWARDED_HEADER) != null || leader == null) {
      return Future.succeededFuture(Reply.error(MeiliError.sequencerUnavailable(
          "No router is the cluster's write sequencer right now (one is being elected); nothing was written."
              + " Retry."), Map.of()));
    }
    synchronized (this) {
      if (forwarder == null) {
        forwarder = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setUserAgent("miroir-router"));
      }
    }
    String base = leader.endsWith("/") ? leader.substring(0, leader.length() - 1) : leader;
    HttpRequest<Buffer> request = forwarder.requestAbs(ctx.request().method(), base + ctx.request().uri())
        .timeout(120_000).putHeader(FORWARDED_HEADER, "1");
    for (String header : List.of("Authorization", "Content-Type")) {
      String value = ctx.request().getHeader(header);
      if (value != null) {
        request.putHeader(header, value);
      }
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendBuffer(body);
    return sent.map(response -> {
      Map<String, String> headers = new LinkedHashMap<>();
      response.headers().forEach(h -> {
        if (h.getKey().regionMatches(true, 0, "X-Miroir-", 0, 9) && !h.getKey().equalsIgnoreCase(EPOCH_HEADER)) {
          headers.put(h.getKey(), h.getValue());
        }
      });
      return new Reply(response.statusCode(), headers, response.body() == null ? Buffer.buffer() : response.body());
    }).recover(failure -> Future.succeededFuture(Reply.error(MeiliError.sequencerUnavailable(
        "The cluster's write sequencer (" + base + ") did not answer: " + failure.getMessage()
            + ". The write may or may not be sequenced; retry it."), Map.of())));
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
    if (outcomes.containsValue(NodeOutcome.ENQUEUED)) {
      // A node refused what its peers enqueued: the replicas now differ until anti-entropy repairs it.
      replies.values().stream().filter(NodeReply::isClientError).forEach(r -> writes.markNeedsRepair(r.nodeId(),
          "refused its part of a write its peers enqueued: " + r.describe() + " " + r.json().path("message").asText("")));
    }
    Map<String, String> headers = headers(decision);
    switch (decision.verdict()) {
      case REJECTED -> {
        NodeReply refusal = replies.values().stream().filter(NodeReply::isClientError).findFirst().orElseThrow();
        return Future.succeededFuture(Reply.of(refusal).withHeaders(headers));
      }
      case FAILED -> {
        String detail = "The write reached too few copies of shard(s) " + join(decision.failedShards())
            + " (" + replies.values().stream().filter(r -> !r.isSuccess()).map(r -> r.describe()
                + (r.isClientError() ? ": " + r.json().path("message").asText("") : ""))
                .collect(Collectors.joining(", "))
            + "). It is not acknowledged, but it is not undone either: it has its place in the cluster's write"
            + " order and every copy is delivered to its node when the node answers again. Retry it.";
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
        refs.add(new NodeTaskRef(reply.nodeId(), s.node(reply.nodeId()).url(), reply.taskUid(0), true));
        if (type == null) {
          type = reply.taskType();
        }
      }
    }
    for (NodeReply reply : followUps.values()) {
      if (reply.isSuccess()) {
        refs.add(new NodeTaskRef(reply.nodeId(), s.node(reply.nodeId()).url(), reply.taskUid(0), false));
      }
    }
    String taskType = type;
    // The earliest node enqueue time, so that startedAt never precedes enqueuedAt.
    String enqueuedAt = replies.values().stream().filter(NodeReply::isSuccess)
        .map(NodeReply::enqueuedAt).filter(v -> v != null)
        .min(java.util.Comparator.comparing(Instant::parse)).orElse(Instant.now().toString());
    return blocking(() -> {
      long uid = tasks.nextUid();
      tasks.put(new RouterTask(uid, template.indexUid(), taskType, enqueuedAt, template.details(),
          template.detailsMode(), refs, null));
      return uid;
    }).map(uid -> {
      ObjectNode summary = JsonNodeFactory.instance.objectNode();
      summary.put("taskUid", uid);
      summary.put("indexUid", template.indexUid());
      summary.put("status", "enqueued");
      summary.put("type", taskType);
      summary.put("enqueuedAt", enqueuedAt);
      return summary;
    });
  }

  /**
   * Answers 202 for a request every node would accept and then fail (see
   * {@link RouterTask#failedAtEnqueue}): the router records the failed task itself and no node is
   * contacted, so nothing is applied anywhere.
   */
  public Future<Reply> failAtEnqueue(String indexUid, String type, ObjectNode details, MeiliError error) {
    Instant enqueuedAt = Instant.now();
    return blocking(() -> {
      long uid = tasks.nextUid();
      tasks.put(RouterTask.failedAtEnqueue(uid, indexUid, type, enqueuedAt, details, error.toJson()));
      return uid;
    }).map(uid -> {
      ObjectNode summary = JsonNodeFactory.instance.objectNode();
      summary.put("taskUid", uid);
      summary.put("indexUid", indexUid);
      summary.put("status", "enqueued");
      summary.put("type", type);
      summary.put("enqueuedAt", enqueuedAt.toString());
      return Reply.json(202, summary);
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
