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

  /** Each hit read lazily is, as a tree, the hit a full parse gives; its ranking values compare alike. */
  private static void readsLikeTrees(String answer, String distinct) throws Exception {
    byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
    ObjectNode lazy = NodeAnswer.read(EXACT, bytes, distinct);
    JsonNode full = EXACT.readTree(bytes);
    ObjectNode outside = full.deepCopy();
    outside.remove("hits");
    ObjectNode lazyOutside = lazy.deepCopy();
    lazyOutside.remove("hits");
    assertThat(lazyOutside).as(answer).isEqualTo(outside);
    assertThat(lazy.get("hits")).hasSize(full.get("hits").size());
    for (int i = 0; i < full.get("hits").size(); i++) {
      NodeAnswer.Hit hit = (NodeAnswer.Hit) lazy.get("hits").get(i);
      JsonNode expected = full.get("hits").get(i);
      assertThat(hit.tree()).as(answer).isEqualTo(expected);
      String printed = new ObjectMapper().writeValueAsString(
          JsonNodeFactory.instance.arrayNode().addRawValue(hit.without()));
      assertThat(EXACT.readTree(printed).get(0)).as(answer).isEqualTo(expected);
      for (String name : List.of("_rankingScore", "_rankingScoreDetails", "_federation")) {
        assertThat(numbersAsDoubles(hit.ranking(name))).as(name).isEqualTo(numbersAsDoubles(expected.get(name)));
      }
      if (distinct != null) {
        String top = distinct.contains(".") ? distinct.substring(0, distinct.indexOf('.')) : distinct;
        assertThat(hit.get(top)).as(distinct).isEqualTo(expected.get(top));
      }
    }
  }

  /** A tree with every number replaced by its double: what the merge compares. */
  private static JsonNode numbersAsDoubles(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isNumber()) {
      return JsonNodeFactory.instance.numberNode(node.doubleValue());
    }
    if (node.isContainerNode()) {
      JsonNode copy = node.deepCopy();
      if (copy instanceof ObjectNode o) {
        node.fields().forEachRemaining(e -> o.set(e.getKey(), numbersAsDoubles(e.getValue())));
      } else {
        com.fasterxml.jackson.databind.node.ArrayNode a = (com.fasterxml.jackson.databind.node.ArrayNode) copy;
        for (int i = 0; i < a.size(); i++) {
          a.set(i, numbersAsDoubles(node.get(i)));
        }
      }
      return copy;
    }
    return node;
  }

  @Test
  void trickyJsonReadsLikeAFullParse() throws Exception {
    String details = "\"_rankingScoreDetails\":{\"words\":{\"order\":0,\"matchingWords\":1,\"maxMatchingWords\":1,"
        + "\"score\":1.0},\"attribute\":{\"order\":1,\"attributeRankingOrderScore\":9.5E-1,"
        + "\"queryWordDistanceScore\":1e0,\"score\":0.97777777777777777777777},\"price:asc\":{\"order\":2,"
        + "\"value\":-1.25e+3},\"exactness\":{\"order\":3,\"matchType\":\"exactMatch\",\"score\":1}}";
    String a = "{\"id\":\"a\\\"}]{[\\\\\",\"t\\u0069tle\":\"caf\\u00e9 \\ud83d\\ude00 \u00e9t\u00e9 \u4e2d\","
        + "\"\u00e9t\u00e9\":[{\"x\":\"]\"},[],{}],\"n\":-0.0,\"big\":123456789012345678901234567890,"
        + "\"e\":6.02214076E+23,\"t\":true,\"f\":false,\"z\":null,\"_miroir_shard\":7,"
        + "\"_rankingScore\":9.876543210987654E-1," + details + "}";
    String formatted = "{\"id\":\"b\",\"_formatted\":{\"id\":\"b\",\"title\":\"<em>x</em> \\\"y\\\"\","
        + "\"nested\":{\"_miroir_shard\":\"3\",\"deep\":[1,{\"_rankingScore\":2}]}},\"_matchesPosition\":"
        + "{\"title\":[{\"start\":0,\"length\":1}]},\"_rankingScore\":0.5," + details + "}";
    String federated = "{ \"id\" : 3 , \"_federation\" : { \"indexUid\" : \"i\" , \"queriesPosition\" : 0 ,"
        + " \"weightedRankingScore\" : 1.5e-2 } ,\n\t\"_rankingScore\" : 1.5e-2 }";
    String empty = "{}";
    for (String hits : List.of(a, formatted, federated, empty, a + "," + formatted + "," + federated)) {
      readsLikeTrees("{\"hits\":[" + hits + "],\"query\":\"q \\\"hits\\\"\",\"processingTimeMs\":1,"
          + "\"facetDistribution\":{\"hits\":{\"[\":1}},\"facetStats\":{\"price\":{\"min\":1.50,\"max\":2E+2}},"
          + "\"estimatedTotalHits\":3}", null);
    }
    // Fields before the hits, and whitespace around everything.
    readsLikeTrees(" {\n \"query\" : \"x\" , \"hits\" : [ " + a + " ] , \"limit\" : 20 }\n", null);
    readsLikeTrees("{\"hits\":[]}", null);
  }

  @Test
  void theDistinctAttributeIsFoundByItsNameEvenEscapedOrNested() throws Exception {
    String hit = "{\"id\":1,\"s\\u00e9rie\":\"S\",\"info\":{\"series\":[\"x\",\"y\"]},\"infos\":2,\"inf\":3,"
        + "\"_rankingScore\":1.0}";
    readsLikeTrees("{\"hits\":[" + hit + "]}", "s\u00e9rie");
    readsLikeTrees("{\"hits\":[" + hit + "]}", "info.series");
    ObjectNode read = NodeAnswer.read(EXACT, ("{\"hits\":[" + hit + "]}").getBytes(StandardCharsets.UTF_8),
        "info.series");
    assertThat(read.get("hits").get(0).has("info")).isTrue();
    assertThat(read.get("hits").get(0).has("infos")).isFalse();
    assertThat(read.get("hits").get(0).has("inf")).isFalse();
  }

  @Test
  void escapedRouterFieldsAreStillLeftOut() throws Exception {
    String answer = "{\"hits\":[{\"id\":\"a\",\"\\u005fmiroir_shard\":1,\"_rankingScore\":0.5}]}";
    ObjectNode lazy = merge(List.of(answer), true, "{\"q\":\"x\"}");
    JsonNode printed = EXACT.readTree(new ObjectMapper().writeValueAsString(lazy));
    assertThat(printed.get("hits").get(0)).isEqualTo(EXACT.readTree("{\"id\":\"a\"}"));
  }

  @Test
  void answersTheScannerCannotWalkAreRefused() {
    for (String bad : List.of("[]", "{\"hits\":[{\"id\":\"a}]}", "{\"hits\":[{\"id\" 1}]}", "{\"hits\":[{\"id\":1",
        "{\"hits\":[{\"id\":1}{\"id\":2}]}", "{\"hits\":[{\"id\":}]}")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> NodeAnswer.read(EXACT, bad.getBytes(StandardCharsets.UTF_8), null)).as(bad)
          .isInstanceOfAny(java.io.IOException.class, RuntimeException.class);
    }
  }

  @Test
  void rankingIsDecodedOnlyForHitsThatReachTheHeadOfTheirList() throws Exception {
    List<String> hits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      hits.add(hit("h" + i, 1, 1.0 - i / 100.0, 2, ""));
    }
    byte[] bytes = answer(hits.toArray(String[]::new)).getBytes(StandardCharsets.UTF_8);
    ObjectNode read = NodeAnswer.read(EXACT, bytes, null);
    ShardQueryBuilder.ShardSearch plan =
        ShardQueryBuilder.search((ObjectNode) EXACT.readTree("{\"q\":\"x\",\"limit\":2}"), IndexSearchSettings.defaults());
    ObjectNode merged = HitMerger.merge(plan.intent(), IndexSearchSettings.defaults(), List.of(read));
    assertThat(merged.get("hits")).hasSize(2);
    // The two hits taken and the one left at the head were ranked; the other seven never decoded.
    for (int i = 0; i < 10; i++) {
      assertThat(((NodeAnswer.Hit) read.get("hits").get(i)).ranked).as("hit " + i).isEqualTo(i < 3);
    }
    // Decoded late, a hit's ranking is the eager parse's.
    NodeAnswer.Hit late = (NodeAnswer.Hit) read.get("hits").get(9);
    JsonNode expected = EXACT.readTree(bytes).get("hits").get(9);
    assertThat(numbersAsDoubles(late.ranking("_rankingScoreDetails")))
        .isEqualTo(numbersAsDoubles(expected.get("_rankingScoreDetails")));
    assertThat(late.ranking("_rankingScore").doubleValue()).isEqualTo(expected.get("_rankingScore").doubleValue());
  }

  @Test
  void stringsAreSkippedToTheirClosingQuoteWhereverTheQuoteAndEscapesFall() throws Exception {
    java.util.Random random = new java.util.Random(7);
    byte[] alphabet = "ab \u00e9\"\\/\u4e2d".getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 20_000; round++) {
      int length = random.nextInt(40);
      byte[] bytes = new byte[length + 2 + random.nextInt(10)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
      }
      bytes[0] = '"';
      int expected = naiveSkip(bytes, 0, bytes.length);
      if (expected < 0) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeAnswer.skipString(bytes, 0, bytes.length))
            .isInstanceOf(java.io.IOException.class);
      } else {
        assertThat(NodeAnswer.skipString(bytes, 0, bytes.length)).as(java.util.Arrays.toString(bytes))
            .isEqualTo(expected);
        // The end bound is respected: the same string cut before its closing quote is unterminated.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeAnswer.skipString(bytes, 0, expected - 1))
            .isInstanceOf(java.io.IOException.class);
      }
    }
  }

  /** Byte by byte: the position after the closing quote, or -1 when unterminated. */
  private static int naiveSkip(byte[] bytes, int open, int end) {
    for (int i = open + 1; i < end; i++) {
      if (bytes[i] == '\\') {
        i++;
      } else if (bytes[i] == '"') {
        return i + 1;
      }
    }
    return -1;
  }

  @Test
  void aKeyIsTheNameItDecodesTo() throws Exception {
    // Same byte length as a dropped name but an escape inside: not that name; longer escapes of it: it.
    String answer = "{\"hits\":[{\"id\":\"a\",\"_miroir_sha\\\\\":1,\"\\u005fmiroir_shard\":2,"
        + "\"_rankingScor\\u0065\":0.5,\"_miroir_shard\":3}]}";
    ObjectNode lazy = merge(List.of(answer), true, "{\"q\":\"x\"}");
    JsonNode printed = EXACT.readTree(new ObjectMapper().writeValueAsString(lazy));
    assertThat(printed.get("hits").get(0)).isEqualTo(EXACT.readTree("{\"id\":\"a\",\"_miroir_sha\\\\\":1}"));
  }

  @Test
  void anAnswerIsReadWhereItLiesInABuffer() throws Exception {
    String answer = answer(hit("a", 1, 1.0, 2, ""), hit("b", 1, 0.5, 1, ""));
    io.netty.buffer.ByteBuf inside = io.netty.buffer.Unpooled.buffer(1024);
    inside.writeBytes("garbage before".getBytes(StandardCharsets.UTF_8));
    inside.readerIndex(inside.writerIndex());
    inside.writeBytes(answer.getBytes(StandardCharsets.UTF_8));
    byte[] after = "{\"and after\"".getBytes(StandardCharsets.UTF_8);
    inside.writeBytes(after);
    inside.writerIndex(inside.writerIndex() - after.length);
    ObjectNode read = NodeAnswer.read(EXACT, io.vertx.core.internal.buffer.BufferInternal.buffer(inside), null);
    ObjectNode expected = NodeAnswer.read(EXACT, answer.getBytes(StandardCharsets.UTF_8), null);
    assertThat(new ObjectMapper().writeValueAsString(read)).isEqualTo(new ObjectMapper().writeValueAsString(expected));
    assertThat(((NodeAnswer.Hit) read.get("hits").get(1)).tree()).isEqualTo(EXACT.readTree(answer).get("hits").get(1));
  }
}
