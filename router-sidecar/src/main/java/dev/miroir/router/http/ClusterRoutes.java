package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.bodyOrNull;
import static dev.miroir.router.http.Endpoints.clientAuthorization;
import static dev.miroir.router.http.Endpoints.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Health, version, stats, experimental features and the router's own topology report. */
public final class ClusterRoutes implements RouteModule {

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    e.on(HttpMethod.GET, "/health", "health", ctx -> health(fleet).map(ClusterRoutes::asNodeHealth));
    e.on(HttpMethod.GET, "/_miroir/health", "miroir.health", ctx -> health(fleet));
    // Liveness: answered by the router alone, never by the nodes, so a node outage (which /health
    // reports, taking the router out of its Service) never makes Kubernetes restart routers.
    e.on(HttpMethod.GET, "/_miroir/live", "miroir.live",
        ctx -> Future.succeededFuture(Reply.json(200, JsonNodeFactory.instance.objectNode().put("status", "alive"))));
    e.on(HttpMethod.GET, "/version", "version", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.GET, "/_miroir/topology", "miroir.topology", ctx -> topology(fleet));
    e.on(HttpMethod.GET, "/stats", "stats", ctx -> globalStats(fleet, ctx));
    e.on(HttpMethod.GET, "/indexes/:uid/stats", "indexes.stats", ctx -> indexStats(fleet, ctx));
    e.on(HttpMethod.GET, "/experimental-features", "experimental.get", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.PATCH, "/experimental-features", "experimental.update",
        ctx -> KeyRoutes.broadcast(fleet, ctx, bodyOrNull(ctx)));
  }

  /**
   * {@code available} when every shard has a readable owner that answers {@code /health};
   * {@code degraded} (still 200: searches return partial results) when only some shards do;
   * 503 {@code unavailable} when none does.
   */
  private Future<Reply> health(Fleet fleet) {
    RoutingSnapshot s = fleet.snapshot();
    return fleet.broadcast(s, new NodeCall(HttpMethod.GET, "/health", null, null, null)).map(replies -> {
      Set<String> up = replies.values().stream().filter(NodeReply::isSuccess).map(NodeReply::nodeId)
          .collect(Collectors.toSet());
      int readable = 0;
      for (int shard = 0; shard < s.shards(); shard++) {
        if (s.readOwners(shard).stream().anyMatch(n -> up.contains(n) && s.node(n).state().isReadable())) {
          readable++;
        }
      }
      String status = readable == s.shards() ? "available" : readable == 0 ? "unavailable" : "degraded";
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("status", status);
      out.put("epoch", s.epoch());
      out.put("shards", s.shards());
      out.put("readableShards", readable);
      out.put("nodesUp", up.size());
      out.put("nodes", s.nodes().size());
      return Reply.json(readable == 0 ? 503 : 200, out);
    });
  }

  /** {@code /health} answers exactly as a node: {@code {"status":"available"}} (the figures are at /_miroir/health). */
  private static Reply asNodeHealth(Reply full) {
    JsonNode body = IndexRoutes.parse(full.body());
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("status", body.path("status").asText());
    return new Reply(full.status(), full.headers(), io.vertx.core.buffer.Buffer.buffer(out.toString()));
  }

  private Future<Reply> topology(Fleet fleet) {
    TopologyDocument doc = fleet.snapshot().document();
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("cluster", doc.cluster());
    out.put("epoch", doc.epoch());
    out.put("shards", doc.shards());
    out.put("replicationFactor", doc.replicationFactor());
    ArrayNode nodes = out.putArray("nodes");
    for (TopologyNode n : doc.nodes()) {
      ObjectNode node = nodes.addObject().put("id", n.id()).put("url", n.url()).put("state", n.state().wireName());
      if (n.zone() != null) {
        node.put("zone", n.zone());
      }
    }
    out.put("movingShards", doc.placement().stream().filter(a -> a.isMoving()).count());
    return Future.succeededFuture(Reply.json(200, out));
  }

  private Future<Reply> indexStats(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    String uid = ctx.pathParam("uid");
    RoutingSnapshot s = fleet.snapshot();
    return fromEveryNode(fleet, s, new NodeCall(HttpMethod.GET, "/indexes/" + segment(uid) + "/stats", null, null, auth),
        perNode -> countDocuments(fleet, s, uid)
            .map(count -> Reply.json(200, combineIndexStats(perNode, count, s.replicationFactor()))));
  }

  private Future<Reply> globalStats(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    RoutingSnapshot s = fleet.snapshot();
    return fromEveryNode(fleet, s, new NodeCall(HttpMethod.GET, "/stats", null, null, auth), perNode -> {
      Set<String> indexes = new HashSet<>();
      perNode.forEach(n -> n.path("indexes").fieldNames().forEachRemaining(indexes::add));
      List<String> uids = new ArrayList<>(indexes);
      uids.sort(String::compareTo);
      List<Future<Long>> counts = uids.stream().map(uid -> countDocuments(fleet, s, uid)).toList();
      return Future.join(counts).transform(ignored -> {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("databaseSize", perNode.stream().mapToLong(n -> n.path("databaseSize").asLong()).sum());
        out.put("usedDatabaseSize", perNode.stream().mapToLong(n -> n.path("usedDatabaseSize").asLong()).sum());
        String last = perNode.stream().map(n -> n.path("lastUpdate").asText(null)).filter(v -> v != null)
            .max(String::compareTo).orElse(null);
        out.put("lastUpdate", last);
        ObjectNode byIndex = out.putObject("indexes");
        for (int i = 0; i < uids.size(); i++) {
          String uid = uids.get(i);
          List<JsonNode> stats = perNode.stream().map(n -> n.path("indexes").path(uid)).filter(n -> !n.isMissingNode()).toList();
          long count = counts.get(i).succeeded() ? counts.get(i).result() : -1;
          byIndex.set(uid, combineIndexStats(stats, count, s.replicationFactor()));
        }
        return Future.succeededFuture(Reply.json(200, out));
      });
    });
  }

  /**
   * Asks every node; a node's own refusal (401, 403, 404...) is the answer, as one server would give
   * it; otherwise {@code combine} gets the answers of the nodes that replied, and no reply at all is a
   * 503.
   */
  private static Future<Reply> fromEveryNode(
      Fleet fleet, RoutingSnapshot s, NodeCall call, java.util.function.Function<List<JsonNode>, Future<Reply>> combine) {
    return fleet.broadcast(s, call).compose(replies -> {
      NodeReply refusal = firstRefusal(replies);
      if (refusal != null) {
        return Future.succeededFuture(Reply.of(refusal));
      }
      List<JsonNode> perNode = replies.values().stream().filter(NodeReply::isSuccess).map(NodeReply::json).toList();
      if (perNode.isEmpty()) {
        return Future.succeededFuture(Reply.error(MeiliError.nodeUnreachable("No node answered."), Map.of()));
      }
      return combine.apply(perNode);
    });
  }

  /**
   * Documents in an index, each counted once and exactly: every shard is counted on one of its
   * readable owners, asking each owner of the covering set for
   * {@code POST /documents/fetch {"filter": "<stamp> IN [its shards]", "limit": 0}}, whose
   * {@code total} is the exact number of matching documents (unlike a search's
   * {@code estimatedTotalHits}, which stops at {@code pagination.maxTotalHits}). When an owner cannot
   * answer (down, 5xx), its shards are counted again on other owners; a shard with no owner left fails
   * the count. Internal (master key): the client's right to read stats was checked by the nodes first.
   */
  private Future<Long> countDocuments(Fleet fleet, RoutingSnapshot s, String uid) {
    return IndexRoutes.stampOf(fleet, s, uid)
        .compose(stamp -> countDocuments(fleet, s, uid, Set.of(), 0L, null, stamp));
  }

  private Future<Long> countDocuments(Fleet fleet, RoutingSnapshot s, String uid, Set<String> excluded,
      long countedSoFar, Set<Integer> remaining, ShardStamp stamp) {
    Map<String, List<Integer>> cover = s.coveringSet(node -> !excluded.contains(node));
    if (remaining != null) {
      // Only the shards whose owner failed in an earlier round are still uncounted.
      cover.replaceAll((node, shards) -> shards.stream().filter(remaining::contains).toList());
      cover.values().removeIf(List::isEmpty);
    }
    Set<Integer> covered = new HashSet<>();
    cover.values().forEach(covered::addAll);
    Set<Integer> wanted = remaining != null ? remaining : allShards(s);
    if (!covered.containsAll(wanted)) {
      return Future.failedFuture(MeiliError.nodeUnreachable("Cannot count documents of `" + uid
          + "`: some shards have no owner that answers.").exception());
    }
    List<String> asked = new ArrayList<>(cover.keySet());
    List<Future<NodeReply>> asks = new ArrayList<>();
    for (String node : asked) {
      ObjectNode fetch = JsonNodeFactory.instance.objectNode();
      fetch.put("filter", stamp.in(cover.get(node)));
      fetch.put("limit", 0);
      asks.add(fleet.send(s, node, new NodeCall(HttpMethod.POST, "/indexes/" + segment(uid) + "/documents/fetch",
          Buffer.buffer(fetch.toString()), "application/json", fleet.masterAuthorization())));
    }
    return Future.join(asks).transform(ignored -> {
      long total = countedSoFar;
      Set<String> failedNodes = new HashSet<>(excluded);
      Set<Integer> uncounted = new HashSet<>();
      for (int i = 0; i < asks.size(); i++) {
        NodeReply reply = asks.get(i).result();
        if (reply.isSuccess()) {
          total += reply.json().path("total").asLong();
        } else if (reply.isClientError()) {
          return Future.failedFuture(MeiliError.nodeUnreachable("Cannot count documents of `" + uid + "`: "
              + reply.describe() + ": " + reply.json().path("message").asText()).exception());
        } else {
          failedNodes.add(asked.get(i));
          uncounted.addAll(cover.get(asked.get(i)));
        }
      }
      if (uncounted.isEmpty()) {
        return Future.succeededFuture(total);
      }
      return countDocuments(fleet, s, uid, failedNodes, total, uncounted, stamp);
    });
  }

  private static Set<Integer> allShards(RoutingSnapshot s) {
    Set<Integer> all = new HashSet<>();
    for (int shard = 0; shard < s.shards(); shard++) {
      all.add(shard);
    }
    return all;
  }

  /**
   * One index's stats from each node's. {@code numberOfDocuments} is exact (see countDocuments).
   * Sizes, embeddings and {@code fieldDistribution} are node sums divided by RF: Meilisearch reports
   * them per node only, and a per-field exact count would need every field filterable (an
   * {@code EXISTS} filter), so they are exact when every shard has exactly RF complete copies (the
   * steady state) and approximate while a shard is moving (more copies) or a copy missed writes.
   * {@code isIndexing} is true when any node is indexing. The shard stamp is never shown.
   */
  static ObjectNode combineIndexStats(List<JsonNode> perNode, long documents, int rf) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    long count = documents >= 0 ? documents
        : perNode.stream().mapToLong(n -> n.path("numberOfDocuments").asLong()).sum() / rf;
    out.put("numberOfDocuments", count);
    long raw = perNode.stream().mapToLong(n -> n.path("rawDocumentDbSize").asLong()).sum() / rf;
    out.put("rawDocumentDbSize", raw);
    long stored = perNode.stream().mapToLong(n -> n.path("numberOfDocuments").asLong()).sum();
    long rawAll = perNode.stream().mapToLong(n -> n.path("rawDocumentDbSize").asLong()).sum();
    out.put("avgDocumentSize", stored == 0 ? 0 : rawAll / stored);
    out.put("isIndexing", perNode.stream().anyMatch(n -> n.path("isIndexing").asBoolean()));
    out.put("numberOfEmbeddings", perNode.stream().mapToLong(n -> n.path("numberOfEmbeddings").asLong()).sum() / rf);
    out.put("numberOfEmbeddedDocuments",
        perNode.stream().mapToLong(n -> n.path("numberOfEmbeddedDocuments").asLong()).sum() / rf);
    ObjectNode fields = out.putObject("fieldDistribution");
    java.util.TreeMap<String, Long> sums = new java.util.TreeMap<>();
    for (JsonNode n : perNode) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.path("fieldDistribution").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!ShardStamp.isStamp(f.getKey())) {
          sums.merge(f.getKey(), f.getValue().asLong(), Long::sum);
        }
      }
    }
    sums.forEach((k, v) -> fields.put(k, v / rf));
    return out;
  }

  private static NodeReply firstRefusal(Map<String, NodeReply> replies) {
    return replies.values().stream().filter(NodeReply::isClientError).findFirst().orElse(null);
  }

}
