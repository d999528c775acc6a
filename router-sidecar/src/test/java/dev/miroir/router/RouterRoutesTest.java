package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Routes against three real Meilisearch nodes, through one router per replication factor (RF 2 on
 * the cluster's router, RF 1 on a second router over the same nodes with its own indexes).
 */
class RouterRoutesTest {

  static final int SHARDS = 16;
  static RouterTestCluster cluster;
  static RouterHandle rf1Router;
  static RouterTestCluster rf1Files;
  static MeiliHttp rf2;
  static MeiliHttp rf1;

  @BeforeAll
  static void start() {
    cluster = new RouterTestCluster(3);
    cluster.startRouter(cluster.document(1, SHARDS, 2), 1_000_000);
    rf2 = new MeiliHttp(URI.create(cluster.router.url()), RouterTestCluster.MASTER_KEY);
    TopologyDocument rf1Doc = cluster.document(1, SHARDS, 1);
    java.nio.file.Path file = writeTemp(rf1Doc);
    rf1Router = RouterServer.start(RouterConfig.local(0, RouterTestCluster.MASTER_KEY,
        new dev.miroir.router.topology.FileTopologySource(file)));
    rf1 = new MeiliHttp(URI.create(rf1Router.url()), RouterTestCluster.MASTER_KEY);
  }

  @AfterAll
  static void stop() {
    if (rf1Router != null) {
      rf1Router.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void documentsLandOnExactlyTheirOwnersWithRf2() {
    checkPlacement(rf2, "placement_rf2", cluster.document(1, SHARDS, 2), 2);
  }

  @Test
  void documentsLandOnExactlyTheirOwnersWithRf1() {
    checkPlacement(rf1, "placement_rf1", cluster.document(1, SHARDS, 1), 1);
  }

  private void checkPlacement(MeiliHttp router, String index, TopologyDocument doc, int rf) {
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < 300; i++) {
      docs.addObject().put("id", i % 2 == 0 ? Integer.toString(i) : "doc-" + i).put("title", "title " + i);
    }
    MeiliHttp.Response added = router.post("/indexes/" + index + "/documents", docs);
    assertThat(added.status()).isEqualTo(202);
    JsonNode task = router.awaitTaskSucceeded(added.taskUid(), Duration.ofSeconds(60));
    assertThat(task.path("details").path("receivedDocuments").asInt()).as(task.toString()).isEqualTo(300);
    assertThat(task.path("details").path("indexedDocuments").asInt()).as(task.toString()).isEqualTo(300);

    Map<String, Integer> copies = new HashMap<>();
    for (int n = 0; n < 3; n++) {
      MeilisearchProcess node = cluster.nodes.get(n);
      String nodeId = "node-" + n;
      JsonNode stored = node.http().get("/indexes/" + index + "/documents?limit=1000").requireSuccess().body();
      for (JsonNode d : stored.path("results")) {
        String id = d.path("id").asText();
        int shard = ShardHash.shardOfId(id, SHARDS);
        assertThat(d.path("_geo._miroir_shard").asInt(-1)).as("stamp of %s", id).isEqualTo(shard);
        assertThat(doc.assignment(shard).writeTargets()).as("owners of %s", id).contains(nodeId);
        copies.merge(id, 1, Integer::sum);
      }
      // The index and its primary key exist on every node, with the shard stamp filterable.
      assertThat(node.http().get("/indexes/" + index).requireSuccess().body().path("primaryKey").asText())
          .isEqualTo("id");
      assertThat(node.http().get("/indexes/" + index + "/settings/filterable-attributes").requireSuccess().body()
          .toString()).contains("\"_geo._miroir_shard\"");
    }
    assertThat(copies).hasSize(300);
    assertThat(copies.values()).allMatch(c -> c == rf);

    JsonNode stats = router.get("/indexes/" + index + "/stats").requireSuccess().body();
    assertThat(stats.path("numberOfDocuments").asLong()).isEqualTo(300);
    assertThat(stats.path("fieldDistribution").toString()).doesNotContain("_miroir_shard");
    JsonNode settings = router.get("/indexes/" + index + "/settings").requireSuccess().body();
    assertThat(settings.path("filterableAttributes").toString()).doesNotContain("_miroir_shard");
  }

  /**
   * The acceptance point: 10,000 documents through the router with RF 2 on 3 nodes, each on exactly 2
   * nodes, and stats that count them exactly although Meilisearch's search estimates stop at 1,000.
   */
  @Test
  void tenThousandDocumentsAreCountedExactly() {
    String index = "ten_thousand";
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < 10_000; i++) {
      docs.addObject().put("id", i).put("n", i % 7);
    }
    MeiliHttp.Response added = rf2.post("/indexes/" + index + "/documents", docs);
    assertThat(added.status()).as(added.body().toString()).isEqualTo(202);
    rf2.awaitTaskSucceeded(added.taskUid(), Duration.ofSeconds(120));

    Map<String, Integer> copies = new HashMap<>();
    for (MeilisearchProcess node : cluster.nodes) {
      JsonNode stored = node.http().get("/indexes/" + index + "/documents?limit=10000&fields=id").requireSuccess().body();
      assertThat(stored.path("total").asLong()).isLessThan(10_000);
      stored.path("results").forEach(d -> copies.merge(d.path("id").asText(), 1, Integer::sum));
    }
    assertThat(copies).hasSize(10_000);
    assertThat(copies.values()).allMatch(c -> c == 2);

    JsonNode stats = rf2.get("/indexes/" + index + "/stats").requireSuccess().body();
    assertThat(stats.path("numberOfDocuments").asLong()).isEqualTo(10_000);
    assertThat(stats.path("isIndexing").asBoolean()).isFalse();
    assertThat(stats.path("fieldDistribution").path("id").asLong()).isEqualTo(10_000);
    assertThat(stats.path("fieldDistribution").toString()).doesNotContain("_miroir_shard");
    JsonNode global = rf2.get("/stats").requireSuccess().body();
    assertThat(global.path("indexes").path(index).path("numberOfDocuments").asLong()).isEqualTo(10_000);
    assertThat(rf2.delete("/indexes/" + index).status()).isEqualTo(202);
  }

  @Test
  void badInputChangesNothingAndGetsMeilisearchErrors() throws Exception {
    String index = "bad_input";
    ArrayNode one = JsonNodeFactory.instance.arrayNode();
    one.addObject().put("id", 1).put("title", "kept");
    rf2.awaitTaskSucceeded(rf2.post("/indexes/" + index + "/documents", one).taskUid(), Duration.ofSeconds(30));

    assertError(raw("POST", "/indexes/" + index + "/documents", "application/json", "{\"id\":1,",
        RouterTestCluster.MASTER_KEY), 400, "malformed_payload");
    ArrayNode reserved = JsonNodeFactory.instance.arrayNode();
    reserved.addObject().put("id", 2).put("_miroir_shard", 3);
    assertError(raw("POST", "/indexes/" + index + "/documents", "application/json", reserved.toString(),
        RouterTestCluster.MASTER_KEY), 400, "miroir_reserved_field");
    // What Meilisearch accepts and then fails whole: 202 and a task failed with the node's error.
    assertFailedTask("/indexes/" + index + "/documents", "[{\"title\":\"no id\"}]", "missing_document_id");
    assertFailedTask("/indexes/" + index + "/documents", "[{\"id\":\"a b\"}]", "invalid_document_id");
    assertFailedTask("/indexes/fresh_index/documents", "[{\"title\":\"x\"}]", "index_primary_key_no_candidate_found");
    assertFailedTask("/indexes/fresh_index/documents", "[{\"id\":1,\"uid\":2}]",
        "index_primary_key_multiple_candidates_found");
    assertError(raw("GET", "/indexes/does_not_exist", null, null, RouterTestCluster.MASTER_KEY), 404, "index_not_found");
    assertError(raw("GET", "/indexes/" + index + "/settings", null, null, "wrong-key"), 403, "invalid_api_key");
    assertError(raw("GET", "/indexes/" + index + "/settings", null, null, null), 401, "missing_authorization_header");
    String big = "[{\"id\":1,\"text\":\"" + "x".repeat(1_100_000) + "\"}]";
    assertError(raw("POST", "/indexes/" + index + "/documents", "application/json", big,
        RouterTestCluster.MASTER_KEY), 413, "payload_too_large");

    JsonNode stats = rf2.get("/indexes/" + index + "/stats").requireSuccess().body();
    assertThat(stats.path("numberOfDocuments").asLong()).isEqualTo(1);
    // As on a node, the failed batch created the index, without a primary key and without documents.
    assertThat(rf2.get("/indexes/fresh_index").body().path("primaryKey").isNull()).isTrue();
    assertThat(rf2.get("/indexes/fresh_index/stats").body().path("numberOfDocuments").asLong()).isZero();
  }

  private void assertFailedTask(String path, String body, String code) throws Exception {
    HttpResponse<String> accepted = raw("POST", path, "application/json", body, RouterTestCluster.MASTER_KEY);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    long uid = MeiliHttp.mapper().readTree(accepted.body()).path("taskUid").asLong();
    JsonNode task = rf2.awaitTask(uid, Duration.ofSeconds(30));
    assertThat(task.path("status").asText()).isEqualTo("failed");
    assertThat(task.path("error").path("code").asText()).as(task.toString()).isEqualTo(code);
    assertThat(task.path("details").path("indexedDocuments").asInt()).isZero();
  }

  @Test
  void csvAndNdjsonAreSplitLikeJson() throws Exception {
    String index = "formats";
    HttpResponse<String> csv = raw("POST", "/indexes/" + index + "/documents?primaryKey=sku&csvDelimiter=%3B",
        "text/csv", "sku;price:number;title\nA1;3.5;first\nB2;4;second\n", RouterTestCluster.MASTER_KEY);
    assertThat(csv.statusCode()).as(csv.body()).isEqualTo(202);
    long csvTask = MeiliHttp.mapper().readTree(csv.body()).path("taskUid").asLong();
    rf2.awaitTaskSucceeded(csvTask, Duration.ofSeconds(30));
    HttpResponse<String> nd = raw("PUT", "/indexes/" + index + "/documents", "application/x-ndjson",
        "{\"sku\":\"A1\",\"color\":\"red\"}\n{\"sku\":\"C3\",\"price\":1}\n", RouterTestCluster.MASTER_KEY);
    rf2.awaitTaskSucceeded(MeiliHttp.mapper().readTree(nd.body()).path("taskUid").asLong(), Duration.ofSeconds(30));
    JsonNode a1 = findOnNodes(index, "A1");
    assertThat(a1.path("price").asDouble()).isEqualTo(3.5);
    assertThat(a1.path("title").asText()).isEqualTo("first");
    assertThat(a1.path("color").asText()).isEqualTo("red");
    assertThat(rf2.get("/indexes/" + index + "/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(3);

    // delete one, delete a batch, then all
    rf2.awaitTaskSucceeded(rf2.delete("/indexes/" + index + "/documents/A1").taskUid(), Duration.ofSeconds(30));
    ArrayNode ids = JsonNodeFactory.instance.arrayNode().add("B2");
    rf2.awaitTaskSucceeded(rf2.post("/indexes/" + index + "/documents/delete-batch", ids).taskUid(), Duration.ofSeconds(30));
    assertThat(rf2.get("/indexes/" + index + "/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(1);
    rf2.awaitTaskSucceeded(rf2.delete("/indexes/" + index + "/documents").taskUid(), Duration.ofSeconds(30));
    assertThat(rf2.get("/indexes/" + index + "/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(0);
  }

  @Test
  void topologyEpochSwitchesUpOnly() throws Exception {
    // A second router-visible epoch over the same placement; lower epochs are ignored.
    assertThat(rf2.get("/_miroir/topology").requireSuccess().body().path("epoch").asLong()).isEqualTo(1);
    cluster.writeTopology(cluster.document(5, SHARDS, 2));
    awaitEpoch(5);
    cluster.writeTopology(cluster.document(3, SHARDS, 2));
    Thread.sleep(400);
    JsonNode topology = rf2.get("/_miroir/topology").requireSuccess().body();
    assertThat(topology.path("epoch").asLong()).isEqualTo(5);
    assertThat(topology.path("replicationFactor").asInt()).isEqualTo(2);
    assertThat(topology.path("nodes")).hasSize(3);
    assertThat(topology.toString()).doesNotContain(RouterTestCluster.MASTER_KEY);
    assertThat(cluster.router.epoch()).isEqualTo(5);
  }

  @Test
  void healthVersionMetrics() throws Exception {
    JsonNode health = rf2.get("/_miroir/health").requireSuccess().body();
    assertThat(rf2.get("/health").requireSuccess().body().toString()).isEqualTo("{\"status\":\"available\"}");
    assertThat(health.path("status").asText()).isEqualTo("available");
    assertThat(health.path("readableShards").asInt()).isEqualTo(SHARDS);
    assertThat(rf2.get("/version").requireSuccess().body().path("pkgVersion").asText()).isEqualTo("1.21.0");
    rf2.get("/stats").requireSuccess();
    // Metrics are the router's own: master key only by default (MIROIR_METRICS).
    assertThat(raw("GET", "/metrics", null, null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> metrics = raw("GET", "/metrics", null, null, RouterTestCluster.MASTER_KEY);
    assertThat(metrics.body()).contains("miroir_requests_seconds_count").contains("route=\"health\"");
  }

  @Test
  void officialJavaSdkFlowWithKeys() throws Exception {
    com.meilisearch.sdk.Client client = new com.meilisearch.sdk.Client(
        new com.meilisearch.sdk.Config(cluster.router.url(), RouterTestCluster.MASTER_KEY));
    com.meilisearch.sdk.model.TaskInfo created = client.createIndex("sdk_movies", "id");
    client.waitForTask(created.getTaskUid());
    com.meilisearch.sdk.Index movies = client.index("sdk_movies");
    com.meilisearch.sdk.model.TaskInfo added = movies.addDocuments(
        "[{\"id\":1,\"title\":\"Alien\",\"genre\":\"sf\"},{\"id\":2,\"title\":\"Heat\",\"genre\":\"crime\"}]");
    client.waitForTask(added.getTaskUid());
    assertThat(client.getTask(added.getTaskUid()).getStatus().toString()).isEqualToIgnoringCase("succeeded");
    com.meilisearch.sdk.model.TaskInfo settings = movies.updateSettings(
        new com.meilisearch.sdk.model.Settings().setFilterableAttributes(new String[] {"genre"}));
    client.waitForTask(settings.getTaskUid());
    assertThat(movies.getFilterableAttributesSettings()).containsExactly("genre");
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/indexes/sdk_movies/settings/filterable-attributes").body().toString())
          .contains("genre").contains("_miroir_shard");
    }

    com.meilisearch.sdk.model.Key key = new com.meilisearch.sdk.model.Key()
        .setDescription("search movies").setActions(new String[] {"search", "documents.get"})
        .setIndexes(new String[] {"sdk_movies"}).setExpiresAt(null);
    com.meilisearch.sdk.model.Key createdKey = client.createKey(key);
    assertThat(createdKey.getUid()).isNotBlank();
    for (MeilisearchProcess node : cluster.nodes) {
      // Same uid and master key: the same key value on every node.
      assertThat(node.http().get("/keys/" + createdKey.getUid()).requireSuccess().body().path("key").asText())
          .isEqualTo(createdKey.getKey());
    }
    assertThat(client.getKey(createdKey.getUid()).getKey()).isEqualTo(createdKey.getKey());
    // The new key may not write: the nodes say so, through the router, in Meilisearch's words.
    assertError(raw("POST", "/indexes/sdk_movies/documents", "application/json", "[{\"id\":3}]",
        createdKey.getKey()), 403, "invalid_api_key");
    assertThat(rf2.get("/indexes/sdk_movies/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(2);
  }

  private void awaitEpoch(long epoch) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (rf2.get("/_miroir/topology").body().path("epoch").asLong() != epoch) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static JsonNode findOnNodes(String index, String id) {
    for (MeilisearchProcess node : cluster.nodes) {
      MeiliHttp.Response r = node.http().get("/indexes/" + index + "/documents/" + id);
      if (r.status() == 200) {
        return r.body();
      }
    }
    throw new AssertionError("document " + id + " is on no node");
  }

  static void assertFailedTask(HttpResponse<String> response, String code) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    long uid = MeiliHttp.mapper().readTree(response.body()).path("taskUid").asLong();
    JsonNode task = rf2.awaitTask(uid, Duration.ofSeconds(30));
    assertThat(task.path("status").asText()).as(task.toString()).isEqualTo("failed");
    assertThat(task.path("error").path("code").asText()).isEqualTo(code);
  }

  static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
    JsonNode body = MeiliHttp.mapper().readTree(response.body());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(body.path("code").asText()).isEqualTo(code);
    assertThat(body.has("message") && body.has("type") && body.has("link")).isTrue();
  }

  static HttpResponse<String> raw(String method, String path, String contentType, String body, String key)
      throws Exception {
    return rawTo(cluster.router.url(), method, path, contentType, body, key);
  }

  static HttpResponse<String> rawTo(String base, String method, String path, String contentType, String body,
      String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static java.nio.file.Path writeTemp(TopologyDocument doc) {
    try {
      java.nio.file.Path f = java.nio.file.Files.createTempFile("miroir-rf1-", ".json");
      java.nio.file.Files.writeString(f, dev.miroir.core.topology.TopologyCodec.encode(doc));
      f.toFile().deleteOnExit();
      return f;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

}
