package dev.miroir.router.move;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.write.ReplicaStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the mover asks the routers: the epoch each serves ({@code GET /_miroir/topology}), write fences
 * ({@code POST/DELETE /_miroir/fences}, served by the cluster's write sequencer whichever router is
 * asked) and replica status ({@code GET /_miroir/replicas}). Routers speak Meilisearch's HTTP, so the
 * one client for nodes serves here too.
 */
public class RouterApi {

  private final NodeClient client;
  private final Supplier<List<String>> routerUrls;
  private final String masterAuthorization;

  public RouterApi(NodeClient client, Supplier<List<String>> routerUrls, String masterAuthorization) {
    this.client = client;
    this.routerUrls = routerUrls;
    this.masterAuthorization = masterAuthorization;
  }

  private static TopologyNode router(String url) {
    return new TopologyNode("router " + url, url, null, NodeState.ACTIVE);
  }

  private NodeReply call(String url, HttpMethod method, String path, String body) {
    return Sync.await(client.send(router(url), method, path, body == null ? null : Buffer.buffer(body),
        body == null ? null : "application/json", masterAuthorization));
  }

  /** Every router's served epoch; -1 for a router that did not answer. */
  public Map<String, Long> servedEpochs() {
    Map<String, Long> epochs = new HashMap<>();
    List<String> urls = routerUrls.get();
    if (urls.isEmpty()) {
      throw new IllegalStateException("no router to confirm epochs with");
    }
    for (String url : urls) {
      NodeReply reply = call(url, HttpMethod.GET, "/_miroir/topology", null);
      epochs.put(url, reply.isSuccess() ? reply.json().path("epoch").asLong(-1) : -1L);
    }
    return epochs;
  }

  /** Raises a fence on one shard of every index; resolves once earlier writes to it are enqueued or logged. */
  public String raiseFence(int shard, int ttlSeconds) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putNull("indexUid");
    body.putArray("shards").add(shard);
    body.put("ttlSeconds", ttlSeconds);
    String url = routerUrls.get().get(0);
    NodeReply reply = call(url, HttpMethod.POST, "/_miroir/fences", body.toString());
    if (reply.status() == 404) {
      throw new MoveNotSafeException(MoveNotSafeException.NO_FENCES,
          "router " + url + " serves no write fences (POST /_miroir/fences answered 404); a move needs them");
    }
    if (!reply.isSuccess()) {
      throw new IllegalStateException("raising a fence on shard " + shard + ": " + describe(reply));
    }
    return reply.json().path("fenceId").asText();
  }

  /** Lifts a fence; a fence that is already gone (lifted, expired, its sequencer restarted) counts as lifted. */
  public void liftFence(String fenceId) {
    if (fenceId == null) {
      return;
    }
    NodeReply reply = call(routerUrls.get().get(0), HttpMethod.DELETE, "/_miroir/fences/" + fenceId, null);
    if (!reply.isSuccess() && reply.status() != 404) {
      throw new IllegalStateException("lifting fence " + fenceId + ": " + describe(reply));
    }
  }

  /**
   * Per node, the task at or after every task holding a write to the fence's shards (null where the
   * sequencer cannot tell); empty when the router does not say (an older router, or the fence is gone):
   * the mover then waits for the nodes' whole queues. Asked once no copy is pending.
   */
  public Map<String, Long> fenceTasks(String fenceId) {
    NodeReply reply = call(routerUrls.get().get(0), HttpMethod.GET, "/_miroir/fences/" + fenceId, null);
    Map<String, Long> out = new HashMap<>();
    if (!reply.isSuccess()) {
      return out;
    }
    reply.json().path("lastTasks").fields().forEachRemaining(e -> out.put(e.getKey(),
        e.getValue().isIntegralNumber() ? e.getValue().asLong() : null));
    return out;
  }

  /** What the write path knows of each node's copies; empty when the router has no such report. */
  public Map<String, ReplicaStatus> replicaStatus() {
    NodeReply reply = call(routerUrls.get().get(0), HttpMethod.GET, "/_miroir/replicas", null);
    Map<String, ReplicaStatus> out = new HashMap<>();
    if (!reply.isSuccess()) {
      return out;
    }
    for (JsonNode r : reply.json().path("results")) {
      out.put(r.path("nodeId").asText(), new ReplicaStatus(r.path("nodeId").asText(), r.path("pendingCopies").asLong(),
          r.path("needsRepair").asBoolean(), r.path("reason").asText(null)));
    }
    return out;
  }

  static String describe(NodeReply reply) {
    return reply.status() == 0 ? reply.describe() : reply.describe() + " " + reply.json().path("message").asText("");
  }
}
