package dev.miroir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.search.CoveringSet;
import dev.miroir.router.search.CoveringSetPlanner;
import dev.miroir.router.search.HitMerger;
import dev.miroir.router.search.IndexSearchSettings;
import dev.miroir.router.search.ShardQueryBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's per-search CPU work: building the node requests, and merging three nodes' answers of
 * 1000 hits each (a deep page, offset 980 limit 20, so every hit takes part). Hits carry the ranking
 * score details Meilisearch returns for the default rules plus a sort, as the router forces them on.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SearchMergeBenchmark {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @Param({"1000"})
  int hitsPerNode;

  @Param({"false", "true"})
  boolean sorted;

  private final List<ObjectNode> pristine = new ArrayList<>();
  private List<ObjectNode> responses;
  private ObjectNode clientRequest;
  private IndexSearchSettings settings;
  private Map<Integer, List<String>> replicasByShard;

  @Setup(Level.Trial)
  public void prepare() {
    Random random = new Random(42);
    settings = IndexSearchSettings.defaults();
    for (int node = 0; node < 3; node++) {
      List<ObjectNode> hits = new ArrayList<>();
      for (int i = 0; i < hitsPerNode; i++) {
        hits.add(hit(node * hitsPerNode + i, random));
      }
      hits.sort(SearchMergeBenchmark::byRankThenPrice);
      ObjectNode response = JSON.objectNode();
      ArrayNode array = response.putArray("hits");
      hits.forEach(array::add);
      response.put("query", "hello world");
      response.put("processingTimeMs", 3);
      response.put("limit", 1000);
      response.put("offset", 0);
      response.put("estimatedTotalHits", 5000);
      pristine.add(response);
    }
    clientRequest = JSON.objectNode();
    clientRequest.put("q", "hello world");
    clientRequest.put("offset", 980);
    clientRequest.put("limit", 20);
    clientRequest.put("filter", "genre = drama AND year > 2000");
    if (sorted) {
      clientRequest.putArray("sort").add("price:asc");
    }
    replicasByShard = new HashMap<>();
    for (int shard = 0; shard < 64; shard++) {
      int a = shard % 6;
      replicasByShard.put(shard, List.of("n" + a, "n" + ((a + 1) % 6)));
    }
  }

  /** The merge consumes its inputs, so each invocation gets fresh copies (not measured). */
  @Setup(Level.Invocation)
  public void freshResponses() {
    responses = new ArrayList<>(3);
    pristine.forEach(r -> responses.add(r.deepCopy()));
  }

  @Benchmark
  public ObjectNode merge3x1000Hits() {
    ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(clientRequest, settings);
    return HitMerger.merge(search.intent(), settings, responses);
  }

  /** Covering set over 64 shards on 6 nodes (RF 2), then one restricted body per chosen node. */
  @Benchmark
  public List<ObjectNode> buildNodeRequests() {
    CoveringSet covering = CoveringSetPlanner.plan(64, replicasByShard, Set.of());
    ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(clientRequest, settings);
    List<ObjectNode> bodies = new ArrayList<>();
    covering.shardsByNode().forEach((node, shards) -> bodies.add(search.forShards(shards)));
    return bodies;
  }

  private ObjectNode hit(int id, Random random) {
    ObjectNode hit = JSON.objectNode();
    hit.put("id", "doc-" + id);
    hit.put("title", "title of document " + id);
    hit.put("_miroir_shard", id % 64);
    int words = 1 + random.nextInt(2);
    int typos = random.nextInt(3);
    int proximity = 1 + random.nextInt(7);
    int fid = 1 + random.nextInt(4);
    int exact = 1 + random.nextInt(3);
    double price = Math.round(random.nextDouble() * 50000) / 100.0;
    ObjectNode details = JSON.objectNode();
    int order = 0;
    details.putObject("words").put("order", order++).put("matchingWords", words)
        .put("maxMatchingWords", 2).put("score", words / 2.0);
    details.putObject("typo").put("order", order++).put("typoCount", typos)
        .put("maxTypoCount", 2).put("score", (3 - typos) / 3.0);
    details.putObject("proximity").put("order", order++).put("score", proximity / 7.0);
    details.putObject("attribute").put("order", order++)
        .put("attributeRankingOrderScore", fid / 4.0).put("queryWordDistanceScore", 1.0)
        .put("score", fid / 4.0);
    if (sorted) {
      details.putObject("price:asc").put("order", order++).put("value", price);
    }
    details.putObject("exactness").put("order", order)
        .put("matchType", exact == 3 ? "exactMatch" : exact == 2 ? "matchesStart" : "noExactMatch")
        .put("score", exact / 3.0);
    double score = ((((words - 1) * 3 + (3 - typos) - 1) * 7 + proximity - 1) * 4 + fid) / (2.0 * 3 * 7 * 4);
    hit.put("_rankingScore", score);
    hit.put("_price", price);
    hit.set("_rankingScoreDetails", details);
    return hit;
  }

  /** Each node's own order, as Meilisearch would return it (score, then price when sorted). */
  private static int byRankThenPrice(JsonNode a, JsonNode b) {
    int byScore = Double.compare(b.get("_rankingScore").asDouble(), a.get("_rankingScore").asDouble());
    return byScore != 0 ? byScore : Double.compare(a.get("_price").asDouble(), b.get("_price").asDouble());
  }
}
