package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.local.MeiliHttp;
import dev.miroir.router.consistency.ConsistencyMonitor;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Anti-entropy end to end on real nodes (3 nodes, 8 shards, RF 2): verify finds a replica changed
 * behind the router's back and names the right shard and replica; repair rewrites it from the
 * authoritative copy (the rendezvous primary at RF 2); a document deleted through the router and
 * re-added on one replica is deleted again, not resurrected; an extra document is removed; the
 * periodic check and the gauge report what the last check saw.
 */
class ConsistencyTest {

  static final int SHARDS = 8;
  static final Duration WAIT = Duration.ofSeconds(60);
  static RouterTestCluster cluster;
  static TopologyDocument doc;
  static MeiliHttp router;

  @BeforeAll
  static void start() {
    System.setProperty(ConsistencyMonitor.INTERVAL_PROPERTY, "1s");
    try {
      cluster = new RouterTestCluster(3);
      doc = cluster.document(1, SHARDS, 2);
      cluster.startRouter(doc, 100_000_000);
    } finally {
      System.clearProperty(ConsistencyMonitor.INTERVAL_PROPERTY);
    }
    router = new MeiliHttp(URI.create(cluster.router.url()), RouterTestCluster.MASTER_KEY, WAIT);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** An index with 300 documents with integer ids, written through the router. */
  static void index(String uid) {
    router.awaitTaskSucceeded(router.post("/indexes", "{\"uid\":\"" + uid + "\",\"primaryKey\":\"id\"}").taskUid(), WAIT);
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < 300; i++) {
      docs.addObject().put("id", i).put("title", "title " + i).put("price", i * 1.25).putArray("tags").add("t" + i % 4);
    }
    router.awaitTaskSucceeded(router.post("/indexes/" + uid + "/documents", docs.toString()).taskUid(), WAIT);
  }

  static int shardOf(int id) {
    return ShardHash.shardOfId((long) id, SHARDS);
  }

  /** The node process of a topology node id ("node-1" → nodes.get(1)). */
  static MeiliHttp node(String nodeId) {
    return cluster.nodes.get(Integer.parseInt(nodeId.substring("node-".length()))).http();
  }

  static String nonPrimary(int shard) {
    return doc.assignment(shard).readOwners().get(1);
  }

  static JsonNode verify(String uid) {
    MeiliHttp.Response r = router.get("/_miroir/indexes/" + uid + "/consistency");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body();
  }

  static JsonNode repair(String uid) {
    MeiliHttp.Response r = router.post("/_miroir/indexes/" + uid + "/consistency", null);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body();
  }

  static void writeDirect(String nodeId, String uid, ObjectNode document) {
    MeiliHttp n = node(nodeId);
    n.awaitTaskSucceeded(n.post("/indexes/" + uid + "/documents", "[" + document + "]").taskUid(), WAIT);
  }

  static JsonNode shardOfResult(JsonNode report, int shard) {
    for (JsonNode s : report.path("results")) {
      if (s.path("shard").asInt() == shard) {
        return s;
      }
    }
    throw new AssertionError("no shard " + shard + " in " + report);
  }

  @Test
  void consistentIndexVerifiesCleanWithCountsPerReplica() {
    index("clean");
    JsonNode report = verify("clean");
    assertThat(report.path("consistent").asBoolean()).isTrue();
    assertThat(report.path("divergentShards").asInt()).isZero();
    assertThat(report.path("consistentShards").asInt()).isEqualTo(SHARDS);
    assertThat(report.path("documents").asLong()).isEqualTo(300);
    long sum = 0;
    for (JsonNode s : report.path("results")) {
      JsonNode replicas = s.path("replicas");
      assertThat(replicas).hasSize(2);
      assertThat(replicas.get(0).path("digest").asText()).isEqualTo(replicas.get(1).path("digest").asText());
      assertThat(replicas.get(0).path("count").asLong()).isEqualTo(replicas.get(1).path("count").asLong());
      assertThat(s.path("authoritative").asText()).isEqualTo(doc.assignment(s.path("shard").asInt()).readOwners().get(0));
      sum += replicas.get(0).path("count").asLong();
    }
    assertThat(sum).isEqualTo(300);
    // Master key only.
    assertThat(router.withKey("not-the-key").get("/_miroir/indexes/clean/consistency").status()).isIn(401, 403);
    assertThat(router.get("/_miroir/indexes/no_such_index/consistency").body().path("code").asText())
        .isEqualTo("index_not_found");
  }

  /**
   * The same write, queued on both replicas, but one replica is still busy with a large batch of
   * another index: for a moment its digest lags. A lag is not a divergence; verify judges again once
   * the queues are idle and finds the shard consistent.
   */
  @Test
  void aReplicaThatHasNotProcessedAWriteYetIsNotReportedDivergent() {
    index("lagging");
    int id = 7;
    int shard = shardOf(id);
    String lagging = nonPrimary(shard);
    MeiliHttp slow = node(lagging);
    ArrayNode heavy = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < 60_000; i++) {
      heavy.addObject().put("id", i).put("text", "filler words for a slow batch number " + i);
    }
    long heavyTask = slow.post("/indexes/ballast/documents", heavy.toString()).taskUid();
    String same = "[" + JsonNodeFactory.instance.objectNode().put("id", id).put("title", "written on both")
        .put("_geo._miroir_shard", shard) + "]";
    MeiliHttp primary = node(doc.assignment(shard).readOwners().get(0));
    long queuedBehind = slow.post("/indexes/lagging/documents", same).taskUid();
    primary.awaitTaskSucceeded(primary.post("/indexes/lagging/documents", same).taskUid(), WAIT);
    assertThat(slow.get("/tasks/" + queuedBehind).requireSuccess().body().path("status").asText())
        .as("the lagging replica has not processed the write when verify starts").isIn("enqueued", "processing");

    JsonNode report = verify("lagging");
    assertThat(report.path("consistent").asBoolean()).as(report.toString()).isTrue();
    assertThat(shardOfResult(report, shard).path("status").asText()).isEqualTo("consistent");
    slow.awaitTaskSucceeded(heavyTask, WAIT);
  }

  @Test
  void documentChangedOnANonPrimaryReplicaIsFoundAndRepairedFromThePrimary() {
    index("changed");
    int id = 42;
    int shard = shardOf(id);
    String replica = nonPrimary(shard);
    JsonNode original = node(doc.assignment(shard).readOwners().get(0)).get("/indexes/changed/documents/" + id)
        .requireSuccess().body();
    writeDirect(replica, "changed", JsonNodeFactory.instance.objectNode().put("id", id).put("title", "edited on one node")
        .put("_geo._miroir_shard", shard));

    JsonNode report = verify("changed");
    assertThat(report.path("consistent").asBoolean()).isFalse();
    assertThat(report.path("divergentShardList")).hasSize(1);
    assertThat(report.path("divergentShardList").get(0).asInt()).isEqualTo(shard);
    JsonNode s = shardOfResult(report, shard);
    assertThat(s.path("authoritative").asText()).isEqualTo(doc.assignment(shard).readOwners().get(0));
    assertThat(s.path("rule").asText()).isEqualTo("primary");
    assertThat(s.path("divergentReplicas").get(0).asText()).isEqualTo(replica);
    // Same count, different content: only the digest can tell.
    assertThat(s.path("replicas").get(0).path("count").asLong()).isEqualTo(s.path("replicas").get(1).path("count").asLong());
    assertThat(metrics()).contains("miroir_replica_divergent_shards{index=\"changed\"} 1.0");

    JsonNode repaired = repair("changed");
    assertThat(repaired.path("consistent").asBoolean()).as(repaired.toString()).isTrue();
    assertThat(repaired.path("repairedShards").asInt()).isEqualTo(1);
    JsonNode r = repaired.path("results").get(0).path("replicas").get(0);
    assertThat(r.path("nodeId").asText()).isEqualTo(replica);
    assertThat(r.path("written").asInt()).isEqualTo(1);
    assertThat(r.path("deleted").asInt()).isZero();
    assertThat(repaired.path("after").path("consistent").asBoolean()).isTrue();

    JsonNode onReplica = node(replica).get("/indexes/changed/documents/" + id).requireSuccess().body();
    assertThat(onReplica.path("title").asText()).isEqualTo(original.path("title").asText());
    assertThat(onReplica.path("price").asDouble()).isEqualTo(original.path("price").asDouble());
    assertThat(onReplica.path("tags")).isEqualTo(original.path("tags"));
    assertThat(verify("changed").path("consistent").asBoolean()).isTrue();
    assertThat(metrics()).contains("miroir_replica_divergent_shards{index=\"changed\"} 0.0");
  }

  @Test
  void documentDeletedThroughTheRouterAndReAddedOnOneReplicaIsNotResurrected() {
    index("deleted");
    int id = 7;
    int shard = shardOf(id);
    String replica = nonPrimary(shard);
    router.awaitTaskSucceeded(router.delete("/indexes/deleted/documents/" + id).taskUid(), WAIT);
    writeDirect(replica, "deleted", JsonNodeFactory.instance.objectNode().put("id", id).put("title", "title " + id)
        .put("price", id * 1.25).put("_geo._miroir_shard", shard));
    assertThat(node(replica).get("/indexes/deleted/documents/" + id).status()).isEqualTo(200);

    JsonNode s = shardOfResult(verify("deleted"), shard);
    assertThat(s.path("divergent").asBoolean()).isTrue();
    assertThat(s.path("replicas").get(1).path("count").asLong())
        .isEqualTo(s.path("replicas").get(0).path("count").asLong() + 1);

    JsonNode repaired = repair("deleted");
    assertThat(repaired.path("consistent").asBoolean()).as(repaired.toString()).isTrue();
    JsonNode r = repaired.path("results").get(0).path("replicas").get(0);
    assertThat(r.path("deleted").asInt()).isEqualTo(1);
    assertThat(r.path("written").asInt()).isZero();
    for (String owner : doc.assignment(shard).readOwners()) {
      assertThat(node(owner).get("/indexes/deleted/documents/" + id).status()).as("on %s", owner).isEqualTo(404);
    }
    assertThat(router.get("/indexes/deleted/documents/" + id).status()).isEqualTo(404);
  }

  @Test
  void extraDocumentOnOneReplicaIsRemovedAndMissingOneIsCopied() {
    index("extra");
    int extraId = 5_000;
    int extraShard = shardOf(extraId);
    String extraOn = nonPrimary(extraShard);
    writeDirect(extraOn, "extra", JsonNodeFactory.instance.objectNode().put("id", extraId).put("title", "stray")
        .put("_geo._miroir_shard", extraShard));
    // And a document missing on another shard's non-primary replica.
    int missingId = findIdOnOtherShard(extraShard);
    int missingShard = shardOf(missingId);
    MeiliHttp missingOn = node(nonPrimary(missingShard));
    missingOn.awaitTaskSucceeded(missingOn.delete("/indexes/extra/documents/" + missingId).taskUid(), WAIT);

    JsonNode report = verify("extra");
    assertThat(report.path("divergentShards").asInt()).isEqualTo(2);
    JsonNode repaired = repair("extra");
    assertThat(repaired.path("consistent").asBoolean()).as(repaired.toString()).isTrue();
    assertThat(node(extraOn).get("/indexes/extra/documents/" + extraId).status()).isEqualTo(404);
    JsonNode copied = missingOn.get("/indexes/extra/documents/" + missingId).requireSuccess().body();
    assertThat(copied.path("title").asText()).isEqualTo("title " + missingId);
    // The copy keeps its shard stamp, so shard-filtered reads still find it on that replica.
    JsonNode fetched = missingOn.post("/indexes/extra/documents/fetch",
        "{\"filter\":\"_geo._miroir_shard = " + missingShard + "\",\"ids\":[\"" + missingId + "\"]}").requireSuccess().body();
    assertThat(fetched.path("total").asInt()).isEqualTo(1);
    assertThat(verify("extra").path("consistent").asBoolean()).isTrue();
  }

  @Test
  void periodicCheckReportsTheLastRun() throws Exception {
    index("periodic");
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode last;
    while (true) {
      JsonNode report = router.get("/_miroir/consistency").requireSuccess().body();
      assertThat(report.path("enabled").asBoolean()).isTrue();
      last = report.path("lastRun");
      if (last.isObject() && indexUids(last).contains("periodic")) {
        break;
      }
      assertThat(System.nanoTime()).as("a periodic run that saw the index").isLessThan(deadline);
      Thread.sleep(200);
    }
    assertThat(last.path("startedAt").asText()).isNotEmpty();
    assertThat(metrics()).contains("miroir_replica_divergent_shards{index=\"periodic\"}");
    // And one run now, on demand.
    JsonNode now = router.post("/_miroir/consistency", null).requireSuccess().body().path("lastRun");
    assertThat(indexUids(now)).contains("periodic");
    for (JsonNode index : now.path("indexes")) {
      if (index.path("indexUid").asText().equals("periodic")) {
        assertThat(index.path("consistent").asBoolean()).isTrue();
        assertThat(index.path("documents").asLong()).isEqualTo(300);
      }
    }
  }

  static List<String> indexUids(JsonNode run) {
    List<String> uids = new ArrayList<>();
    run.path("indexes").forEach(i -> uids.add(i.path("indexUid").asText()));
    return uids;
  }

  static int findIdOnOtherShard(int notShard) {
    for (int i = 100; ; i++) {
      if (shardOf(i) != notShard) {
        return i;
      }
    }
  }

  static String metrics() {
    try {
      HttpResponse<String> r = RouterRoutesTest.rawTo(cluster.router.url(), "GET", "/metrics", null, null,
          RouterTestCluster.MASTER_KEY);
      return r.body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
