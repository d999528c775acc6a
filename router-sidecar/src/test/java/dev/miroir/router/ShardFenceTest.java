package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.local.MeiliHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fence seam over HTTP: a fence on a shard holds new writes to that shard (they wait, they are
 * not refused) while writes to other shards pass; lifting it lets the held write through; a fence
 * nobody lifts expires after its time to live. Master key only, Meilisearch-shaped errors.
 */
class ShardFenceTest {

  static final int SHARDS = 4;
  static RouterTestCluster cluster;
  static String url;

  @BeforeAll
  static void start() {
    cluster = new RouterTestCluster(2);
    cluster.startRouter(cluster.document(1, SHARDS, 2), 10_000_000);
    url = cluster.router.url();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String idInShard(int shard) {
    for (int i = 0; ; i++) {
      if (ShardHash.shardOfId("d" + i, SHARDS) == shard) {
        return "d" + i;
      }
    }
  }

  private static CompletableFuture<HttpResponse<String>> writeAsync(String id) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return TwoRouterTestBase.send(url, "POST", "/indexes/fenced/documents", "[{\"id\":\"" + id + "\"}]");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void aFenceHoldsWritesToItsShardsUntilLiftedOrExpired() throws Exception {
    TwoRouterTestBase.write(url, "POST", "/indexes", "{\"uid\":\"fenced\",\"primaryKey\":\"id\"}");
    HttpResponse<String> raised = TwoRouterTestBase.send(url, "POST", "/_miroir/fences",
        "{\"indexUid\":\"fenced\",\"shards\":[1],\"ttlSeconds\":60}");
    assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
    String fenceId = MeiliHttp.mapper().readTree(raised.body()).path("fenceId").asText();
    assertThat(fenceId).isNotEmpty();

    CompletableFuture<HttpResponse<String>> held = writeAsync(idInShard(1));
    // Another shard is not held.
    assertThat(writeAsync(idInShard(2)).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    try {
      held.get(1500, TimeUnit.MILLISECONDS);
      throw new AssertionError("a write to a fenced shard went through");
    } catch (TimeoutException expected) {
      // still held
    }
    assertThat(TwoRouterTestBase.send(url, "DELETE", "/_miroir/fences/" + fenceId, null).statusCode()).isEqualTo(204);
    assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    HttpResponse<String> again = TwoRouterTestBase.send(url, "DELETE", "/_miroir/fences/" + fenceId, null);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(MeiliHttp.mapper().readTree(again.body()).path("code").asText()).isEqualTo("miroir_fence_not_found");

    // A fence for every index with a short time to live: the held write goes through when it expires.
    HttpResponse<String> shortLived = TwoRouterTestBase.send(url, "POST", "/_miroir/fences",
        "{\"indexUid\":null,\"shards\":[3],\"ttlSeconds\":2}");
    assertThat(shortLived.statusCode()).isEqualTo(200);
    long start = System.nanoTime();
    assertThat(writeAsync(idInShard(3)).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    assertThat(System.nanoTime() - start).isGreaterThan(Duration.ofMillis(1500).toNanos());
  }

  /**
   * A fence names, per node, the task of the last write to its shard (what a fenced move waits for),
   * not the node's last task: a write to another shard after it is not waited for.
   */
  @Test
  void aFenceNamesEachNodesLastTaskHoldingAWriteToItsShard() throws Exception {
    TwoRouterTestBase.write(url, "POST", "/indexes", "{\"uid\":\"marks\",\"primaryKey\":\"id\"}");
    TwoRouterTestBase.write(url, "POST", "/indexes/marks/documents", "[{\"id\":\"" + idInShard(0) + "\"}]");
    TwoRouterTestBase.write(url, "POST", "/indexes/marks/documents", "[{\"id\":\"" + idInShard(2) + "\"}]");
    HttpResponse<String> raised = TwoRouterTestBase.send(url, "POST", "/_miroir/fences",
        "{\"indexUid\":null,\"shards\":[0],\"ttlSeconds\":60}");
    String fenceId = MeiliHttp.mapper().readTree(raised.body()).path("fenceId").asText();
    try {
      HttpResponse<String> shown = TwoRouterTestBase.send(url, "GET", "/_miroir/fences/" + fenceId, null);
      assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
      JsonNode lastTasks = MeiliHttp.mapper().readTree(shown.body()).path("lastTasks");
      for (int i = 0; i < 2; i++) {
        // RF 2 over two nodes: both hold both writes; the newest task is the write to shard 2.
        JsonNode tasks = cluster.nodes.get(i).http().get("/tasks?indexUids=marks&types=documentAdditionOrUpdate&limit=2")
            .requireSuccess().body().path("results");
        assertThat(lastTasks.path("node-" + i).isIntegralNumber()).as("%s", lastTasks).isTrue();
        assertThat(lastTasks.path("node-" + i).asLong()).as("%s against %s", lastTasks, tasks)
            .isEqualTo(tasks.get(1).path("uid").asLong());
      }
    } finally {
      TwoRouterTestBase.send(url, "DELETE", "/_miroir/fences/" + fenceId, null);
    }
    assertThat(TwoRouterTestBase.send(url, "GET", "/_miroir/fences/" + fenceId, null).statusCode()).isEqualTo(404);
  }

  @Test
  void fencesAreMasterKeyOnlyAndCheckTheirInput() throws Exception {
    var wrongKey = new MeiliHttp(java.net.URI.create(url), "not-the-key");
    var refused = wrongKey.post("/_miroir/fences", java.util.Map.of("shards", java.util.List.of(0)));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().path("code").asText()).isEqualTo("invalid_api_key");
    HttpResponse<String> bad = TwoRouterTestBase.send(url, "POST", "/_miroir/fences", "{\"shards\":[99]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonNode error = MeiliHttp.mapper().readTree(bad.body());
    assertThat(error.path("code").asText()).isEqualTo("miroir_invalid_fence");
    assertThat(error.path("link").asText()).isNotEmpty();
    HttpResponse<String> replicas = TwoRouterTestBase.send(url, "GET", "/_miroir/replicas", null);
    assertThat(replicas.statusCode()).isEqualTo(200);
    assertThat(MeiliHttp.mapper().readTree(replicas.body()).path("results").size()).isEqualTo(2);
  }

  /** Reads sent to a node that is down are never recorded as copies to replay (only writes are). */
  @Test
  void readsToADownNodeNeverEnterTheReplicaLog() throws Exception {
    TwoRouterTestBase.write(url, "POST", "/indexes", "{\"uid\":\"reads\",\"primaryKey\":\"id\"}");
    cluster.nodes.get(1).kill();
    try {
      for (int i = 0; i < 20; i++) {
        TwoRouterTestBase.send(url, "POST", "/indexes/reads/search", "{\"q\":\"x\"}");
        TwoRouterTestBase.send(url, "POST", "/multi-search", "{\"queries\":[{\"indexUid\":\"reads\",\"q\":\"x\"}]}");
        TwoRouterTestBase.send(url, "POST", "/indexes/reads/documents/fetch", "{\"limit\":1}");
        TwoRouterTestBase.send(url, "GET", "/indexes/reads/documents?limit=1", null);
      }
      JsonNode replicas = MeiliHttp.mapper().readTree(TwoRouterTestBase.send(url, "GET", "/_miroir/replicas", null).body());
      assertThat(replicas.path("pendingCopies").asLong()).as("%s", replicas).isZero();
    } finally {
      cluster.nodes.get(1).restart();
    }
  }
}
