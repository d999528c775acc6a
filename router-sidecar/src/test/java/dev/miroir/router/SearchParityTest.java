package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchOptions;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.router.parity.ParityCorpus;
import dev.miroir.router.parity.ParityQueries;
import dev.miroir.router.parity.ParityQueries.Case;
import dev.miroir.router.topology.FileTopologySource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The heart of issue 4: a sharded index answers like one node holding every document. The same
 * deterministic corpus, with identical explicit settings, is loaded into one standalone node and,
 * through routers, into a 3-node cluster with RF 1 and RF 2 (two routers over the same three nodes,
 * each with its own index). Every case of {@link ParityQueries} is compared whole (hits with every
 * field, counts, facets; only {@code processingTimeMs} is ignored) with the single node's answer.
 *
 * <p>Order of the tests: exact cases on RF 1 and RF 2 with a total order ({@code seq:asc} last);
 * then the same queries without it (ties broken by each node's insertion order), measured only;
 * then the total order again with one node of the cluster stopped, on RF 2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SearchParityTest {

  static final int DOCUMENTS = 4000;
  static final int SHARDS = 16;
  static final String SINGLE_INDEX = "parity";
  static final Duration TASK_TIMEOUT = Duration.ofSeconds(120);

  static MeilisearchProcess single;
  static RouterTestCluster cluster;
  static RouterHandle rf1Router;
  static Path rf1Topology;
  static MeiliHttp singleHttp;
  static MeiliHttp rf1;
  static MeiliHttp rf2;
  static final ParityCorpus CORPUS = new ParityCorpus();
  static final List<String> SUMMARY = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    single = MeilisearchProcess.start(MeilisearchOptions.builder()
        .masterKey(RouterTestCluster.MASTER_KEY).maxIndexingThreads(1).build());
    singleHttp = single.http();
    cluster = new RouterTestCluster(3);
    cluster.startRouter(cluster.document(1, SHARDS, 2), 50_000_000);
    rf2 = new MeiliHttp(URI.create(cluster.router.url()), RouterTestCluster.MASTER_KEY);
    rf1Topology = Files.createTempFile("miroir-parity-rf1-", ".json");
    Files.writeString(rf1Topology, dev.miroir.core.topology.TopologyCodec.encode(cluster.document(1, SHARDS, 1)));
    rf1Router = RouterServer.start(RouterConfig.local(0, RouterTestCluster.MASTER_KEY,
        new FileTopologySource(rf1Topology)).withMaxPayloadBytes(50_000_000));
    rf1 = new MeiliHttp(URI.create(rf1Router.url()), RouterTestCluster.MASTER_KEY);

    ArrayNode documents = CORPUS.documents(DOCUMENTS);
    List<Runnable> waits = new ArrayList<>();
    waits.add(createAndFill(singleHttp, SINGLE_INDEX, documents));
    waits.add(createAndFill(rf1, index(1), documents));
    waits.add(createAndFill(rf2, index(2), documents));
    waits.forEach(Runnable::run);
  }

  @AfterAll
  static void stop() throws IOException {
    System.out.println("\n==== search parity summary (" + DOCUMENTS + " documents, " + SHARDS + " shards) ====");
    SUMMARY.forEach(System.out::println);
    if (rf1Router != null) {
      rf1Router.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (single != null) {
      single.close();
    }
    if (rf1Topology != null) {
      Files.deleteIfExists(rf1Topology);
    }
  }

  static String singleUrl() {
    String url = single.url().toString();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  static String index(int rf) {
    return "parity_rf" + rf;
  }

  /** Creates the index, applies the settings, sends the documents; returns a wait for it all. */
  private static Runnable createAndFill(MeiliHttp http, String index, ArrayNode documents) {
    ObjectNode create = MeiliHttp.mapper().createObjectNode().put("uid", index).put("primaryKey", "id");
    http.awaitTaskSucceeded(http.post("/indexes", create).requireSuccess().taskUid(), TASK_TIMEOUT);
    // Settings are applied before the documents arrive: the router reads the filterable attributes
    // when documents come in, and a settings task still enqueued then would be overwritten.
    http.awaitTaskSucceeded(http.patch("/indexes/" + index + "/settings", ParityCorpus.settings(true))
        .requireSuccess().taskUid(), TASK_TIMEOUT);
    long added = http.post("/indexes/" + index + "/documents", documents).requireSuccess().taskUid();
    return () -> http.awaitTaskSucceeded(added, TASK_TIMEOUT);
  }

  private static void applySettings(boolean totalOrder) {
    long a = singleHttp.patch("/indexes/" + SINGLE_INDEX + "/settings", ParityCorpus.settings(totalOrder)).requireSuccess().taskUid();
    long b = rf1.patch("/indexes/" + index(1) + "/settings", ParityCorpus.settings(totalOrder)).requireSuccess().taskUid();
    long c = rf2.patch("/indexes/" + index(2) + "/settings", ParityCorpus.settings(totalOrder)).requireSuccess().taskUid();
    singleHttp.awaitTaskSucceeded(a, TASK_TIMEOUT);
    rf1.awaitTaskSucceeded(b, TASK_TIMEOUT);
    rf2.awaitTaskSucceeded(c, TASK_TIMEOUT);
  }

  @Test
  @Order(1)
  void rf1AnswersLikeOneNode() {
    assertExactParity("RF1", rf1Router.url(), 1);
  }

  @Test
  @Order(2)
  void rf2AnswersLikeOneNode() {
    assertExactParity("RF2", cluster.router.url(), 2);
  }

  @Test
  @Order(3)
  void rf2ListsEveryDocumentOnceInAStableOrder() {
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    for (int offset = 0; offset < DOCUMENTS + 500; offset += 700) {
      Raw page = Raw.send("GET", cluster.router.url() + "/indexes/" + index(2) + "/documents?offset=" + offset
          + "&limit=700&fields=id,seq", null, Map.of());
      assertThat(page.status()).as(page.text()).isEqualTo(200);
      assertThat(page.body().path("total").asInt()).isEqualTo(DOCUMENTS);
      assertThat(page.text()).doesNotContain("_miroir");
      page.body().path("results").forEach(d -> {
        assertThat(seen.add(d.path("id").asText())).as("duplicate " + d).isTrue();
        order.add(d.path("id").asText());
      });
    }
    assertThat(seen).hasSize(DOCUMENTS);
    Raw again = Raw.send("POST", cluster.router.url() + "/indexes/" + index(2) + "/documents/fetch",
        "{\"offset\":1000,\"limit\":50,\"fields\":[\"id\"]}", Map.of());
    List<String> ids = new ArrayList<>();
    again.body().path("results").forEach(d -> ids.add(d.path("id").asText()));
    assertThat(ids).isEqualTo(order.subList(1000, 1050));

    Raw sorted = Raw.send("POST", cluster.router.url() + "/indexes/" + index(2) + "/documents/fetch",
        "{\"offset\":10,\"limit\":30,\"fields\":[\"id\"],\"sort\":[\"price:desc\",\"seq:asc\"],\"filter\":\"genre = drama\"}", Map.of());
    // The single node is asked from offset 0 and sliced here: Meilisearch 1.21 itself starts a
    // sorted document page with an offset one document early (its offset 10 begins with its own
    // document 9 of the same listing from offset 0).
    Raw fromStart = Raw.send("POST", singleUrl() + "/indexes/" + SINGLE_INDEX + "/documents/fetch",
        "{\"offset\":0,\"limit\":40,\"fields\":[\"id\"],\"sort\":[\"price:desc\",\"seq:asc\"],\"filter\":\"genre = drama\"}", Map.of());
    ObjectNode expectedPage = MeiliHttp.mapper().createObjectNode();
    ArrayNode expectedResults = expectedPage.putArray("results");
    for (int i = 10; i < 40; i++) {
      expectedResults.add(fromStart.body().path("results").get(i));
    }
    expectedPage.put("offset", 10).put("limit", 30).put("total", fromStart.body().path("total").asInt());
    assertThat(sorted.status()).as(sorted.text()).isEqualTo(200);
    assertThat(sorted.body()).isEqualTo(expectedPage);

    Raw one = Raw.send("GET", cluster.router.url() + "/indexes/" + index(2) + "/documents/doc-7", null, Map.of());
    Raw oneExpected = Raw.send("GET", singleUrl() + "/indexes/" + SINGLE_INDEX + "/documents/doc-7", null, Map.of());
    assertThat(one.body()).isEqualTo(oneExpected.body());
  }

  @Test
  @Order(4)
  void getSearchAndFacetSearchMatchOneNode() {
    String w = CORPUS.word(5);
    String query = "?q=" + w + "&sort=_geoPoint(48.8566,2.3522):asc,price:desc&facets=genre,year&limit=7"
        + "&filter=" + java.net.URLEncoder.encode("year > 1990", java.nio.charset.StandardCharsets.UTF_8);
    Raw routed = Raw.send("GET", cluster.router.url() + "/indexes/" + index(2) + "/search" + query, null, Map.of());
    Raw expected = Raw.send("GET", singleUrl() + "/indexes/" + SINGLE_INDEX + "/search" + query, null, Map.of());
    assertThat(routed.status()).as(routed.text()).isEqualTo(200);
    assertThat(comparable(routed.body(), 2)).isEqualTo(comparable(expected.body(), 0));

    String facet = "{\"facetName\":\"tags\",\"facetQuery\":\"" + CORPUS.tags().get(3).substring(0, 2) + "\"}";
    Raw facets = Raw.send("POST", cluster.router.url() + "/indexes/" + index(2) + "/facet-search", facet, Map.of());
    Raw facetsExpected = Raw.send("POST", singleUrl() + "/indexes/" + SINGLE_INDEX + "/facet-search", facet, Map.of());
    assertThat(facets.status()).as(facets.text()).isEqualTo(200);
    assertThat(comparable(facets.body(), 2)).isEqualTo(comparable(facetsExpected.body(), 0));

    Raw wildcardFacets = Raw.send("POST", cluster.router.url() + "/indexes/" + index(2) + "/search",
        "{\"facets\":[\"*\"],\"attributesToRetrieve\":[\"*\"],\"limit\":3}", Map.of());
    assertThat(wildcardFacets.text()).doesNotContain("_miroir");
    Raw badFilter = Raw.send("POST", cluster.router.url() + "/indexes/" + index(2) + "/search",
        "{\"filter\":\"nope = 1\"}", Map.of());
    assertThat(badFilter.status()).isEqualTo(400);
    assertThat(badFilter.text()).contains("invalid_search_filter").doesNotContain("_miroir");
  }

  @Test
  @Order(5)
  void withoutTotalOrderTiesAreMeasured() {
    applySettings(false);
    try {
      for (int rf : new int[] {1, 2}) {
        String url = rf == 1 ? rf1Router.url() : cluster.router.url();
        List<Case> expectedCases = ParityQueries.all(CORPUS, SINGLE_INDEX);
        List<Case> routedCases = ParityQueries.all(CORPUS, index(rf));
        int identical = 0;
        double positions = 0;
        double overlap = 0;
        for (int i = 0; i < expectedCases.size(); i++) {
          JsonNode expected = run(singleUrl(), SINGLE_INDEX, expectedCases.get(i)).body();
          JsonNode routed = run(url, index(rf), routedCases.get(i)).body();
          if (comparable(routed, rf).equals(comparable(expected, 0))) {
            identical++;
          }
          List<String> a = topIds(expected);
          List<String> b = topIds(routed);
          positions += samePositions(a, b);
          overlap += overlap(a, b);
        }
        int n = expectedCases.size();
        SUMMARY.add(String.format("RF%d without total order (ties by insertion order): %d/%d identical answers,"
            + " %.1f%% identical top-20 positions, %.1f%% top-20 overlap", rf, identical, n,
            100 * positions / n, 100 * overlap / n));
      }
    } finally {
      applySettings(true);
    }
  }

  @Test
  @Order(6)
  void rf2WithOneNodeDownAnswersLikeOneNodeWithoutMissingShards() {
    cluster.nodes.get(0).stop();
    assertExactParity("RF2, node-0 down", cluster.router.url(), 2);
  }

  private void assertExactParity(String label, String routerUrl, int rf) {
    List<Case> expectedCases = ParityQueries.all(CORPUS, SINGLE_INDEX);
    List<Case> routedCases = ParityQueries.all(CORPUS, index(rf));
    assertThat(expectedCases).hasSizeGreaterThanOrEqualTo(60);
    SoftAssertions soft = new SoftAssertions();
    int exactCases = 0;
    int equal = 0;
    List<String> approximate = new ArrayList<>();
    SUMMARY.add("---- " + label + " ----");
    for (int i = 0; i < expectedCases.size(); i++) {
      Case expectedCase = expectedCases.get(i);
      Raw expected = run(singleUrl(), SINGLE_INDEX, expectedCase);
      Raw routed = run(routerUrl, index(rf), routedCases.get(i));
      soft.assertThat(routed.status()).as(label + " " + expectedCase + ": " + routed.text()).isEqualTo(expected.status());
      soft.assertThat(routed.text()).as(label + " " + expectedCase).doesNotContain("_miroir");
      soft.assertThat(routed.header(MISSING_SHARDS)).as(label + " " + expectedCase + " missing shards").isNull();
      for (List<String> ids : idsPerResult(routed.body())) {
        soft.assertThat(new HashSet<>(ids)).as(label + " " + expectedCase + " duplicate hits").hasSize(ids.size());
      }
      JsonNode a = comparable(expected.body(), 0);
      JsonNode b = comparable(routed.body(), rf);
      boolean same = a.equals(b);
      String notes = same ? "" : differences(a, b);
      if (expectedCase.exact()) {
        exactCases++;
        equal += same ? 1 : 0;
        soft.assertThat(b).as(label + " " + expectedCase + ": " + notes).isEqualTo(a);
      } else {
        List<String> x = topIds(expected.body());
        List<String> y = topIds(routed.body());
        approximate.add(String.format("%s: identical=%s, %.0f%% identical positions, overlap@20 %.0f%%",
            expectedCase.name(), same, 100 * samePositions(x, y), 100 * overlap(x, y)));
      }
      SUMMARY.add(String.format("%-18s | %-50s | %-5s | %s", label, expectedCase.name(),
          same ? "equal" : "DIFF", expectedCase.exact() ? notes : "(approximate) " + notes));
    }
    SUMMARY.add(String.format("%s: %d/%d exact cases equal", label, equal, exactCases));
    approximate.forEach(line -> SUMMARY.add(label + " approximate " + line));
    soft.assertAll();
  }

  /** The router's partial-result header. */
  static final String MISSING_SHARDS = "X-Miroir-Missing-Shards";

  private static Raw run(String baseUrl, String index, Case c) {
    String path = c.route().equals("search") ? "/indexes/" + index + "/search" : "/multi-search";
    return Raw.send("POST", baseUrl + path, c.body().toString(), Map.of());
  }

  /**
   * The answer without what legitimately differs: {@code processingTimeMs}, and the index name
   * (each router has its own index on the shared nodes).
   */
  static JsonNode comparable(JsonNode body, int rf) {
    try {
      String text = body.toString();
      if (rf > 0) {
        text = text.replace("\"" + index(rf) + "\"", "\"" + SINGLE_INDEX + "\"");
      }
      JsonNode copy = MeiliHttp.mapper().readTree(text);
      removeProcessingTime(copy);
      return copy;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void removeProcessingTime(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("processingTimeMs");
      object.forEach(SearchParityTest::removeProcessingTime);
    } else if (node.isArray()) {
      node.forEach(SearchParityTest::removeProcessingTime);
    }
  }

  /** Which parts differ, for the summary table. */
  private static String differences(JsonNode a, JsonNode b) {
    List<String> parts = new ArrayList<>();
    if (!allIds(a).equals(allIds(b))) {
      List<String> x = allIds(a);
      List<String> y = allIds(b);
      parts.add(String.format("ids differ (%.0f%% same positions)", 100 * samePositions(x, y)));
    } else if (!hitsOf(a).equals(hitsOf(b))) {
      for (int i = 0; i < hitsOf(a).size(); i++) {
        if (!hitsOf(a).get(i).equals(hitsOf(b).get(i))) {
          parts.add("hit " + i + " differs: " + hitsOf(a).get(i) + " vs " + hitsOf(b).get(i));
          break;
        }
      }
    }
    Set<String> fields = new java.util.LinkedHashSet<>();
    a.fieldNames().forEachRemaining(fields::add);
    b.fieldNames().forEachRemaining(fields::add);
    for (String field : fields) {
      if (!field.equals("hits") && !field.equals("results") && !java.util.Objects.equals(a.get(field), b.get(field))) {
        parts.add(field + ": " + abbreviate(a.get(field)) + " vs " + abbreviate(b.get(field)));
      }
    }
    if (a.has("results") && !a.get("results").equals(b.get("results"))) {
      for (int i = 0; i < a.get("results").size(); i++) {
        if (!a.get("results").get(i).equals(b.path("results").get(i))) {
          parts.add("results[" + i + "]: " + differences(a.get("results").get(i), b.path("results").path(i)));
        }
      }
    }
    List<String> ka = new ArrayList<>();
    a.fieldNames().forEachRemaining(ka::add);
    List<String> kb = new ArrayList<>();
    b.fieldNames().forEachRemaining(kb::add);
    if (!ka.equals(kb)) {
      parts.add("field order " + ka + " vs " + kb);
    }
    return String.join("; ", parts);
  }

  private static String abbreviate(JsonNode node) {
    String text = String.valueOf(node);
    return text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }

  private static JsonNode hitsOf(JsonNode body) {
    return body.path("hits");
  }

  /** Hit ids of a search, of every result of a multi-search, or of a federated search. */
  static List<String> allIds(JsonNode body) {
    List<String> ids = new ArrayList<>();
    if (body.has("results")) {
      for (JsonNode result : body.get("results")) {
        result.path("hits").forEach(h -> ids.add(h.path("id").asText()));
        ids.add("|");
      }
    } else {
      body.path("hits").forEach(h -> ids.add(h.path("id").asText()));
    }
    return ids;
  }

  /** Hit ids per result list (one for a search), hits without an id left out. */
  static List<List<String>> idsPerResult(JsonNode body) {
    List<List<String>> out = new ArrayList<>();
    for (JsonNode result : body.has("results") ? body.get("results") : List.of(body)) {
      List<String> ids = new ArrayList<>();
      result.path("hits").forEach(h -> {
        if (h.has("id")) {
          ids.add(h.get("id").asText());
        }
      });
      out.add(ids);
    }
    return out;
  }

  static List<String> topIds(JsonNode body) {
    List<String> ids = allIds(body);
    return ids.subList(0, Math.min(20, ids.size()));
  }

  static double samePositions(List<String> a, List<String> b) {
    int n = Math.max(a.size(), b.size());
    if (n == 0) {
      return 1;
    }
    int same = 0;
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      same += a.get(i).equals(b.get(i)) ? 1 : 0;
    }
    return (double) same / n;
  }

  static double overlap(List<String> a, List<String> b) {
    int n = Math.max(a.size(), b.size());
    if (n == 0) {
      return 1;
    }
    Set<String> common = new HashSet<>(a);
    common.retainAll(new HashSet<>(b));
    return (double) common.size() / n;
  }

  /** A raw HTTP exchange, with headers, authenticated with the master key. */
  record Raw(int status, Map<String, String> headers, String text) {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    static Raw send(String method, String url, String json, Map<String, String> headers) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + RouterTestCluster.MASTER_KEY);
      headers.forEach(b::header);
      if (json == null) {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
      }
      try {
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, String> h = new LinkedHashMap<>();
        r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        return new Raw(r.statusCode(), h, r.body());
      } catch (IOException e) {
        throw new IllegalStateException(method + " " + url, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    JsonNode body() {
      try {
        return text.isEmpty() ? MeiliHttp.mapper().createObjectNode() : MeiliHttp.mapper().readTree(text);
      } catch (IOException e) {
        throw new IllegalStateException(text, e);
      }
    }

    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }
}
