package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.search.SyntheticCorpus.Doc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HitMergerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static ObjectNode body(String json) throws Exception {
    return (ObjectNode) MAPPER.readTree(json);
  }

  /**
   * A random covering set: shards dealt to 1..3 nodes. Records each doc's node in {@code nodeOf}
   * so the oracle can break ties as the merge must: node, then the node's own order.
   */
  private static final Map<Doc, Integer> nodeOf = new java.util.IdentityHashMap<>();

  private static List<List<Doc>> deal(List<Doc> docs, int shards, Random random) {
    int nodes = 1 + random.nextInt(3);
    Map<Integer, Integer> nodeOfShard = new HashMap<>();
    for (int shard = 0; shard < shards; shard++) {
      nodeOfShard.put(shard, random.nextInt(nodes));
    }
    List<List<Doc>> byNode = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      byNode.add(new ArrayList<>());
    }
    for (Doc doc : docs) {
      byNode.get(nodeOfShard.get(doc.shard)).add(doc);
      nodeOf.put(doc, nodeOfShard.get(doc.shard));
    }
    return byNode;
  }

  private static List<String> ids(JsonNode result) {
    List<String> ids = new ArrayList<>();
    result.get("hits").forEach(hit -> ids.add(hit.get("id").asText()));
    return ids;
  }

  /**
   * The law: merging the per-shard lists of a totally ordered hit set equals sorting the union.
   * Ties (coarse rounds) are broken by node, then by each node's own order.
   */
  @Test
  void mergeEqualsTheSortedUnion() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 400; round++) {
      boolean coarse = round % 2 == 1;
      boolean withSort = round % 3 != 0;
      boolean ascending = random.nextBoolean();
      int shards = 1 + random.nextInt(6);
      List<Doc> docs = SyntheticCorpus.docs(random, 20 + random.nextInt(120), shards, coarse);
      Comparator<Doc> order = SyntheticCorpus.singleNodeOrder(withSort, ascending);
      int offset = random.nextInt(30);
      int limit = 1 + random.nextInt(40);
      ShardQueryBuilder.ShardSearch search =
          ShardQueryBuilder.search(
              body("{\"q\":\"q\",\"offset\":" + offset + ",\"limit\":" + limit + "}"),
              IndexSearchSettings.defaults());
      List<JsonNode> responses = new ArrayList<>();
      for (List<Doc> nodeDocs : deal(docs, shards, random)) {
        responses.add(
            SyntheticCorpus.response(
                nodeDocs, order, search.intent().requiredHits(), withSort, ascending, null, false,
                nodeDocs.size()));
      }
      ObjectNode merged = HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), responses);

      List<Doc> union = new ArrayList<>(docs);
      union.sort(order.thenComparingInt((Doc d) -> nodeOf.get(d)).thenComparingInt(d -> d.id));
      List<String> expected = new ArrayList<>();
      for (int i = offset; i < Math.min(union.size(), offset + limit); i++) {
        expected.add(union.get(i).key());
      }
      assertThat(ids(merged)).as("round %d", round).isEqualTo(expected);
      assertThat(merged.get("estimatedTotalHits").asLong()).isEqualTo(docs.size());
    }
  }

  @Test
  void pageModeMergesPagesAndRecomputesTotals() throws Exception {
    Random random = new Random(3);
    int shards = 4;
    List<Doc> docs = SyntheticCorpus.docs(random, 90, shards, false);
    Comparator<Doc> order = SyntheticCorpus.singleNodeOrder(false, true);
    ShardQueryBuilder.ShardSearch search =
        ShardQueryBuilder.search(body("{\"q\":\"q\",\"page\":3,\"hitsPerPage\":7}"), IndexSearchSettings.defaults());
    assertThat(search.template().get("page").asInt()).isEqualTo(1);
    assertThat(search.template().get("hitsPerPage").asInt()).isEqualTo(21);
    List<JsonNode> responses = new ArrayList<>();
    for (List<Doc> nodeDocs : deal(docs, shards, random)) {
      responses.add(SyntheticCorpus.response(nodeDocs, order, 21, false, true, null, true, nodeDocs.size()));
    }
    ObjectNode merged = HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), responses);
    List<Doc> union = new ArrayList<>(docs);
    union.sort(order.thenComparingInt((Doc d) -> nodeOf.get(d)).thenComparingInt(d -> d.id));
    assertThat(ids(merged))
        .isEqualTo(union.subList(14, 21).stream().map(Doc::key).toList());
    assertThat(fieldNames(merged))
        .containsExactly("hits", "query", "processingTimeMs", "hitsPerPage", "page", "totalPages", "totalHits");
    assertThat(merged.get("totalHits").asLong()).isEqualTo(90);
    assertThat(merged.get("totalPages").asLong()).isEqualTo(13);
  }

  /** Law: counts never exceed maxTotalHits, offsets and limits are clamped as Meilisearch does. */
  @Test
  void countsNeverExceedMaxTotalHits() throws Exception {
    Random random = new Random(5);
    for (int round = 0; round < 100; round++) {
      int maxTotalHits = 1 + random.nextInt(60);
      IndexSearchSettings settings = new IndexSearchSettings(maxTotalHits, 100, Map.of(), null);
      int offset = random.nextInt(80);
      int limit = random.nextInt(80);
      ShardQueryBuilder.ShardSearch search =
          ShardQueryBuilder.search(body("{\"offset\":" + offset + ",\"limit\":" + limit + "}"), settings);
      List<Doc> docs = SyntheticCorpus.docs(random, 100, 3, false);
      List<JsonNode> responses = new ArrayList<>();
      for (List<Doc> nodeDocs : deal(docs, 3, random)) {
        responses.add(SyntheticCorpus.response(nodeDocs, SyntheticCorpus.singleNodeOrder(false, true),
            Math.min(maxTotalHits, offset + limit), false, true, null, false, Math.min(maxTotalHits, nodeDocs.size())));
      }
      ObjectNode merged = HitMerger.merge(search.intent(), settings, responses);
      assertThat(merged.get("estimatedTotalHits").asLong()).isLessThanOrEqualTo(maxTotalHits);
      // Echoed as the client sent them (a node does so), while the hits stop at maxTotalHits.
      assertThat(merged.get("offset").asLong()).isEqualTo(offset);
      assertThat(merged.get("limit").asLong()).isEqualTo(limit);
      assertThat((long) merged.get("hits").size())
          .isLessThanOrEqualTo(Math.min(limit, Math.max(0, maxTotalHits - Math.min(offset, maxTotalHits))));
    }
  }

  /** Law: distinct never returns two hits with one value, and keeps each value's best hit. */
  @Test
  void distinctKeepsTheBestHitOfEachValueAcrossShards() throws Exception {
    Random random = new Random(9);
    for (int round = 0; round < 200; round++) {
      int shards = 2 + random.nextInt(4);
      List<Doc> docs = SyntheticCorpus.docs(random, 40 + random.nextInt(80), shards, round % 2 == 0);
      Comparator<Doc> order = SyntheticCorpus.singleNodeOrder(true, true);
      int limit = 1 + random.nextInt(20);
      int offset = random.nextInt(10);
      ShardQueryBuilder.ShardSearch search =
          ShardQueryBuilder.search(
              body("{\"q\":\"q\",\"distinct\":\"series\",\"offset\":" + offset + ",\"limit\":" + limit
                  + ",\"attributesToRetrieve\":[\"id\"]}"),
              IndexSearchSettings.defaults());
      assertThat(search.intent().addedAttributes()).containsExactly("series");
      List<JsonNode> responses = new ArrayList<>();
      for (List<Doc> nodeDocs : deal(docs, shards, random)) {
        responses.add(SyntheticCorpus.response(nodeDocs, order, offset + limit, true, true, "series", false, 0));
      }
      ObjectNode merged = HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), responses);

      List<Doc> union = new ArrayList<>(docs);
      union.sort(order.thenComparingInt((Doc d) -> nodeOf.get(d)).thenComparingInt(d -> d.id));
      Set<String> seen = new HashSet<>();
      List<String> expected = new ArrayList<>();
      for (Doc doc : union) {
        if (seen.add(doc.series)) {
          expected.add(doc.key());
        }
      }
      expected = expected.subList(Math.min(offset, expected.size()), Math.min(expected.size(), offset + limit));
      assertThat(ids(merged)).as("round %d", round).isEqualTo(expected);
      merged.get("hits").forEach(hit -> assertThat(hit.has("series")).as("added attribute stripped").isFalse());
    }
  }

  /** Law: {@code _miroir_shard} never reaches the client, nor do scores it did not ask for. */
  @Test
  void shardFieldAndUnaskedScoresNeverAppear() throws Exception {
    Random random = new Random(1);
    List<Doc> docs = SyntheticCorpus.docs(random, 30, 3, false);
    for (String client : List.of(
        "{\"q\":\"q\"}",
        "{\"q\":\"q\",\"showRankingScore\":true}",
        "{\"q\":\"q\",\"showRankingScoreDetails\":true,\"facets\":[\"*\"]}")) {
      ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(body(client), IndexSearchSettings.defaults());
      List<JsonNode> responses = new ArrayList<>();
      for (List<Doc> nodeDocs : deal(docs, 3, random)) {
        ObjectNode response = SyntheticCorpus.response(nodeDocs, SyntheticCorpus.singleNodeOrder(false, true),
            20, false, true, null, false, nodeDocs.size());
        response.putObject("facetDistribution").putObject("_miroir_shard").put("0", 3);
        response.putObject("facetStats").putObject("_miroir_shard").put("min", 0.0).put("max", 2.0);
        responses.add(response);
      }
      String out = HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), responses).toString();
      assertThat(out).doesNotContain("_miroir");
      assertThat(out.contains("\"_rankingScore\"")).isEqualTo(client.contains("showRankingScore\""));
      assertThat(out.contains("_rankingScoreDetails")).isEqualTo(client.contains("Details"));
    }
  }

  @Test
  void responseFieldsComeInMeilisearchOrder() throws Exception {
    ShardQueryBuilder.ShardSearch search =
        ShardQueryBuilder.search(body("{\"q\":\"q\",\"facets\":[\"genre\"]}"), IndexSearchSettings.defaults());
    ObjectNode node = body(
        "{\"hits\":[],\"query\":\"q\",\"processingTimeMs\":3,\"limit\":20,\"offset\":0,"
            + "\"estimatedTotalHits\":0,\"facetDistribution\":{\"genre\":{\"a\":1}},"
            + "\"facetStats\":{\"year\":{\"min\":1.0,\"max\":2.0}},\"semanticHitCount\":0}");
    ObjectNode merged = HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), List.of(node));
    assertThat(fieldNames(merged))
        .containsExactly("hits", "query", "processingTimeMs", "limit", "offset", "estimatedTotalHits",
            "facetDistribution", "facetStats", "semanticHitCount");
  }

  @Test
  void hitKeepsItsOwnFieldOrderAndExtras() throws Exception {
    ShardQueryBuilder.ShardSearch search =
        ShardQueryBuilder.search(body("{\"q\":\"q\",\"showMatchesPosition\":true}"), IndexSearchSettings.defaults());
    ObjectNode node = body(
        "{\"hits\":[{\"id\":1,\"_miroir_shard\":0,\"title\":\"t\",\"_geoDistance\":12,\"_vectors\":{},"
            + "\"_formatted\":{\"id\":\"1\",\"_miroir_shard\":\"0\",\"title\":\"<em>t</em>\"},"
            + "\"_matchesPosition\":{\"title\":[{\"start\":0,\"length\":1}]},\"_rankingScore\":1.0,"
            + "\"_rankingScoreDetails\":{\"words\":{\"order\":0,\"matchingWords\":1,\"maxMatchingWords\":1,\"score\":1.0}}}],"
            + "\"query\":\"q\",\"processingTimeMs\":1,\"limit\":20,\"offset\":0,\"estimatedTotalHits\":1}");
    ObjectNode merged = HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), List.of(node));
    JsonNode hit = merged.get("hits").get(0);
    assertThat(fieldNames(hit)).containsExactly("id", "title", "_geoDistance", "_vectors", "_formatted", "_matchesPosition");
    assertThat(fieldNames(hit.get("_formatted"))).containsExactly("id", "title");
  }

  @Test
  void sortValuesFollowMilli() {
    var json = SyntheticCorpus.JSON;
    // Greater is better. Ascending: smaller numbers first, numbers before strings, missing last.
    assertThat(HitOrder.compareSortValues(true, json.numberNode(1), json.numberNode(2))).isPositive();
    assertThat(HitOrder.compareSortValues(false, json.numberNode(1), json.numberNode(2))).isNegative();
    assertThat(HitOrder.compareSortValues(true, json.numberNode(9), json.textNode("a"))).isPositive();
    assertThat(HitOrder.compareSortValues(false, json.numberNode(9), json.textNode("a"))).isPositive();
    assertThat(HitOrder.compareSortValues(true, json.textNode("z"), json.nullNode())).isPositive();
    assertThat(HitOrder.compareSortValues(false, json.nullNode(), json.textNode("z"))).isNegative();
    assertThat(HitOrder.compareSortValues(true, json.textNode("B"), json.textNode("a"))).isPositive();
    // Code point order, not UTF-16: U+1F600 sorts after U+FF5E.
    assertThat(HitOrder.compareCodePoints("\uD83D\uDE00", "\uFF5E")).isPositive();
  }

  @Test
  void geoSortOrdersByDistanceInTheRequestedDirectionMissingLast() throws Exception {
    for (boolean ascending : new boolean[] {true, false}) {
      String rule = "_geoPoint(48.8, 2.3):" + (ascending ? "asc" : "desc");
      List<JsonNode> responses = new ArrayList<>();
      double[][] distancesByNode = {{100, 3000}, {5, 700}, {Double.NaN}};
      int id = 0;
      for (double[] distances : distancesByNode) {
        ObjectNode response = body("{\"hits\":[],\"query\":\"\",\"processingTimeMs\":0,\"estimatedTotalHits\":2}");
        double[] own = distances.clone();
        java.util.Arrays.sort(own);
        if (!ascending) {
          for (int i = 0; i < own.length / 2; i++) {
            double t = own[i];
            own[i] = own[own.length - 1 - i];
            own[own.length - 1 - i] = t;
          }
        }
        for (double d : own) {
          ObjectNode hit = ((com.fasterxml.jackson.databind.node.ArrayNode) response.get("hits")).addObject();
          hit.put("id", Double.isNaN(d) ? "none" : Long.toString((long) d));
          hit.put("_miroir_shard", id++);
          ObjectNode details = hit.putObject("_rankingScoreDetails");
          ObjectNode geo = details.putObject(rule).put("order", 0);
          if (Double.isNaN(d)) {
            geo.putNull("value");
            geo.putNull("distance");
          } else {
            geo.putObject("value").put("lat", 1).put("lng", 2);
            geo.put("distance", d);
          }
        }
        responses.add(response);
      }
      ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(body("{}"), IndexSearchSettings.defaults());
      List<String> ids = ids(HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), responses));
      assertThat(ids).containsExactlyElementsOf(
          ascending ? List.of("5", "100", "700", "3000", "none") : List.of("3000", "700", "100", "5", "none"));
    }
  }

  @Test
  void hybridWeighsKeywordAndSemanticHitsByTheRatio() throws Exception {
    String keyword = "{\"id\":\"k\",\"_miroir_shard\":0,\"_rankingScore\":0.9,\"_rankingScoreDetails\":"
        + "{\"words\":{\"order\":0,\"matchingWords\":9,\"maxMatchingWords\":10,\"score\":0.9}}}";
    String semantic = "{\"id\":\"s\",\"_miroir_shard\":1,\"_rankingScore\":0.95,\"_rankingScoreDetails\":"
        + "{\"vectorSort\":{\"order\":0,\"similarity\":0.95}}}";
    for (double ratio : new double[] {0.5, 0.2}) {
      ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(
          body("{\"q\":\"x\",\"hybrid\":{\"embedder\":\"e\",\"semanticRatio\":" + ratio + "}}"),
          IndexSearchSettings.defaults());
      List<JsonNode> responses = List.of(
          body("{\"hits\":[" + keyword + "],\"query\":\"x\",\"processingTimeMs\":1,\"estimatedTotalHits\":1,\"semanticHitCount\":0}"),
          body("{\"hits\":[" + semantic + "],\"query\":\"x\",\"processingTimeMs\":1,\"estimatedTotalHits\":1,\"semanticHitCount\":1}"));
      ObjectNode merged = HitMerger.merge(search.intent(), IndexSearchSettings.defaults(), responses);
      // 0.5: 0.45 vs 0.475, semantic first. 0.2: 0.72 vs 0.19, keyword first.
      assertThat(ids(merged)).containsExactlyElementsOf(ratio == 0.5 ? List.of("s", "k") : List.of("k", "s"));
      assertThat(merged.get("semanticHitCount").asInt()).isEqualTo(1);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
