package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hits read lazily merge and print exactly as fully parsed hits do, minus the router's fields. */
class NodeAnswerTest {

  private static final ObjectMapper EXACT = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();

  private static String hit(String id, int shard, double score, int words, String extra) {
    return "{\"id\":\"" + id + "\",\"title\":\"caf\\u00e9 \\\"quoted\\\" \u00e9t\u00e9\",\"price\":158.0,\"tiny\":1e-7,"
        + "\"tags\":[\"a\",{\"b\":[1,2.50]}],\"_miroir_shard\":" + shard + extra
        + ",\"_rankingScore\":" + score + ",\"_rankingScoreDetails\":{\"words\":{\"order\":0,\"matchingWords\":"
        + words + ",\"maxMatchingWords\":2,\"score\":" + (words / 2.0) + "}}}";
  }

  private static String answer(String... hits) {
    return "{\"hits\":[" + String.join(",", hits) + "],\"query\":\"q\",\"processingTimeMs\":3,\"limit\":4,"
        + "\"offset\":0,\"estimatedTotalHits\":" + hits.length + ",\"facetDistribution\":{\"genre\":{\"drama\":2},"
        + "\"_miroir_shard\":{\"1\":2}}}";
  }

  private static ObjectNode merge(List<String> answers, boolean lazy, String client) throws Exception {
    ShardQueryBuilder.ShardSearch plan =
        ShardQueryBuilder.search((ObjectNode) EXACT.readTree(client), IndexSearchSettings.defaults());
    List<JsonNode> read = new ArrayList<>();
    for (String a : answers) {
      byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
      read.add(lazy ? NodeAnswer.read(EXACT, bytes, plan.intent().distinctAttribute()) : EXACT.readTree(bytes));
    }
    return HitMerger.merge(plan.intent(), IndexSearchSettings.defaults(), read);
  }

  @Test
  void lazyHitsMergeAndPrintLikeTrees() throws Exception {
    List<String> answers = List.of(
        answer(hit("a", 1, 1.0, 2, ""), hit("b", 1, 0.5, 1, "")),
        answer(hit("c", 2, 0.75, 2, ",\"late\":null"), hit("d", 2, 0.25, 1, "")));
    for (String client : List.of("{\"q\":\"x\",\"limit\":3}", "{\"q\":\"x\",\"showRankingScore\":true}",
        "{\"q\":\"x\",\"showRankingScoreDetails\":true,\"offset\":1}")) {
      ObjectNode lazy = merge(answers, true, client);
      ObjectNode tree = merge(answers, false, client);
      String printed = new ObjectMapper().writeValueAsString(lazy);
      assertThat(EXACT.readTree(printed)).as(client).isEqualTo(EXACT.readTree(tree.toString()));
      assertThat(printed).doesNotContain("\"_miroir_shard\":").contains("\"price\":158.0").contains("1e-7");
    }
  }

  @Test
  void whitespaceBetweenFieldsIsHandled() throws Exception {
    String pretty = "{ \"hits\" : [ { \"id\" : \"a\" ,\n \"_miroir_shard\" : 3 ,\n \"n\" : [ 1 , 2 ] \n,"
        + " \"_rankingScore\" : 0.5 } ] , \"estimatedTotalHits\" : 1 }";
    ObjectNode lazy = merge(List.of(pretty), true, "{\"q\":\"x\"}");
    JsonNode printed = EXACT.readTree(new ObjectMapper().writeValueAsString(lazy));
    assertThat(printed.get("hits").get(0)).isEqualTo(EXACT.readTree("{\"id\":\"a\",\"n\":[1,2]}"));
  }

  @Test
  void hitsWithFormattedFieldsFallBackToTrees() throws Exception {
    String formatted = answer(hit("a", 1, 1.0, 2, ",\"_formatted\":{\"id\":\"a\",\"_miroir_shard\":\"1\"}"));
    ObjectNode lazy = merge(List.of(formatted), true, "{\"q\":\"x\",\"attributesToHighlight\":[\"*\"]}");
    String printed = new ObjectMapper().writeValueAsString(lazy);
    assertThat(printed).doesNotContain("_miroir_shard\":").contains("_formatted");
    assertThat(lazy.get("hits").get(0).get("_formatted").has("_miroir_shard")).isFalse();
  }

  @Test
  void theDistinctAttributeIsReadForTheMerge() throws Exception {
    IndexSearchSettings settings = new IndexSearchSettings(1000, 100, Map.of(), "series");
    String a = answer("{\"id\":\"1\",\"series\":\"S\",\"_miroir_shard\":1,\"_rankingScore\":1.0}");
    String b = answer("{\"id\":\"2\",\"series\":\"s\",\"_miroir_shard\":2,\"_rankingScore\":0.9}");
    ShardQueryBuilder.ShardSearch plan = ShardQueryBuilder.search((ObjectNode) EXACT.readTree("{}"), settings);
    List<JsonNode> read = List.of(NodeAnswer.read(EXACT, a.getBytes(StandardCharsets.UTF_8), "series"),
        NodeAnswer.read(EXACT, b.getBytes(StandardCharsets.UTF_8), "series"));
    ObjectNode merged = HitMerger.merge(plan.intent(), settings, read);
    assertThat(merged.get("hits")).hasSize(1);
  }
}
