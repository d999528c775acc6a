package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.router.http.Fleet;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node SIGKILLed during a stream of writes with RF 2, then restarted: every write either is
 * acknowledged or fails with a Meilisearch-shaped 503 naming the shards; once the node is back, the
 * router delivers the copies it missed, in order, every acknowledged document is on both its owners, and so is every
 * copy a failed write left on the surviving owner.
 */
class RouterNodeFailureTest {

  static final int SHARDS = 8;
  static final int BATCH = 40;
  static RouterTestCluster cluster;
  static MeiliHttp router;
  static TopologyDocument doc;

  @BeforeAll
  static void start() {
    cluster = new RouterTestCluster(3);
    doc = cluster.document(1, SHARDS, 2);
    cluster.startRouter(doc, 10_000_000);
    router = new MeiliHttp(URI.create(cluster.router.url()), RouterTestCluster.MASTER_KEY, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void nodeKilledDuringWritesCatchesUpAndLosesNothingAcknowledged() throws Exception {
    String index = "killed_node";
    router.awaitTaskSucceeded(router.post("/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}").taskUid(),
        Duration.ofSeconds(30));
    MeilisearchProcess victim = cluster.nodes.get(1);

    Set<String> acknowledged = new HashSet<>();
    List<Long> tasks = new ArrayList<>();
    int failed = 0;
    int acknowledgedAfterRestart = 0;
    boolean killed = false;
    boolean restarted = false;
    for (int batch = 0; batch < 400 && acknowledgedAfterRestart < 3; batch++) {
      if (batch == 5) {
        victim.kill();
        killed = true;
      }
      if (killed && !restarted && failed >= 5) {
        victim.restart();
        restarted = true;
      }
      ArrayNode docs = JsonNodeFactory.instance.arrayNode();
      List<String> ids = new ArrayList<>();
      for (int j = 0; j < BATCH; j++) {
        String id = "b" + batch + "-" + j;
        ids.add(id);
        docs.addObject().put("id", id).put("batch", batch);
      }
      HttpResponse<String> r = RouterRoutesTest.rawTo(cluster.router.url(), "POST",
          "/indexes/" + index + "/documents", "application/json", docs.toString(), RouterTestCluster.MASTER_KEY);
      JsonNode body = MeiliHttp.mapper().readTree(r.body());
      if (r.statusCode() == 202) {
        acknowledged.addAll(ids);
        tasks.add(body.path("taskUid").asLong());
        // RF 2: quorum is both owners, so an acknowledged write is never degraded.
        assertThat(r.headers().firstValue(Fleet.DEGRADED_SHARDS_HEADER)).isEmpty();
        if (restarted) {
          acknowledgedAfterRestart++;
        }
      } else {
        assertThat(killed).as("a write failed before any node was down: %s", r.body()).isTrue();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(body.path("code").asText()).isEqualTo("miroir_write_quorum_not_reached");
        assertThat(body.path("type").asText()).isEqualTo("system");
        assertThat(body.path("link").asText()).isNotEmpty();
        assertThat(r.headers().firstValue(Fleet.FAILED_SHARDS_HEADER)).isPresent();
        assertThat(r.headers().firstValue(Fleet.LATE_NODES_HEADER)).hasValue("node-1");
        failed++;
      }
    }
    assertThat(failed).as("writes that failed while node-1 was down").isGreaterThanOrEqualTo(5);
    assertThat(acknowledgedAfterRestart).as("writes acknowledged after the restart").isEqualTo(3);
    for (long task : tasks) {
      router.awaitTaskSucceeded(task, Duration.ofSeconds(60));
    }
    awaitCaughtUp();
    for (MeilisearchProcess node : cluster.nodes) {
      awaitIdle(node.http());
    }

    // On the nodes directly: every document (acknowledged or left by a failed write) on both owners.
    Map<String, Set<String>> holders = new HashMap<>();
    for (int n = 0; n < 3; n++) {
      JsonNode stored = cluster.nodes.get(n).http()
          .get("/indexes/" + index + "/documents?limit=100000&fields=id").requireSuccess().body();
      String nodeId = "node-" + n;
      stored.path("results").forEach(d -> holders.computeIfAbsent(d.path("id").asText(), k -> new HashSet<>()).add(nodeId));
    }
    assertThat(holders.keySet()).containsAll(acknowledged);
    for (Map.Entry<String, Set<String>> e : holders.entrySet()) {
      int shard = ShardHash.shardOfId(e.getKey(), SHARDS);
      assertThat(e.getValue()).as("holders of %s", e.getKey())
          .containsExactlyInAnyOrderElementsOf(doc.assignment(shard).writeTargets());
    }
    // Through the router: the exact count sees every stored document once.
    assertThat(router.get("/indexes/" + index + "/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(holders.size());
    JsonNode replicas = router.get("/_miroir/replicas").requireSuccess().body();
    assertThat(replicas.path("pendingCopies").asLong()).isZero();
    for (JsonNode n : replicas.path("results")) {
      assertThat(n.path("needsRepair").asBoolean()).as("needsRepair of %s", n).isFalse();
    }
  }

  private static void awaitCaughtUp() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (router.get("/_miroir/replicas").requireSuccess().body().path("pendingCopies").asLong() > 0) {
      assertThat(System.nanoTime()).as("copies still pending").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void awaitIdle(MeiliHttp node) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (node.get("/tasks?statuses=enqueued,processing&limit=1").requireSuccess().body().path("total").asLong() > 0) {
      assertThat(System.nanoTime()).as("node tasks still running").isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
