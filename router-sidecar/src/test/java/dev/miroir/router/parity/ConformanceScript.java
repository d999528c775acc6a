package dev.miroir.router.parity;

import com.meilisearch.sdk.FacetSearchRequest;
import com.meilisearch.sdk.IndexSearchRequest;
import com.meilisearch.sdk.MultiSearchRequest;
import com.meilisearch.sdk.SearchRequest;
import com.meilisearch.sdk.TenantTokenOptions;
import com.meilisearch.sdk.model.DocumentsQuery;
import com.meilisearch.sdk.model.Settings;
import com.meilisearch.sdk.model.TaskInfo;
import dev.miroir.router.parity.Conformance.SdkCall;
import dev.miroir.router.parity.Conformance.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scripted calls of the conformance harness, in order, covering every route of the Meilisearch
 * 1.21 API reference. Writes are followed by their task (the runner waits for it on both sides and
 * compares it too), so later reads see the same state on both sides.
 */
public final class ConformanceScript {

  private static final String JSON = "application/json";
  private final List<Step> steps = new ArrayList<>();
  private final Map<String, Integer> seen = new HashMap<>();

  static {
    String tie = Conformance.TIE_ORDER + " (paged: the equally ranked documents on the page differ)";
    Conformance.LISTED.put(java.util.regex.Pattern.compile("GET /indexes/[^ ]+/documents\\?[^ ]*offset=.*"), tie);
    Conformance.LISTED.put(java.util.regex.Pattern.compile("sdk (getDocuments|search|search key can search|search facets paging|multiSearch)"),
        Conformance.TIE_ORDER + " (through the SDK, which cannot show ranking scores here)");
    Conformance.LISTED.put(java.util.regex.Pattern.compile("POST /indexes/movies/documents \\{\"id\":1,"),
        "malformed payload: the detail inside malformed_payload is the router parser's wording");
    Conformance.LISTED.put(java.util.regex.Pattern.compile("POST /indexes/csv/documents id,name\n5,a,b\n"),
        "malformed payload: the detail inside malformed_payload is the router parser's wording");
    Conformance.LISTED.put(java.util.regex.Pattern.compile("POST /indexes/vecs/search \\{\"q\":\"item\",\"vector\".*"),
        "hybrid search: a node that answers for a few shards has too few keyword hits for Meilisearch's"
            + " 'keyword results good enough' shortcut and runs the semantic half (docs/compatibility.md)");
    Conformance.EXACT.add(ExactNeighbours::judge);
    Conformance.LISTED.put(java.util.regex.Pattern.compile(".*\"matchingStrategy\":\"frequency\".*"),
        "matchingStrategy frequency counts word frequencies per node (stable per query, not equal to one node's)");
  }

  public static List<Step> steps() {
    ConformanceScript s = new ConformanceScript();
    s.build();
    return s.steps;
  }

  private void call(String method, String path, String contentType, String body) {
    String name = method + " " + path + (body == null ? "" : " " + abbreviate(body));
    int n = seen.merge(name, 1, Integer::sum);
    steps.add(new Step(n == 1 ? name : name + " #" + n, method, path, contentType, body, null));
  }

  private void get(String path) {
    call("GET", path, null, null);
  }

  private void post(String path, String body) {
    call("POST", path, body == null ? null : JSON, body);
  }

  private void put(String path, String body) {
    call("PUT", path, JSON, body);
  }

  private void patch(String path, String body) {
    call("PATCH", path, JSON, body);
  }

  private void delete(String path) {
    call("DELETE", path, null, null);
  }

  private void sdk(String name, SdkCall call) {
    steps.add(new Step("sdk " + name, null, null, null, null, call));
  }

  private static String abbreviate(String body) {
    return body.length() > 70 ? body.substring(0, 70) + "…" : body;
  }

  static String movies() {
    String[] genres = {"drama", "comedy", "horror", "action", "romance"};
    String[] words = {"night", "river", "storm", "garden", "winter", "shadow", "light", "train", "city", "ocean", "dream",
        "fire", "silent", "golden", "broken", "last"};
    String[] countries = {"fr", "us", "jp", "it"};
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < 40; i++) {
      if (i > 0) {
        out.append(',');
      }
      String id = i % 3 == 0 ? "\"m-" + i + "\"" : Integer.toString(i);
      String title = words[i % words.length] + " " + words[(i * 7 + 3) % words.length] + (i % 5 == 0 ? " of the "
          + words[(i * 3 + 1) % words.length] : "");
      out.append("{\"id\":").append(id).append(",\"title\":\"").append(title).append("\",\"overview\":\"a ")
          .append(words[(i * 5) % words.length]).append(" story about the ").append(words[(i * 11 + 2) % words.length])
          .append(" and the ").append(words[(i * 13 + 5) % words.length]).append("\",\"genre\":\"")
          .append(genres[i % genres.length]).append("\",\"year\":").append(1960 + (i * 37) % 60)
          .append(",\"rating\":").append((i * 17) % 10).append('.').append(i % 10)
          .append(",\"tags\":[\"").append(words[i % 7]).append("\",\"").append(words[(i + 3) % 9]).append("\"]")
          .append(",\"director\":{\"name\":\"d").append(i % 6).append("\",\"country\":\"")
          .append(countries[i % countries.length]).append("\"}")
          .append(",\"_geo\":{\"lat\":").append(40 + (i % 10)).append('.').append(i).append(",\"lng\":")
          .append(-3 + (i % 7)).append('.').append(i * 2).append("}}");
    }
    return out.append(']').toString();
  }

  private void build() {
    // ---- instance ------------------------------------------------------------------------------
    get("/health");
    get("/version");
    get("/experimental-features");
    get("/indexes");
    get("/keys");
    get("/tasks?limit=0");
    get("/nope");
    call("PUT", "/health", null, null);
    get("/indexes/missing");
    get("/indexes/missing/documents");
    post("/indexes/missing/search", "{\"q\":\"x\"}");
    call("GET", "/stats", null, null);

    // ---- indexes ---------------------------------------------------------------------------------
    post("/indexes", "{\"uid\":\"movies\",\"primaryKey\":\"id\"}");
    post("/indexes", "{\"uid\":\"movies\"}");
    post("/indexes", "{\"uid\":\"bad uid\"}");
    post("/indexes", "{\"primaryKey\":\"id\"}");
    post("/indexes", "{\"uid\":\"scratch\"}");
    get("/indexes/movies");
    get("/indexes?limit=1");
    get("/indexes?offset=1&limit=5");
    get("/indexes?limit=abc");
    patch("/indexes/scratch", "{\"primaryKey\":\"key\"}");
    get("/indexes/scratch");
    patch("/indexes/scratch", "{\"uid\":\"scratch_renamed\"}");
    get("/indexes/scratch_renamed");
    post("/indexes", "{\"uid\":\"swap_a\",\"primaryKey\":\"id\"}");
    post("/indexes", "{\"uid\":\"swap_b\",\"primaryKey\":\"sku\"}");
    post("/swap-indexes", "[{\"indexes\":[\"swap_a\",\"swap_b\"]}]");
    get("/indexes/swap_a");
    post("/swap-indexes", "[{\"indexes\":[\"swap_a\",\"nope\"]}]");
    delete("/indexes/swap_b");
    delete("/indexes/nope");

    // ---- settings: the whole object and every sub-route -----------------------------------------
    patch("/indexes/movies/settings", "{\"filterableAttributes\":[\"genre\",\"year\",\"rating\",\"tags\",\"director.country\","
        + "\"_geo\"],\"sortableAttributes\":[\"year\",\"rating\",\"_geo\",\"title\"]}");
    get("/indexes/movies/settings");
    String[][] subRoutes = {
        {"displayed-attributes", "PUT", "[\"id\",\"title\",\"genre\",\"year\",\"rating\",\"overview\",\"tags\",\"director\",\"_geo\"]"},
        {"searchable-attributes", "PUT", "[\"title\",\"overview\",\"tags\",\"director.name\"]"},
        {"ranking-rules", "PUT", "[\"words\",\"typo\",\"proximity\",\"attribute\",\"sort\",\"exactness\",\"rating:desc\"]"},
        {"stop-words", "PUT", "[\"the\",\"a\"]"},
        {"synonyms", "PUT", "{\"film\":[\"movie\"],\"storm\":[\"tempest\"]}"},
        {"distinct-attribute", "PUT", "\"title\""},
        {"typo-tolerance", "PATCH", "{\"minWordSizeForTypos\":{\"oneTypo\":4,\"twoTypos\":8}}"},
        {"faceting", "PATCH", "{\"maxValuesPerFacet\":50,\"sortFacetValuesBy\":{\"*\":\"count\"}}"},
        {"pagination", "PATCH", "{\"maxTotalHits\":500}"},
        {"proximity-precision", "PUT", "\"byAttribute\""},
        {"separator-tokens", "PUT", "[\"|\"]"},
        {"non-separator-tokens", "PUT", "[\"@\"]"},
        {"dictionary", "PUT", "[\"J. R. R.\"]"},
        {"search-cutoff-ms", "PUT", "150"},
        {"localized-attributes", "PUT", "[{\"attributePatterns\":[\"title\"],\"locales\":[\"eng\"]}]"},
        {"facet-search", "PUT", "false"},
        {"prefix-search", "PUT", "\"disabled\""},
        {"embedders", "PATCH", "{\"manual\":{\"source\":\"userProvided\",\"dimensions\":3}}"},
        {"chat", "PATCH", "{\"description\":\"movies\"}"},
        {"filterable-attributes", "PUT", "[\"genre\",\"year\"]"},
        {"sortable-attributes", "PUT", "[\"year\"]"},
    };
    for (String[] r : subRoutes) {
      String path = "/indexes/scratch_renamed/settings/" + r[0];
      get(path);
      call(r[1], path, JSON, r[2]);
      get(path);
      delete(path);
      get(path);
    }
    put("/indexes/scratch_renamed/settings/ranking-rules", "[\"nope\"]");
    put("/indexes/scratch_renamed/settings/displayed-attributes", "{\"x\":1}");
    patch("/indexes/scratch_renamed/settings", "{\"unknownSetting\":1}");
    get("/indexes/scratch_renamed/settings/unknown-setting");
    delete("/indexes/scratch_renamed/settings");
    get("/indexes/scratch_renamed/settings");

    // ---- documents in every format ---------------------------------------------------------------
    post("/indexes/movies/documents", movies());
    get("/indexes/movies/stats");
    get("/indexes/movies/documents?limit=5&offset=3&fields=id,title");
    get("/indexes/movies/documents?filter=genre%20%3D%20drama&limit=50&fields=id");
    get("/indexes/movies/documents/m-3");
    get("/indexes/movies/documents/7?fields=title,year");
    get("/indexes/movies/documents/nope");
    post("/indexes/movies/documents/fetch", "{\"filter\":\"year > 2000\",\"fields\":[\"id\",\"year\"],\"limit\":100}");
    post("/indexes/movies/documents/fetch", "{\"ids\":[\"m-3\",7,11],\"fields\":[\"id\"]}");
    post("/indexes/movies/documents/fetch", "{\"filter\":\"nope = 1\"}");
    post("/indexes/movies/documents/fetch", "{\"limit\":-1}");
    put("/indexes/movies/documents", "[{\"id\":7,\"title\":\"night river rewritten\"},{\"id\":\"m-3\",\"rating\":9.9}]");
    get("/indexes/movies/documents/7");
    post("/indexes/movies/documents", "[{\"id\":\"bad id!\",\"title\":\"x\"}]");
    post("/indexes/movies/documents", "[{\"title\":\"no id\"}]");
    post("/indexes/movies/documents", "[{\"id\":100,\"_geo\":{\"lat\":\"north\",\"lng\":2}}]");
    post("/indexes/movies/documents", "{\"id\":1,");
    call("POST", "/indexes/movies/documents", "text/plain", "[]");
    call("POST", "/indexes/movies/documents", null, "[]");
    call("POST", "/indexes/ndjson/documents", "application/x-ndjson",
        "{\"id\":1,\"name\":\"one\"}\n{\"id\":2,\"name\":\"two\"}\n{\"id\":3,\"name\":\"three\"}\n");
    get("/indexes/ndjson/documents?limit=10");
    call("POST", "/indexes/csv/documents", "text/csv", "id,name,price:number,ok:boolean\n1,apple,1.5,true\n2,pear,,false\n3,\"fig, dried\",3,true\n");
    get("/indexes/csv/documents/3");
    call("PUT", "/indexes/csv/documents?csvDelimiter=%3B", "text/csv", "id;name\n2;pear updated\n4;plum\n");
    get("/indexes/csv/documents?limit=10");
    call("POST", "/indexes/csv/documents", "text/csv", "id,name\n5,a,b\n");
    call("POST", "/indexes/csv/documents?csvDelimiter=ab", "text/csv", "id\n1\n");
    post("/indexes/nested/documents?primaryKey=ref.code", "[{\"ref\":{\"code\":\"a1\"},\"v\":1},{\"ref\":{\"code\":\"a2\"},\"v\":2}]");
    get("/indexes/nested/documents/a2");
    get("/indexes/nested");
    post("/indexes/inferred/documents", "[{\"sku\":\"x-1\",\"v\":1},{\"sku\":\"x-2\",\"v\":2}]");
    get("/indexes/inferred");
    post("/indexes/noinfer/documents", "[{\"v\":1}]");
    get("/indexes/noinfer");
    post("/indexes/twoinfer/documents", "[{\"aid\":1,\"bid\":2}]");
    delete("/indexes/ndjson/documents/2");
    post("/indexes/ndjson/documents/delete-batch", "[1,3,99]");
    get("/indexes/ndjson/stats");
    post("/indexes/csv/documents/delete", "{\"filter\":\"name = plum\"}");
    patch("/indexes/csv/settings", "{\"filterableAttributes\":[\"name\"]}");
    post("/indexes/csv/documents/delete", "{\"filter\":\"name = plum\"}");
    post("/indexes/csv/documents/delete", "{\"filter\":\"unknown = 1\"}");
    post("/indexes/csv/documents/delete", "{}");
    delete("/indexes/csv/documents");
    get("/indexes/csv/stats");

    // ---- search in all its parameters --------------------------------------------------------------
    String[] searches = {
        "{\"q\":\"night\"}",
        "{\"q\":\"storm\",\"limit\":3,\"offset\":2}",
        "{\"q\":\"\",\"page\":2,\"hitsPerPage\":7}",
        "{\"q\":\"river\",\"filter\":\"genre = drama\"}",
        "{\"filter\":[[\"genre = drama\",\"genre = comedy\"],\"year > 1990\"]}",
        "{\"q\":\"the\",\"facets\":[\"genre\",\"rating\"]}",
        "{\"facets\":[\"*\"],\"limit\":0}",
        "{\"q\":\"light\",\"attributesToRetrieve\":[\"title\",\"year\"]}",
        "{\"q\":\"story\",\"attributesToCrop\":[\"overview\"],\"cropLength\":3,\"cropMarker\":\"~\"}",
        "{\"q\":\"garden\",\"attributesToHighlight\":[\"title\"],\"highlightPreTag\":\"[\",\"highlightPostTag\":\"]\"}",
        "{\"q\":\"city train\",\"showMatchesPosition\":true}",
        "{\"sort\":[\"year:desc\",\"rating:asc\"],\"limit\":10}",
        "{\"sort\":[\"_geoPoint(45.0,1.0):asc\"],\"limit\":5}",
        "{\"filter\":\"_geoRadius(45.0, 1.0, 300000)\",\"limit\":50,\"attributesToRetrieve\":[\"id\"]}",
        "{\"filter\":\"_geoBoundingBox([50, 5], [40, -3])\",\"limit\":50,\"attributesToRetrieve\":[\"id\"]}",
        "{\"q\":\"night river\",\"matchingStrategy\":\"all\"}",
        "{\"q\":\"night river\",\"matchingStrategy\":\"last\"}",
        "{\"q\":\"night river storm\",\"matchingStrategy\":\"frequency\"}",
        "{\"q\":\"shadow\",\"showRankingScore\":true}",
        "{\"q\":\"shadow light\",\"showRankingScoreDetails\":true}",
        "{\"q\":\"shadow light\",\"rankingScoreThreshold\":0.5}",
        "{\"q\":\"fr\",\"attributesToSearchOn\":[\"director.country\"]}",
        "{\"q\":\"story\",\"distinct\":\"genre\"}",
        "{\"q\":\"story\",\"locales\":[\"eng\"]}",
        "{\"q\":\"nigth\"}",
        "{\"q\":\"\\\"silent night\\\"\"}",
        "{\"q\":\"-night river\"}",
        "{\"filter\":\"tags IN [night, storm] AND rating >= 5\",\"sort\":[\"rating:desc\"]}",
        "{\"filter\":\"director.country = fr\",\"facets\":[\"director.country\"]}",
        "{\"filter\":\"year 1990 TO 2000\",\"limit\":100,\"attributesToRetrieve\":[\"id\"]}",
        "{\"filter\":\"genre EXISTS\",\"limit\":0}",
        "{\"filter\":\"unknown = 1\"}",
        "{\"sort\":[\"overview:asc\"]}",
        "{\"q\":1}",
        "{\"limit\":-1}",
        "{\"unknownParam\":true}",
        "{\"facets\":[\"overview\"]}",
        "{\"q\":\"x\",\"hybrid\":{\"embedder\":\"nope\"}}",
        "{\"q\":\"night\",\"retrieveVectors\":true,\"limit\":2}",
    };
    for (String body : searches) {
      post("/indexes/movies/search", body);
    }
    get("/indexes/movies/search?q=night&limit=3&attributesToRetrieve=title");
    get("/indexes/movies/search?filter=genre%20%3D%20comedy&sort=year:asc&facets=genre");
    get("/indexes/movies/search?limit=abc");
    post("/indexes/movies/facet-search", "{\"facetName\":\"genre\"}");
    post("/indexes/movies/facet-search", "{\"facetName\":\"genre\",\"facetQuery\":\"dra\"}");
    post("/indexes/movies/facet-search", "{\"facetName\":\"tags\",\"q\":\"night\",\"filter\":\"year > 1980\"}");
    post("/indexes/movies/facet-search", "{\"facetName\":\"overview\"}");
    post("/indexes/movies/facet-search", "{\"facetQuery\":\"x\"}");

    // ---- multi-search and federation ---------------------------------------------------------------
    post("/multi-search", "{\"queries\":[{\"indexUid\":\"movies\",\"q\":\"night\",\"limit\":3},"
        + "{\"indexUid\":\"nested\",\"q\":\"\"},{\"indexUid\":\"movies\",\"filter\":\"genre = horror\",\"facets\":[\"year\"]}]}");
    post("/multi-search", "{\"federation\":{\"limit\":5},\"queries\":[{\"indexUid\":\"movies\",\"q\":\"storm\"},"
        + "{\"indexUid\":\"movies\",\"q\":\"river\",\"federationOptions\":{\"weight\":2.0}}]}");
    post("/multi-search", "{\"federation\":{\"offset\":2,\"limit\":3,\"facetsByIndex\":{\"movies\":[\"genre\"]}},"
        + "\"queries\":[{\"indexUid\":\"movies\",\"q\":\"light\"},{\"indexUid\":\"inferred\",\"q\":\"\"}]}");
    post("/multi-search", "{\"federation\":{\"facetsByIndex\":{\"movies\":[\"genre\"],\"nested\":[]},\"mergeFacets\":{}},"
        + "\"queries\":[{\"indexUid\":\"movies\",\"q\":\"\"},{\"indexUid\":\"nested\",\"q\":\"\"}]}");
    post("/multi-search", "{\"queries\":[{\"indexUid\":\"movies\",\"q\":\"x\"},{\"indexUid\":\"nope\",\"q\":\"x\"}]}");
    post("/multi-search", "{\"queries\":[{\"q\":\"x\"}]}");
    post("/multi-search", "{\"federation\":{},\"queries\":[{\"indexUid\":\"movies\",\"q\":\"x\",\"limit\":2}]}");

    // ---- vectors: similar and hybrid with a user-provided embedder -----------------------------------
    patch("/indexes/vecs/settings", "{\"embedders\":{\"manual\":{\"source\":\"userProvided\",\"dimensions\":3}},"
        + "\"filterableAttributes\":[\"kind\"]}");
    StringBuilder vecs = new StringBuilder("[");
    for (int i = 0; i < 24; i++) {
      vecs.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"kind\":\"k").append(i % 3)
          .append("\",\"name\":\"item ").append(i).append("\",\"_vectors\":{\"manual\":[")
          .append(Math.cos(i)).append(',').append(Math.sin(i)).append(',').append(i / 24.0).append("]}}");
    }
    post("/indexes/vecs/documents", vecs.append(']').toString());
    post("/indexes/vecs/documents", "[{\"id\":99,\"_vectors\":{\"manual\":[1,2]}}]");
    post("/indexes/vecs/search", "{\"vector\":[1,0,0.5],\"hybrid\":{\"embedder\":\"manual\",\"semanticRatio\":1.0},\"limit\":5}");
    post("/indexes/vecs/search", "{\"q\":\"item\",\"vector\":[0,1,0.2],\"hybrid\":{\"embedder\":\"manual\",\"semanticRatio\":0.5},"
        + "\"limit\":6,\"showRankingScore\":true}");
    post("/indexes/vecs/search", "{\"vector\":[1,0],\"hybrid\":{\"embedder\":\"manual\"}}");
    post("/indexes/vecs/similar", "{\"id\":3,\"embedder\":\"manual\",\"limit\":4}");
    post("/indexes/vecs/similar", "{\"id\":5,\"embedder\":\"manual\",\"filter\":\"kind = k1\",\"showRankingScore\":true}");
    get("/indexes/vecs/similar?id=7&embedder=manual&limit=3");
    post("/indexes/vecs/similar", "{\"id\":404,\"embedder\":\"manual\"}");
    post("/indexes/vecs/similar", "{\"id\":3}");
    get("/indexes/vecs/documents/4?retrieveVectors=true");

    // ---- experimental features ------------------------------------------------------------------------
    patch("/experimental-features", "{\"containsFilter\":true,\"editDocumentsByFunction\":true}");
    get("/experimental-features");
    post("/indexes/movies/search", "{\"filter\":\"genre CONTAINS ram\",\"limit\":50,\"attributesToRetrieve\":[\"id\"]}");
    post("/indexes/nested/documents/edit", "{\"function\":\"doc.v = doc.v * 10\"}");
    get("/indexes/nested/documents/a1");
    patch("/experimental-features", "{\"nope\":true}");
    patch("/experimental-features", "{\"containsFilter\":false,\"editDocumentsByFunction\":false}");

    // ---- keys and tenant tokens -------------------------------------------------------------------------
    get("/keys?limit=2");
    get("/keys/{searchKeyUid}");
    post("/keys", "{\"uid\":\"3b3a2bb2-6c9d-4b8e-a3a6-9e8fbb0e1a01\",\"name\":\"reader\",\"actions\":[\"search\",\"documents.get\"],"
        + "\"indexes\":[\"movies\"],\"expiresAt\":null}");
    get("/keys/3b3a2bb2-6c9d-4b8e-a3a6-9e8fbb0e1a01");
    patch("/keys/3b3a2bb2-6c9d-4b8e-a3a6-9e8fbb0e1a01", "{\"name\":\"reader2\",\"description\":\"d\"}");
    patch("/keys/3b3a2bb2-6c9d-4b8e-a3a6-9e8fbb0e1a01", "{\"actions\":[\"*\"]}");
    post("/keys", "{\"actions\":[\"nope\"],\"indexes\":[\"*\"],\"expiresAt\":null}");
    post("/keys", "{\"actions\":[\"search\"],\"indexes\":[\"*\"],\"expiresAt\":\"2000-01-01T00:00:00Z\"}");
    delete("/keys/3b3a2bb2-6c9d-4b8e-a3a6-9e8fbb0e1a01");
    get("/keys/3b3a2bb2-6c9d-4b8e-a3a6-9e8fbb0e1a01");
    delete("/keys/nope");
    sdk("tenant token search", (c, v) -> {
      String token = c.generateTenantToken(v.get("searchKeyUid"),
          Map.of("movies", Map.of("filter", "genre = drama")), new TenantTokenOptions().setApiKey(v.get("searchKey")));
      v.put("token", token);
      return new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(clientUrl(c), token)).index("movies")
          .rawSearch(new SearchRequest("").setLimit(50).setAttributesToRetrieve(new String[] {"id", "genre"}));
    });
    sdk("tenant token refused outside its rules", (c, v) ->
        new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(clientUrl(c), v.get("token"))).index("nested")
            .rawSearch(new SearchRequest("")));
    sdk("search key cannot write", (c, v) ->
        new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(clientUrl(c), v.get("searchKey"))).index("movies")
            .addDocuments("[{\"id\":\"k-1\"}]"));
    sdk("search key can search", (c, v) ->
        new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(clientUrl(c), v.get("searchKey"))).index("movies")
            .rawSearch(new SearchRequest("night").setLimit(3)));
    sdk("read-only admin key reads settings", (c, v) ->
        new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(clientUrl(c), v.get("readonlyKey"))).index("movies")
            .getSettings());
    sdk("admin key from GET /keys writes", (c, v) -> {
      com.meilisearch.sdk.Client admin = new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(clientUrl(c),
          v.get("adminKey")));
      TaskInfo t = admin.index("sdk_admin").addDocuments("[{\"id\":1,\"x\":\"a\"},{\"id\":2,\"x\":\"b\"}]", "id");
      admin.waitForTask(t.getTaskUid());
      return admin.index("sdk_admin").getRawDocuments();
    });

    // ---- the official Java SDK -------------------------------------------------------------------------
    sdk("getVersion", (c, v) -> c.getVersion());
    sdk("health", (c, v) -> c.health());
    sdk("getRawIndexes", (c, v) -> c.getRawIndexes());
    sdk("createIndex and wait", (c, v) -> {
      TaskInfo t = c.createIndex("sdk_books", "isbn");
      c.waitForTask(t.getTaskUid());
      return c.getTask(t.getTaskUid()).getStatus();
    });
    sdk("updateSettings", (c, v) -> {
      TaskInfo t = c.index("sdk_books").updateSettings(new Settings().setFilterableAttributes(new String[] {"author"})
          .setSortableAttributes(new String[] {"year"}));
      c.waitForTask(t.getTaskUid());
      return c.index("sdk_books").getSettings();
    });
    sdk("addDocuments", (c, v) -> {
      StringBuilder books = new StringBuilder("[");
      for (int i = 0; i < 30; i++) {
        books.append(i == 0 ? "" : ",").append("{\"isbn\":\"b").append(i).append("\",\"title\":\"book ").append(i)
            .append(i % 2 == 0 ? " winter" : " summer").append("\",\"author\":\"a").append(i % 4).append("\",\"year\":")
            .append(1990 + i).append('}');
      }
      TaskInfo t = c.index("sdk_books").addDocuments(books.append(']').toString());
      c.waitForTask(t.getTaskUid());
      return c.getTask(t.getTaskUid()).getDetails();
    });
    sdk("search", (c, v) -> c.index("sdk_books").rawSearch(new SearchRequest("winter").setLimit(5)));
    sdk("search filter sort", (c, v) -> c.index("sdk_books").rawSearch(new SearchRequest("book")
        .setFilter(new String[] {"author = a1"}).setSort(new String[] {"year:desc"})));
    sdk("search facets paging", (c, v) -> c.index("sdk_books").rawSearch(new SearchRequest("")
        .setFacets(new String[] {"author"}).setPage(2).setHitsPerPage(4)));
    sdk("facetSearch", (c, v) -> c.index("sdk_books").rawFacetSearch(new FacetSearchRequest("author")
        .setFacetQuery("a")));
    sdk("multiSearch", (c, v) -> c.multiSearch(new MultiSearchRequest()
        .addQuery(new IndexSearchRequest("sdk_books").setQuery("summer").setLimit(3))
        .addQuery(new IndexSearchRequest("movies").setQuery("night").setLimit(3))));
    sdk("getDocuments", (c, v) -> c.index("sdk_books").getRawDocuments(new DocumentsQuery().setLimit(5).setOffset(10)));
    sdk("getDocument", (c, v) -> c.index("sdk_books").getRawDocument("b7"));
    sdk("updateDocuments", (c, v) -> {
      TaskInfo t = c.index("sdk_books").updateDocuments("[{\"isbn\":\"b7\",\"title\":\"book seven\"}]");
      c.waitForTask(t.getTaskUid());
      return c.index("sdk_books").getRawDocument("b7");
    });
    sdk("deleteDocument", (c, v) -> {
      TaskInfo t = c.index("sdk_books").deleteDocument("b8");
      c.waitForTask(t.getTaskUid());
      return c.getTask(t.getTaskUid()).getDetails();
    });
    sdk("deleteDocuments", (c, v) -> {
      TaskInfo t = c.index("sdk_books").deleteDocuments(List.of("b1", "b2", "nope"));
      c.waitForTask(t.getTaskUid());
      return c.getTask(t.getTaskUid()).getDetails();
    });
    sdk("deleteDocumentsByFilter", (c, v) -> {
      TaskInfo t = c.index("sdk_books").deleteDocumentsByFilter("author = a3");
      c.waitForTask(t.getTaskUid());
      return c.getTask(t.getTaskUid()).getDetails();
    });
    sdk("getStats", (c, v) -> c.index("sdk_books").getStats().getNumberOfDocuments());
    sdk("getTasks", (c, v) -> c.getTasks(new com.meilisearch.sdk.model.TasksQuery()
        .setIndexUids(new String[] {"sdk_books"})).getResults().length);
    sdk("getKeys", (c, v) -> c.getKeys().getResults().length);
    sdk("index not found", (c, v) -> c.getIndex("sdk_nope"));
    sdk("deleteIndex", (c, v) -> {
      TaskInfo t = c.deleteIndex("sdk_admin");
      c.waitForTask(t.getTaskUid());
      return c.getTask(t.getTaskUid()).getStatus();
    });

    // ---- tasks and batches --------------------------------------------------------------------------------
    get("/tasks?indexUids=movies");
    get("/tasks?indexUids=movies,csv&statuses=failed");
    get("/tasks?types=settingsUpdate&limit=3");
    get("/tasks?types=documentAdditionOrUpdate&indexUids=csv&reverse=true");
    get("/tasks?statuses=succeeded&indexUids=ndjson");
    get("/tasks?afterEnqueuedAt=2000-01-01&indexUids=nested");
    get("/tasks?beforeEnqueuedAt=2000-01-01");
    get("/tasks?beforeFinishedAt=2000-01-01T00:00:00Z");
    get("/tasks?canceledBy=0");
    get("/tasks?limit=abc");
    get("/tasks?statuses=nope");
    get("/tasks?from=-1");
    get("/tasks?unknown=1");
    get("/tasks/{task}");
    get("/tasks/abc");
    get("/tasks/999999999");
    post("/tasks/cancel", null);
    post("/tasks/cancel?statuses=enqueued&indexUids=nope", null);
    post("/tasks/cancel?limit=2", null);
    delete("/tasks?indexUids=ndjson&statuses=succeeded");
    get("/tasks?indexUids=ndjson");
    delete("/tasks");
    get("/batches?limit=3");
    get("/batches?limit=abc");
    get("/batches/abc");
    get("/batches/999999999");
    get("/batches?indexUids=nested&reverse=true");

    // ---- stats, dumps, snapshots, webhooks, chats, network ---------------------------------------------
    get("/stats");
    get("/indexes/movies/stats");
    post("/dumps", null);
    post("/snapshots", null);
    get("/webhooks");
    post("/webhooks", "{\"url\":\"http://127.0.0.1:9/hook\",\"headers\":{\"x-a\":\"b\"}}");
    post("/webhooks", "{\"nope\":1}");
    get("/chats");
    get("/chats/ws/settings");
    patch("/chats/ws/settings", "{\"source\":\"openAi\"}");
    get("/network");
    patch("/network", "{\"self\":\"x\"}");
    get("/indexes/movies/documents?limit=3&fields=nope");
    delete("/indexes/movies");
    get("/indexes/movies");
  }

  /** The URL an SDK client talks to (for a second client with another key). */
  private static String clientUrl(com.meilisearch.sdk.Client client) throws Exception {
    java.lang.reflect.Field f = com.meilisearch.sdk.Client.class.getDeclaredField("config");
    f.setAccessible(true);
    return ((com.meilisearch.sdk.Config) f.get(client)).getHostUrl();
  }
}
