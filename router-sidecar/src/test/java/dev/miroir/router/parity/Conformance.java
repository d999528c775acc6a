package dev.miroir.router.parity;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.router.parity.Target.Answer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A differential conformance run: the same scripted calls against one real node and against a router
 * over real nodes, each answer compared after normalising what differs by nature between any two
 * Meilisearch instances (task and batch uids, dates, durations, key values, dump names).
 *
 * <p>Verdicts: <b>identical</b> (same status and same normalised body), <b>listed</b> (differs only in
 * a way {@link #LISTED} names, each documented in docs/compatibility.md), <b>different</b> (anything
 * else: a parity bug).
 */
public final class Conformance {

  /** A call through the official Java SDK: returns what it got (serialised for comparison). */
  public interface SdkCall {
    Object run(com.meilisearch.sdk.Client client, Map<String, String> vars) throws Exception;
  }

  public record Step(String name, String method, String path, String contentType, String body, SdkCall sdk) {}

  public record Outcome(String name, String verdict, String reason, String node, String router) {}

  /**
   * Differences that are by design, per call name pattern, each with the reason documented in
   * docs/compatibility.md ("Conformance harness: listed differences").
   */
  public static final Map<Pattern, String> LISTED = new LinkedHashMap<>();

  /**
   * Differences the node's own approximation explains, accepted only when the router's answer is
   * provably the exact one (computed by the test): unlike a name pattern, a wrong router answer to
   * such a call still counts as different.
   */
  public interface ExactAnswer {
    /** The reason to list the difference when {@code routerAnswer} is the exact answer to {@code step}; else null. */
    String judge(Step step, JsonNode routerAnswer);
  }

  public static final List<ExactAnswer> EXACT = new ArrayList<>();

  /** Fields whose values differ between any two instances; compared only for presence and null-ness. */
  static final Set<String> INSTANCE_FIELDS = Set.of("enqueuedAt", "startedAt", "finishedAt", "createdAt", "updatedAt",
      "duration", "processingTimeMs", "lastUpdate", "dumpUid", "taskUid", "batchUid", "canceledBy", "from", "next",
      "key");

  /** Sizes on disk: a router sums its nodes' (divided by RF), never a single node's figure. */
  static final Set<String> SIZE_FIELDS = Set.of("databaseSize", "usedDatabaseSize", "rawDocumentDbSize",
      "avgDocumentSize");

  /** A node's internal batch figures (timings per step, strategy, write-channel congestion). */
  static final Set<String> BATCH_INTERNALS = Set.of("progressTrace", "batchStrategy", "writeChannelCongestion",
      "internalDatabaseSizes", "progress");

  private static final ObjectMapper SDK_JSON = new ObjectMapper()
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
      .setVisibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final Target node;
  private final Target router;
  private final Map<String, String> nodeVars = new HashMap<>();
  private final Map<String, String> routerVars = new HashMap<>();
  private final com.meilisearch.sdk.Client nodeClient;
  private final com.meilisearch.sdk.Client routerClient;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  public final List<Outcome> outcomes = new ArrayList<>();

  public Conformance(Target node, Target router) {
    this.node = node;
    this.router = router;
    this.nodeClient = new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(node.url, node.masterKey));
    this.routerClient = new com.meilisearch.sdk.Client(new com.meilisearch.sdk.Config(router.url, router.masterKey));
    for (Target t : List.of(node, router)) {
      Map<String, String> vars = t == node ? nodeVars : routerVars;
      for (JsonNode key : t.call("GET", "/keys", null, null).json().path("results")) {
        String role = switch (key.path("name").asText()) {
          case "Default Search API Key" -> "search";
          case "Default Admin API Key" -> "admin";
          case "Default Read-Only Admin API Key" -> "readonly";
          case "Default Chat API Key" -> "chat";
          default -> null;
        };
        if (role != null) {
          vars.put(role + "Key", key.path("key").asText());
          vars.put(role + "KeyUid", key.path("uid").asText());
        }
      }
    }
  }

  public void run(List<Step> steps) {
    try {
      for (Step step : steps) {
        if (step.sdk() != null) {
          runSdk(step);
        } else {
          runHttp(step);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void runHttp(Step step) {
    CompletableFuture<Answer> a = CompletableFuture.supplyAsync(() -> send(node, nodeVars, step), pool);
    CompletableFuture<Answer> b = CompletableFuture.supplyAsync(() -> send(router, routerVars, step), pool);
    Answer x = a.join();
    Answer y = b.join();
    compare(step.name(), x.status(), x.json(), x.body(), y.status(), y.json(), y.body(), step);
    if ((x.status() == 202 || x.status() == 200) && x.status() == y.status() && x.json().path("taskUid").canConvertToLong()
        && y.json().path("taskUid").canConvertToLong()) {
      long nt = x.json().path("taskUid").asLong();
      long rt = y.json().path("taskUid").asLong();
      nodeVars.put("task", Long.toString(nt));
      routerVars.put("task", Long.toString(rt));
      CompletableFuture<JsonNode> ta = CompletableFuture.supplyAsync(() -> node.awaitTask(nt), pool);
      CompletableFuture<JsonNode> tb = CompletableFuture.supplyAsync(() -> router.awaitTask(rt), pool);
      JsonNode tx = ta.join();
      JsonNode ty = tb.join();
      compare(step.name() + " -> task", 200, tx, tx.toString(), 200, ty, ty.toString(), null);
    }
  }

  private static Answer send(Target t, Map<String, String> vars, Step step) {
    try {
      return call(t, vars, step);
    } catch (RuntimeException e) {
      throw new IllegalStateException("step `" + step.name() + "` (" + step.method() + " " + step.path() + "): " + e, e);
    }
  }

  private static Answer call(Target t, Map<String, String> vars, Step step) {
    return t.call(step.method(), substitute(step.path(), vars), step.contentType(),
        step.body() == null ? null : substitute(step.body(), vars));
  }

  static String substitute(String text, Map<String, String> vars) {
    String out = text;
    for (Map.Entry<String, String> v : vars.entrySet()) {
      out = out.replace("{" + v.getKey() + "}", v.getValue());
    }
    return out;
  }

  private void runSdk(Step step) {
    CompletableFuture<JsonNode> a = CompletableFuture.supplyAsync(() -> sdk(step.sdk(), nodeClient, nodeVars), pool);
    CompletableFuture<JsonNode> b = CompletableFuture.supplyAsync(() -> sdk(step.sdk(), routerClient, routerVars), pool);
    JsonNode x = a.join();
    JsonNode y = b.join();
    compare(step.name(), 0, x, x.toString(), 0, y, y.toString(), null);
  }

  private static JsonNode sdk(SdkCall call, com.meilisearch.sdk.Client client, Map<String, String> vars) {
    try {
      Object result = call.run(client, vars);
      if (result == null) {
        return JsonNodeFactory.instance.nullNode();
      }
      if (result instanceof String s) {
        try {
          return MeiliHttp.mapper().readTree(s);
        } catch (Exception notJson) {
          return TextNode.valueOf(s);
        }
      }
      return SDK_JSON.valueToTree(result);
    } catch (com.meilisearch.sdk.exceptions.MeilisearchApiException e) {
      ObjectNode error = JsonNodeFactory.instance.objectNode();
      error.put("sdkError", e.getCode());
      error.put("message", e.getMessage());
      return error;
    } catch (Exception e) {
      ObjectNode error = JsonNodeFactory.instance.objectNode();
      error.put("sdkException", e.getClass().getSimpleName());
      error.put("message", String.valueOf(e.getMessage()));
      return error;
    }
  }

  private void compare(String name, int sx, JsonNode x, String bx, int sy, JsonNode y, String by, Step step) {
    JsonNode nx = normalise(x, false);
    JsonNode ny = normalise(y, false);
    String shownX = sx + " " + abbreviate(bx);
    String shownY = sy + " " + abbreviate(by);
    boolean bodiesEqual = x.isMissingNode() && y.isMissingNode() ? bx.equals(by) : nx.equals(ny);
    if (sx == sy && bodiesEqual) {
      outcomes.add(new Outcome(name, "identical", null, shownX, shownY));
      return;
    }
    if (sx == sy && normalise(x, true).equals(normalise(y, true))) {
      outcomes.add(new Outcome(name, "listed", "sizes on disk and a node's internal batch figures", shownX, shownY));
      return;
    }
    if (sx == sy && unordered(normalise(x, true)).equals(unordered(normalise(y, true)))) {
      outcomes.add(new Outcome(name, "listed", TIE_ORDER, shownX, shownY));
      return;
    }
    if (sx == sy && sx == 200 && step != null && step.method() != null && sameRanking(step)) {
      outcomes.add(new Outcome(name, "listed", TIE_ORDER + " (ranking scores equal position by position)", shownX,
          shownY));
      return;
    }
    if (sx == sy && sx == 200 && step != null && step.method() != null) {
      for (ExactAnswer exact : EXACT) {
        String reason = exact.judge(step, y);
        if (reason != null) {
          outcomes.add(new Outcome(name, "listed", reason, shownX, shownY));
          return;
        }
      }
    }
    for (Map.Entry<Pattern, String> listed : LISTED.entrySet()) {
      if (listed.getKey().matcher(name).matches()) {
        outcomes.add(new Outcome(name, "listed", listed.getValue(), shownX, shownY));
        return;
      }
    }
    outcomes.add(new Outcome(name, "different", "first difference at " + firstDifference(normalise(x, true),
        normalise(y, true), "$"), shownX, shownY));
  }

  /** The JSON path of the first place two values differ, with both values there. */
  static String firstDifference(JsonNode x, JsonNode y, String path) {
    if (x.equals(y)) {
      return null;
    }
    if (x instanceof ObjectNode a && y instanceof ObjectNode b) {
      java.util.Set<String> names = new java.util.LinkedHashSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        String d = firstDifference(a.path(n), b.path(n), path + "." + n);
        if (d != null) {
          return d;
        }
      }
    }
    if (x instanceof ArrayNode a && y instanceof ArrayNode b && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        String d = firstDifference(a.get(i), b.get(i), path + "[" + i + "]");
        if (d != null) {
          return d;
        }
      }
    }
    String xs = x.toString();
    String ys = y.toString();
    return path + ": node " + (xs.length() > 200 ? xs.substring(0, 200) + "…" : xs) + " / router "
        + (ys.length() > 200 ? ys.substring(0, 200) + "…" : ys);
  }

  static final String TIE_ORDER = "order of equally ranked hits and of document listings";

  /** Arrays of hits and documents as multisets. */
  static JsonNode unordered(JsonNode value) {
    JsonNode copy = value.deepCopy();
    sortArrays(copy);
    return copy;
  }

  private static void sortArrays(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String field : names) {
        JsonNode v = o.get(field);
        sortArrays(v);
        if ((field.equals("hits") || field.equals("results")) && v instanceof ArrayNode a) {
          List<String> items = new ArrayList<>();
          a.forEach(e -> items.add(e.toString()));
          items.sort(null);
          ArrayNode sorted = JsonNodeFactory.instance.arrayNode();
          for (String item : items) {
            try {
              sorted.add(MeiliHttp.mapper().readTree(item));
            } catch (Exception e) {
              sorted.add(item);
            }
          }
          o.set(field, sorted);
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(Conformance::sortArrays);
    }
  }

  /**
   * A search that differs only by the order of hits of equal rank: asked again on both sides with
   * ranking scores shown, the score of every position is the same (and so is everything but the hits).
   */
  private boolean sameRanking(Step step) {
    if (step.method().equals("GET") && step.path().contains("/search?")) {
      String probe = step.path() + "&showRankingScore=true";
      JsonNode x = node.call("GET", probe, null, null).json();
      JsonNode y = router.call("GET", probe, null, null).json();
      return scores(x).equals(scores(y)) && normalise(withoutHits(x), true).equals(normalise(withoutHits(y), true));
    }
    if (!step.method().equals("POST") || (!step.path().endsWith("/search") && !step.path().equals("/multi-search"))) {
      return false;
    }
    try {
      ObjectNode body = (ObjectNode) MeiliHttp.mapper().readTree(step.body());
      if (body.has("queries")) {
        body.get("queries").forEach(q -> ((ObjectNode) q).put("showRankingScore", true));
      } else {
        body.put("showRankingScore", true);
      }
      JsonNode x = node.call("POST", step.path(), "application/json", body.toString()).json();
      JsonNode y = router.call("POST", step.path(), "application/json", body.toString()).json();
      return scores(x).equals(scores(y)) && normalise(withoutHits(x), true).equals(normalise(withoutHits(y), true));
    } catch (Exception e) {
      return false;
    }
  }

  private static List<String> scores(JsonNode answer) {
    List<String> out = new ArrayList<>();
    List<JsonNode> lists = answer.has("results") ? new ArrayList<>() : List.of(answer.path("hits"));
    answer.path("results").forEach(r -> lists.add(r.path("hits")));
    for (JsonNode hits : lists) {
      for (JsonNode hit : hits) {
        JsonNode score = hit.has("_rankingScore") ? hit.get("_rankingScore")
            : hit.path("_federation").path("weightedRankingScore");
        out.add(score.asText());
      }
      out.add("|");
    }
    return out;
  }

  private static JsonNode withoutHits(JsonNode answer) {
    JsonNode copy = answer.deepCopy();
    if (copy instanceof ObjectNode o) {
      o.remove("hits");
      o.path("results").forEach(r -> ((ObjectNode) r).remove("hits"));
    }
    return copy;
  }

  private static String abbreviate(String body) {
    return body.length() > 1500 ? body.substring(0, 1500) + "…" : body;
  }

  /** Instance-specific values become placeholders (kept: whether they are null). */
  static JsonNode normalise(JsonNode value, boolean listedToo) {
    if (value == null || value.isMissingNode()) {
      return MissingNode.getInstance();
    }
    JsonNode copy = value.deepCopy();
    walk(copy, listedToo);
    return copy;
  }

  private static void walk(JsonNode node, boolean listedToo) {
    if (node instanceof ObjectNode o) {
      boolean isKey = o.has("actions") && o.has("indexes");
      boolean isTask = o.has("status") && o.has("type") && (o.has("uid") || o.has("taskUid"));
      boolean isBatch = o.has("stats") && o.has("uid") && o.has("batchStrategy");
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String field : names) {
        JsonNode v = o.get(field);
        boolean instance = INSTANCE_FIELDS.contains(field)
            || ((isKey || isTask || isBatch) && field.equals("uid"))
            || (field.equals("uid") && v.isNumber())
            || (field.equals("uuid"));
        if (instance && !v.isNull()) {
          o.put(field, "<" + field + ">");
        } else if (listedToo && (SIZE_FIELDS.contains(field) || BATCH_INTERNALS.contains(field))) {
          o.remove(field);
        } else {
          walk(v, listedToo);
        }
      }
    } else if (node instanceof ArrayNode a) {
      for (Iterator<JsonNode> it = a.elements(); it.hasNext(); ) {
        walk(it.next(), listedToo);
      }
    }
  }

  public long count(String verdict) {
    return outcomes.stream().filter(o -> o.verdict().equals(verdict)).count();
  }

  public String report() {
    StringBuilder out = new StringBuilder();
    out.append("calls ").append(outcomes.size()).append(", identical ").append(count("identical"))
        .append(", listed ").append(count("listed")).append(", different ").append(count("different")).append('\n');
    for (Outcome o : outcomes) {
      if (!o.verdict().equals("identical")) {
        out.append(o.verdict()).append(": ").append(o.name()).append(o.reason() == null ? "" : " (" + o.reason() + ")")
            .append("\n  node:   ").append(o.node()).append("\n  router: ").append(o.router()).append('\n');
      }
    }
    return out.toString();
  }
}
