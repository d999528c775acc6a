package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.router.parity.Target;
import dev.miroir.router.topology.FileTopologySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shard stamp never makes a document match (docs/compatibility.md): under the default
 * {@code searchableAttributes: ["*"]}, a query made of bare numbers, or ending in one (searched as a
 * prefix), answers through routers over three real nodes (RF 1 and RF 2) exactly as one real node
 * holding every document, for documents whose shard numbers are the queried numbers. The corpus puts
 * such documents in every shard, most of them without any number in their text, so a stamp that a
 * node searched would add hits. Search, multi-search, federated search and facet search with
 * {@code q} are compared whole (only {@code processingTimeMs} ignored); a total order ({@code rank:asc}
 * last) keeps tie order out of the comparison.
 */
class ShardStampParityTest {

  static final int SHARDS = 16;
  static final int DOCUMENTS = 192;
  static final Duration TASK_TIMEOUT = Duration.ofSeconds(120);
  static final List<String> QUERIES = List.of("5", "12", "3", "1", "15", "0", "7 9", "harry potter 3", "volume 1",
      "chapter 13 river");

  static RouterTestCluster cluster;
  static MeilisearchNodes reference;
  static RouterHandle rf1Router;
  static Path rf1Topology;
  static Target node;
  static Target rf1;
  static Target rf2;

  @BeforeAll
  static void load() throws IOException {
    cluster = new RouterTestCluster(3);
    cluster.startRouter(cluster.document(1, SHARDS, 2), 10_000_000);
    rf1Topology = Files.createTempFile("miroir-stamp-rf1-", ".json");
    Files.writeString(rf1Topology, TopologyCodec.encode(cluster.document(1, SHARDS, 1)));
    rf1Router = RouterServer.start(RouterConfig.local(0, RouterTestCluster.MASTER_KEY,
        new FileTopologySource(rf1Topology)).withMaxPayloadBytes(10_000_000));
    reference = MeilisearchNodes.start(1, (i, b) -> b.masterKey(RouterTestCluster.MASTER_KEY).maxIndexingThreads(1));
    node = new Target("node", reference.get(0).url().toString().replaceAll("/$", ""), RouterTestCluster.MASTER_KEY);
    rf1 = new Target("rf1", rf1Router.url(), RouterTestCluster.MASTER_KEY);
    rf2 = new Target("rf2", cluster.router.url(), RouterTestCluster.MASTER_KEY);

    ArrayNode documents = documents();
    List<Runnable> waits = new ArrayList<>();
    for (int rf : new int[] {1, 2}) {
      waits.add(fill(node.http(), index(rf), documents));
      waits.add(fill((rf == 1 ? rf1 : rf2).http(), index(rf), documents));
    }
    waits.forEach(Runnable::run);
  }

  @AfterAll
  static void stop() throws IOException {
    if (rf1Router != null) {
      rf1Router.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (reference != null) {
      reference.close();
    }
    if (rf1Topology != null) {
      Files.deleteIfExists(rf1Topology);
    }
  }

  static String index(int rf) {
    return "stamp_rf" + rf;
  }

  /**
   * Titles mostly without numbers; some with the numbers the queries ask for. No other field holds a
   * number: under {@code ["*"]} it would be a word too, present on some nodes only, and whether a
   * node's dictionary holds a query word itself changes the exactness of a prefix query there (a
   * difference of sharding itself, not of the stamp).
   */
  static ArrayNode documents() {
    ArrayNode out = MeiliHttp.mapper().createArrayNode();
    String[] plain = {"quiet river", "old town", "green valley", "silent harbor", "bright meadow", "dark forest"};
    String[] genres = {"drama", "comedy", "horror"};
    for (int i = 0; i < DOCUMENTS; i++) {
      String title = i % 7 == 0 ? "harry potter 3" : i % 11 == 0 ? "volume 12" : i % 13 == 0 ? "chapter 5 river"
          : i % 17 == 0 ? "room 15" : plain[i % plain.length];
      out.addObject().put("id", "d" + i).put("rank", String.format("k%04d", i)).put("title", title)
          .put("genre", genres[i % genres.length]);
    }
    return out;
  }

  private static Runnable fill(MeiliHttp http, String index, ArrayNode documents) {
    ObjectNode create = MeiliHttp.mapper().createObjectNode().put("uid", index).put("primaryKey", "id");
    http.awaitTaskSucceeded(http.post("/indexes", create).requireSuccess().taskUid(), TASK_TIMEOUT);
    ObjectNode settings = MeiliHttp.mapper().createObjectNode();
    settings.putArray("filterableAttributes").add("genre");
    settings.putArray("sortableAttributes").add("rank");
    ArrayNode rules = settings.putArray("rankingRules");
    List.of("words", "typo", "proximity", "attribute", "sort", "exactness", "rank:asc").forEach(rules::add);
    http.awaitTaskSucceeded(http.patch("/indexes/" + index + "/settings", settings).requireSuccess().taskUid(),
        TASK_TIMEOUT);
    long added = http.post("/indexes/" + index + "/documents", documents).requireSuccess().taskUid();
    return () -> http.awaitTaskSucceeded(added, TASK_TIMEOUT);
  }

  @Test
  void everyQueriedNumberIsTheShardOfDocumentsThatDoNotContainIt() {
    // Without this the comparisons below could not tell a searchable stamp from an unsearchable one.
    for (String number : List.of("5", "12", "3", "1", "15", "0", "7", "9", "13")) {
      int shard = Integer.parseInt(number);
      long silent = 0;
      for (JsonNode d : documents()) {
        if (ShardHash.shardOfId(d.path("id").asText(), SHARDS) == shard
            && !List.of(d.path("title").asText().split(" ")).contains(number)) {
          silent++;
        }
      }
      assertThat(silent).as("documents of shard " + number + " without the word " + number).isGreaterThan(0);
    }
  }

  @Test
  void searchesAnswerLikeOneNode() {
    for (int rf : new int[] {1, 2}) {
      Target router = rf == 1 ? rf1 : rf2;
      for (String q : QUERIES) {
        for (String extra : List.of("", ",\"limit\":200", ",\"filter\":\"genre = drama\",\"facets\":[\"genre\"]",
            ",\"attributesToHighlight\":[\"*\"],\"showMatchesPosition\":true,\"limit\":5")) {
          String body = "{\"q\":" + quoted(q) + extra + "}";
          assertSame(rf, "search " + body, router, node, "/indexes/" + index(rf) + "/search", body);
        }
      }
      JsonNode five = node.call("POST", "/indexes/" + index(rf) + "/search", "application/json",
          "{\"q\":\"5\",\"limit\":200}").json();
      assertThat(five.path("estimatedTotalHits").asInt()).as("only the documents whose text has a 5").isEqualTo(
          (int) documentsWithWord("5"));
    }
  }

  @Test
  void multiSearchFederatedSearchAndFacetSearchAnswerLikeOneNode() {
    for (int rf : new int[] {1, 2}) {
      Target router = rf == 1 ? rf1 : rf2;
      String index = index(rf);
      StringBuilder queries = new StringBuilder();
      for (String q : QUERIES) {
        queries.append(queries.isEmpty() ? "" : ",").append("{\"indexUid\":\"").append(index).append("\",\"q\":")
            .append(quoted(q)).append("}");
      }
      assertSame(rf, "multi-search", router, node, "/multi-search", "{\"queries\":[" + queries + "]}");
      assertSame(rf, "federated search", router, node, "/multi-search",
          "{\"federation\":{\"limit\":100},\"queries\":[" + queries + "]}");
      for (String q : QUERIES) {
        String body = "{\"facetName\":\"genre\",\"q\":" + quoted(q) + "}";
        assertSame(rf, "facet search " + body, router, node, "/indexes/" + index + "/facet-search", body);
      }
    }
  }

  @Test
  void theNodesHoldTheUnsearchableStampAndTheClientSeesNoStamp() {
    for (int rf : new int[] {1, 2}) {
      Target router = rf == 1 ? rf1 : rf2;
      String index = index(rf);
      for (int i = 0; i < 3; i++) {
        Target each = new Target("node-" + i, cluster.nodes.get(i).url().toString().replaceAll("/$", ""),
            RouterTestCluster.MASTER_KEY);
        assertThat(each.call("GET", "/indexes/" + index + "/settings/filterable-attributes", null, null).json())
            .map(JsonNode::asText).containsExactlyInAnyOrder("genre", "_geo._miroir_shard");
        JsonNode stored = each.call("POST", "/indexes/" + index + "/documents/fetch", "application/json",
            "{\"limit\":1}").json().path("results").get(0);
        assertThat(stored.has("_geo._miroir_shard")).as(stored.toString()).isTrue();
        assertThat(stored.has("_miroir_shard")).as(stored.toString()).isFalse();
      }
      assertSame(rf, "settings", router, node, "/indexes/" + index + "/settings", null);
      assertThat(router.call("GET", "/indexes/" + index + "/stats", null, null).json().path("fieldDistribution"))
          .isEqualTo(node.call("GET", "/indexes/" + index + "/stats", null, null).json().path("fieldDistribution"));
      String listed = router.call("GET", "/indexes/" + index + "/documents?limit=300", null, null).body();
      assertThat(listed).doesNotContain("_miroir");
      assertThat(router.call("POST", "/indexes/" + index + "/search", "application/json",
          "{\"q\":\"\",\"limit\":300,\"facets\":[\"*\"],\"attributesToRetrieve\":[\"*\",\"_geo\"]}").body())
          .doesNotContain("_miroir");
    }
  }

  @Test
  void anIndexStampedBeforeKeepsItsStampThroughWritesSettingsAndSearches() {
    // An index as routers made them before: _miroir_shard filterable on every node.
    String index = "stamped_before";
    for (int i = 0; i < 3; i++) {
      MeiliHttp direct = cluster.nodes.get(i).http();
      direct.awaitTaskSucceeded(direct.post("/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}")
          .requireSuccess().taskUid(), TASK_TIMEOUT);
      direct.awaitTaskSucceeded(direct.put("/indexes/" + index + "/settings/filterable-attributes",
          "[\"_miroir_shard\"]").requireSuccess().taskUid(), TASK_TIMEOUT);
    }
    MeiliHttp router = rf2.http();
    router.awaitTaskSucceeded(router.post("/indexes/" + index + "/documents", documents()).requireSuccess().taskUid(),
        TASK_TIMEOUT);
    router.awaitTaskSucceeded(router.put("/indexes/" + index + "/settings/filterable-attributes", "[\"genre\"]")
        .requireSuccess().taskUid(), TASK_TIMEOUT);
    for (int i = 0; i < 3; i++) {
      MeiliHttp direct = cluster.nodes.get(i).http();
      assertThat(direct.get("/indexes/" + index + "/settings/filterable-attributes").requireSuccess().body())
          .map(JsonNode::asText).containsExactlyInAnyOrder("genre", "_miroir_shard");
      for (JsonNode stored : direct.get("/indexes/" + index + "/documents?limit=300").requireSuccess().body()
          .path("results")) {
        assertThat(stored.path("_miroir_shard").asInt(-1)).as(stored.toString())
            .isEqualTo(ShardHash.shardOfId(stored.path("id").asText(), SHARDS));
        assertThat(stored.has("_geo._miroir_shard")).isFalse();
      }
    }
    // Each document once at RF 2: the shard filter names the index's own stamp.
    JsonNode all = router.post("/indexes/" + index + "/search", "{\"q\":\"\",\"limit\":300,\"facets\":[\"genre\"]}")
        .requireSuccess().body();
    assertThat(all.path("estimatedTotalHits").asInt()).isEqualTo(DOCUMENTS);
    assertThat(all.path("hits").size()).isEqualTo(DOCUMENTS);
    assertThat(all.toString()).doesNotContain("_miroir");
    assertThat(router.post("/indexes/" + index + "/documents/fetch", "{\"limit\":0}").requireSuccess().body()
        .path("total").asInt()).isEqualTo(DOCUMENTS);
    assertThat(router.get("/indexes/" + index + "/stats").requireSuccess().body().path("numberOfDocuments").asInt())
        .isEqualTo(DOCUMENTS);
  }

  private static String quoted(String text) {
    return MeiliHttp.mapper().getNodeFactory().textNode(text).toString();
  }

  private static long documentsWithWord(String word) {
    long n = 0;
    for (JsonNode d : documents()) {
      if (List.of(d.path("title").asText().split(" ")).contains(word)) {
        n++;
      }
    }
    return n;
  }

  private static void assertSame(int rf, String what, Target router, Target node, String path, String body) {
    Target.Answer routed = router.call(body == null ? "GET" : "POST", path, body == null ? null : "application/json", body);
    Target.Answer expected = node.call(body == null ? "GET" : "POST", path, body == null ? null : "application/json", body);
    assertThat(routed.status()).as("RF " + rf + " " + what + ": " + routed.body()).isEqualTo(expected.status());
    assertThat(withoutTimes(routed.json())).as("RF " + rf + " " + what).isEqualTo(withoutTimes(expected.json()));
  }

  private static JsonNode withoutTimes(JsonNode json) {
    JsonNode copy = json.deepCopy();
    strip(copy, new HashSet<>(Set.of("processingTimeMs")));
    return copy;
  }

  private static void strip(JsonNode json, Set<String> names) {
    if (json instanceof ObjectNode object) {
      object.remove(names);
      object.forEach(child -> strip(child, names));
    } else if (json instanceof ArrayNode array) {
      array.forEach(child -> strip(child, names));
    }
  }
}
