package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.router.RawHttp.Request;
import dev.miroir.router.RawHttp.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #9's auth matrix: every kind of credential against every route family, on a router over
 * three nodes and on one node with the same keys (created with the same uids, so with the same
 * values). Whatever a node refuses with 401 or 403 the router refuses with the same status and code,
 * and whatever a node lets through the router does not refuse for the credential's sake.
 */
class AuthMatrixTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String MASTER = RouterTestCluster.MASTER_KEY;

  static RouterTestCluster cluster;
  static MeilisearchNodes single;
  static URI router;
  static URI node;
  static final Map<String, String> CREDENTIALS = new LinkedHashMap<>();
  static long routerBooksTask;
  static long routerMoviesTask;

  @BeforeAll
  static void start() throws Exception {
    cluster = new RouterTestCluster(3);
    cluster.startRouter(cluster.document(1, 16, 2), 100_000_000);
    single = MeilisearchNodes.start(1, (i, b) -> b.masterKey(MASTER).maxIndexingThreads(1));
    router = URI.create(cluster.router.url());
    node = single.get(0).url();
    MeiliHttp routerApi = new MeiliHttp(router, MASTER);
    MeiliHttp nodeApi = new MeiliHttp(node, MASTER);
    Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
    keys.put("11111111-0000-4000-8000-000000000001", Map.of("actions", List.of("search"), "indexes", List.of("*")));
    keys.put("11111111-0000-4000-8000-000000000002", Map.of("actions", List.of("*"), "indexes", List.of("movies*")));
    keys.put("11111111-0000-4000-8000-000000000003", Map.of("actions", List.of("documents.get", "tasks.get"),
        "indexes", List.of("*")));
    keys.put("11111111-0000-4000-8000-000000000004", Map.of("actions", List.of("*"), "indexes", List.of("*"),
        "expiresAt", Instant.now().plusSeconds(4).toString()));
    keys.put("11111111-0000-4000-8000-000000000005", Map.of("actions", List.of("*.get", "keys.get"),
        "indexes", List.of("*")));
    keys.put("11111111-0000-4000-8000-000000000006", Map.of("actions", List.of("search", "documents.*", "tasks.*"),
        "indexes", List.of("books")));
    // Each node makes its own default keys (random uids, so other values): clients use keys made
    // through the router, with one uid everywhere; this one is the admin key's equal.
    keys.put("11111111-0000-4000-8000-000000000007", Map.of("actions", List.of("*"), "indexes", List.of("*")));
    Map<String, String> values = new LinkedHashMap<>();
    for (var k : keys.entrySet()) {
      Map<String, Object> body = new LinkedHashMap<>(k.getValue());
      body.put("uid", k.getKey());
      body.putIfAbsent("expiresAt", null);
      JsonNode viaRouter = routerApi.post("/keys", body).requireSuccess().body();
      JsonNode direct = nodeApi.post("/keys", body).requireSuccess().body();
      assertThat(viaRouter.path("key").asText()).isEqualTo(direct.path("key").asText());
      values.put(k.getKey(), viaRouter.path("key").asText());
    }
    for (MeiliHttp api : List.of(routerApi, nodeApi)) {
      api.awaitTaskSucceeded(api.post("/indexes", Map.of("uid", "movies", "primaryKey", "id")).taskUid(), WAIT);
      api.awaitTaskSucceeded(api.post("/indexes/movies/documents", List.of(
          Map.of("id", 1, "title", "Carol", "genre", "drama"), Map.of("id", 2, "title", "Heat", "genre", "action")))
          .taskUid(), WAIT);
      api.awaitTaskSucceeded(api.patch("/indexes/movies/settings", Map.of("filterableAttributes", List.of("genre")))
          .taskUid(), WAIT);
      long books = api.post("/indexes", Map.of("uid", "books", "primaryKey", "isbn")).taskUid();
      api.awaitTaskSucceeded(books, WAIT);
      if (api == routerApi) {
        routerBooksTask = books;
      }
    }
    routerMoviesTask = 0;
    String searchKey = values.get("11111111-0000-4000-8000-000000000001");
    String moviesAdmin = values.get("11111111-0000-4000-8000-000000000002");
    CREDENTIALS.put("none", null);
    CREDENTIALS.put("basic scheme", "Basic " + Base64.getEncoder().encodeToString("a:b".getBytes()));
    CREDENTIALS.put("bearer without token", "Bearer");
    CREDENTIALS.put("wrong key", "Bearer not-a-key-at-all");
    CREDENTIALS.put("expired key", "Bearer " + values.get("11111111-0000-4000-8000-000000000004"));
    CREDENTIALS.put("search-only key", "Bearer " + searchKey);
    CREDENTIALS.put("index-scoped key (movies*)", "Bearer " + moviesAdmin);
    CREDENTIALS.put("action-scoped key (documents.get, tasks.get)", "Bearer "
        + values.get("11111111-0000-4000-8000-000000000003"));
    CREDENTIALS.put("read-only admin key", "Bearer " + values.get("11111111-0000-4000-8000-000000000005"));
    CREDENTIALS.put("books key", "Bearer " + values.get("11111111-0000-4000-8000-000000000006"));
    CREDENTIALS.put("admin key", "Bearer " + values.get("11111111-0000-4000-8000-000000000007"));
    CREDENTIALS.put("master key", "Bearer " + MASTER);
    String searchUid = "11111111-0000-4000-8000-000000000001";
    CREDENTIALS.put("tenant token", "Bearer " + jwt(searchKey, "{\"apiKeyUid\":\"" + searchUid
        + "\",\"searchRules\":[\"movies\"]}"));
    CREDENTIALS.put("tenant token with filter", "Bearer " + jwt(searchKey, "{\"apiKeyUid\":\"" + searchUid
        + "\",\"searchRules\":{\"movies\":{\"filter\":\"genre = drama\"}}}"));
    CREDENTIALS.put("tenant token for books", "Bearer " + jwt(searchKey, "{\"apiKeyUid\":\"" + searchUid
        + "\",\"searchRules\":[\"books\"]}"));
    CREDENTIALS.put("expired tenant token", "Bearer " + jwt(searchKey, "{\"apiKeyUid\":\"" + searchUid
        + "\",\"searchRules\":[\"*\"],\"exp\":" + (Instant.now().getEpochSecond() - 60) + "}"));
    CREDENTIALS.put("tenant token, wrong signature", "Bearer " + jwt("not-the-key", "{\"apiKeyUid\":\"" + searchUid
        + "\",\"searchRules\":[\"*\"]}"));
    CREDENTIALS.put("tenant token of a key that cannot search", "Bearer " + jwt(
        values.get("11111111-0000-4000-8000-000000000003"),
        "{\"apiKeyUid\":\"11111111-0000-4000-8000-000000000003\",\"searchRules\":[\"*\"]}"));
    CREDENTIALS.put("tenant token of an unknown key", "Bearer " + jwt(searchKey,
        "{\"apiKeyUid\":\"11111111-0000-4000-8000-0000000000ff\",\"searchRules\":[\"*\"]}"));
    // Let the short-lived key expire before the matrix runs.
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), Instant.parse(
        keys.get("11111111-0000-4000-8000-000000000004").get("expiresAt").toString())).toMillis() + 1500));
  }

  @AfterAll
  static void stop() {
    if (single != null) {
      single.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static String jwt(String secret, String claims) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return signingInput + "." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  /** One request per route family; writes aim at things that fail after authentication, or at a throwaway index. */
  static List<Request> routes() {
    List<Request> r = new ArrayList<>();
    r.add(Request.of("GET", "/version"));
    r.add(Request.of("GET", "/stats"));
    r.add(Request.of("GET", "/indexes"));
    r.add(Request.of("GET", "/indexes/movies"));
    r.add(Request.of("GET", "/indexes/books"));
    r.add(Request.of("POST", "/indexes").json("{\"primaryKey\":\"no-uid\"}"));
    r.add(Request.of("PATCH", "/indexes/movies").json("{\"primaryKey\":3}"));
    r.add(Request.of("DELETE", "/indexes/does-not-exist"));
    r.add(Request.of("GET", "/indexes/movies/stats"));
    r.add(Request.of("GET", "/indexes/movies/search?q=carol"));
    r.add(Request.of("POST", "/indexes/movies/search").json("{\"q\":\"carol\"}"));
    r.add(Request.of("POST", "/indexes/books/search").json("{}"));
    r.add(Request.of("POST", "/multi-search").json("{\"queries\":[{\"indexUid\":\"movies\"}]}"));
    r.add(Request.of("POST", "/multi-search").json("{\"queries\":[{\"indexUid\":\"books\"}]}"));
    r.add(Request.of("POST", "/indexes/movies/facet-search").json("{\"facetName\":\"genre\"}"));
    r.add(Request.of("GET", "/indexes/movies/similar?id=1"));
    r.add(Request.of("GET", "/indexes/movies/documents"));
    r.add(Request.of("GET", "/indexes/movies/documents/1"));
    r.add(Request.of("POST", "/indexes/movies/documents/fetch").json("{\"limit\":1}"));
    r.add(Request.of("POST", "/indexes/movies/documents").json("[{\"id\":\"bad id\"}]"));
    r.add(Request.of("PUT", "/indexes/movies/documents").header("Content-Type", "text/plain").body("x"));
    r.add(Request.of("DELETE", "/indexes/movies/documents/999999"));
    r.add(Request.of("POST", "/indexes/movies/documents/delete-batch").json("[999998]"));
    r.add(Request.of("POST", "/indexes/movies/documents/delete").json("{\"filter\":\"genre = nothing\"}"));
    r.add(Request.of("POST", "/indexes/movies/documents/edit").json("{\"function\":\"doc\"}"));
    r.add(Request.of("DELETE", "/indexes/books/documents"));
    r.add(Request.of("GET", "/indexes/movies/settings"));
    r.add(Request.of("GET", "/indexes/movies/settings/filterable-attributes"));
    r.add(Request.of("PATCH", "/indexes/movies/settings").json("{\"rankingRules\":3}"));
    r.add(Request.of("PUT", "/indexes/movies/settings/sortable-attributes").json("\"x\""));
    r.add(Request.of("DELETE", "/indexes/books/settings/stop-words"));
    r.add(Request.of("POST", "/swap-indexes").json("[{\"indexes\":[\"movies\"]}]"));
    r.add(Request.of("GET", "/tasks"));
    r.add(Request.of("GET", "/tasks?indexUids=books"));
    r.add(Request.of("GET", "/tasks/0"));
    r.add(Request.of("POST", "/tasks/cancel?uids=999999"));
    r.add(Request.of("DELETE", "/tasks?uids=999999"));
    r.add(Request.of("GET", "/batches"));
    r.add(Request.of("GET", "/keys"));
    r.add(Request.of("GET", "/keys/11111111-0000-4000-8000-000000000001"));
    r.add(Request.of("POST", "/keys").json("{\"actions\":[\"fly\"]}"));
    r.add(Request.of("PATCH", "/keys/11111111-0000-4000-8000-0000000000aa").json("{\"name\":\"n\"}"));
    r.add(Request.of("DELETE", "/keys/11111111-0000-4000-8000-0000000000aa"));
    r.add(Request.of("GET", "/experimental-features"));
    r.add(Request.of("PATCH", "/experimental-features").json("{\"nope\":true}"));
    r.add(Request.of("GET", "/health"));
    return r;
  }

  @Test
  void noRequestANodeRefusesIsServedByTheRouter() {
    int requests = 0;
    int sameStatus = 0;
    List<String> servedButRefused = new ArrayList<>();
    List<String> refusedButServed = new ArrayList<>();
    List<String> otherDifferences = new ArrayList<>();
    for (var credential : CREDENTIALS.entrySet()) {
      for (Request route : routes()) {
        Request request = route.header("Authorization", credential.getValue());
        Response viaRouter = RawHttp.send(router, request);
        Response viaNode = RawHttp.send(node, request);
        requests++;
        String what = credential.getKey() + " " + route.method() + " " + route.target() + ": router "
            + viaRouter.status() + " " + viaRouter.code() + " / node " + viaNode.status() + " " + viaNode.code();
        boolean nodeRefused = viaNode.status() == 401 || viaNode.status() == 403;
        boolean routerRefused = viaRouter.status() == 401 || viaRouter.status() == 403;
        if (viaRouter.status() == viaNode.status()) {
          sameStatus++;
        }
        if (nodeRefused && (viaRouter.status() != viaNode.status() || !viaRouter.code().equals(viaNode.code()))) {
          servedButRefused.add(what);
        } else if (!nodeRefused && routerRefused) {
          refusedButServed.add(what);
        } else if (viaRouter.status() != viaNode.status()) {
          otherDifferences.add(what);
        }
      }
    }
    System.out.printf("auth matrix: %d credentials x %d routes = %d requests, %d with the same status%n",
        CREDENTIALS.size(), routes().size(), requests, sameStatus);
    otherDifferences.forEach(d -> System.out.println("  differs after authentication: " + d));
    assertThat(CREDENTIALS).hasSizeGreaterThanOrEqualTo(12);
    assertThat(servedButRefused).as("requests a node refuses that the router did not refuse alike").isEmpty();
    assertThat(refusedButServed).as("requests the router refused for their credential that a node accepts").isEmpty();
  }

  @Test
  void tasksOfIndexesAKeyCannotSeeAreNotShown() {
    String booksOnly = CREDENTIALS.get("books key").substring("Bearer ".length());
    MeiliHttp scoped = new MeiliHttp(router, CREDENTIALS.get("index-scoped key (movies*)").substring(7));
    JsonNode list = scoped.get("/tasks?limit=1000").requireSuccess().body();
    assertThat(list.path("results").size()).isPositive();
    list.path("results").forEach(t -> assertThat(t.path("indexUid").asText()).startsWith("movies"));
    MeiliHttp.Response hidden = scoped.get("/tasks/" + routerBooksTask);
    assertThat(hidden.status()).isEqualTo(404);
    assertThat(hidden.body().path("code").asText()).isEqualTo("task_not_found");
    JsonNode own = new MeiliHttp(router, booksOnly).get("/tasks/" + routerBooksTask).requireSuccess().body();
    assertThat(own.path("indexUid").asText()).isEqualTo("books");
  }

  @Test
  void tenantTokenSearchRulesFilterHitsAsOnANode() {
    Request search = Request.of("POST", "/indexes/movies/search").json("{}")
        .header("Authorization", CREDENTIALS.get("tenant token with filter"));
    Response viaRouter = RawHttp.send(router, search);
    Response viaNode = RawHttp.send(node, search);
    assertThat(viaRouter.status()).isEqualTo(200);
    assertThat(viaRouter.json().path("hits").size()).isEqualTo(viaNode.json().path("hits").size()).isEqualTo(1);
    assertThat(viaRouter.json().path("hits").get(0).path("genre").asText()).isEqualTo("drama");
  }

  @Test
  void routerOnlyRoutesNeedTheMasterKey() {
    for (String path : List.of("/_miroir/topology", "/metrics")) {
      assertThat(RawHttp.send(router, Request.of("GET", path)).status()).isEqualTo(401);
      assertThat(RawHttp.send(router, Request.of("GET", path).header("Authorization",
          CREDENTIALS.get("admin key"))).status()).as("admin key on %s", path).isEqualTo(403);
      assertThat(RawHttp.send(router, Request.of("GET", path).header("Authorization",
          CREDENTIALS.get("master key"))).status()).isEqualTo(200);
    }
  }
}
