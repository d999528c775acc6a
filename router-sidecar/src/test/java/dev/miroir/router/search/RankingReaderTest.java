package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte reader of ranking details gives the key the tree gives, on Meilisearch's shapes and on
 * random and odd ones (where it may decline, never differ).
 */
class RankingReaderTest {

  /** How a hit's ranking fields were parsed into a tree before (doubles, Jackson's fast reader). */
  private static final ObjectMapper TREE = JsonMapper.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  /** The key from the bytes, or null when the reader declined; the tree's key alongside. */
  private static RankingKey[] keys(String hitJson) throws Exception {
    String answer = "{\"hits\":[" + hitJson + "],\"estimatedTotalHits\":1}";
    ObjectNode read = NodeAnswer.read(TREE, answer.getBytes(StandardCharsets.UTF_8), null);
    NodeAnswer.Hit hit = (NodeAnswer.Hit) read.get("hits").get(0);
    RankingKey fromBytes = RankingReader.read(hit, 1, 0.5, 0.25);
    RankingKey fromTree = RankingKey.of(TREE.readTree(hitJson), 1, 0.5, 0.25);
    return new RankingKey[] {fromBytes, fromTree};
  }

  @Test
  void meilisearchShapesAreReadFromTheBytesAsTheTreeReadsThem() throws Exception {
    List<String> hits = List.of(
        "{\"id\":1,\"_rankingScore\":0.9166666666666666,\"_rankingScoreDetails\":{\"words\":{\"order\":0,"
            + "\"matchingWords\":2,\"maxMatchingWords\":2,\"score\":1.0},\"typo\":{\"order\":1,\"typoCount\":1,"
            + "\"maxTypoCount\":2,\"score\":0.6666666666666666},\"proximity\":{\"order\":2,\"score\":1.0},"
            + "\"attribute\":{\"order\":3,\"attributeRankingOrderScore\":1.0,\"queryWordDistanceScore\":0.8,"
            + "\"score\":0.96},\"exactness\":{\"order\":4,\"matchType\":\"noExactMatch\",\"matchingWords\":1,"
            + "\"maxMatchingWords\":2,\"score\":0.3333333333333333}}}",
        "{\"id\":2,\"_rankingScore\":1.0,\"_rankingScoreDetails\":{\"words\":{\"order\":0,\"matchingWords\":1,"
            + "\"maxMatchingWords\":1,\"score\":1.0},\"price:asc\":{\"order\":1,\"value\":1250},"
            + "\"title:desc\":{\"order\":2,\"value\":\"caf\u00e9 \u4e2d\"},\"exactness\":{\"order\":3,"
            + "\"matchType\":\"exactMatch\",\"score\":1.0}}}",
        "{\"id\":3,\"_rankingScore\":0.5,\"_rankingScoreDetails\":{\"_geoPoint(48.85, 2.35):asc\":{\"order\":0,"
            + "\"value\":{\"lat\":48.9,\"lng\":2.4},\"distance\":5234.5},\"<hidden-rule-1>\":{\"order\":1},"
            + "\"skipped\":{\"order\":2}}}",
        "{\"id\":4,\"_rankingScore\":0.75,\"_rankingScoreDetails\":{\"vectorSort\":{\"order\":0,"
            + "\"value\":[0.1,0.2],\"similarity\":0.75}}}",
        "{\"id\":5}",
        "{\"id\":6,\"_rankingScore\":1.0}",
        "{ \"id\" : 7 , \"_rankingScore\" : 1e-2 , \"_rankingScoreDetails\" : { \"words\" : { \"order\" : 0 ,"
            + " \"matchingWords\" : 3 , \"maxMatchingWords\" : 4 , \"score\" : 7.5E-1 } } }");
    for (String hit : hits) {
      RankingKey[] keys = keys(hit);
      assertThat(keys[0]).as("read from the bytes: %s", hit).isNotNull();
      assertSameKey(keys[0], keys[1], hit);
    }
  }

  @Test
  void randomDetailsGiveTheTreesKeyOrAreLeftToTheTree() throws Exception {
    Random random = new Random(13);
    int read = 0;
    int declined = 0;
    for (int round = 0; round < 10_000; round++) {
      String hit = RandomDetails.hit(random);
      RankingKey[] keys = keys(hit);
      if (keys[0] == null) {
        declined++;
      } else {
        read++;
        assertSameKey(keys[0], keys[1], hit);
      }
    }
    // Both branches are exercised: about half the inputs (perturbed on purpose) are read from bytes.
    assertThat(read).isGreaterThan(3_000);
    assertThat(declined).isGreaterThan(500);
  }

  @Test
  void federatedHitsAndOddValuesAreLeftToTheTree() throws Exception {
    for (String hit : List.of(
        "{\"id\":1,\"_federation\":{\"indexUid\":\"i\",\"queriesPosition\":0,\"weightedRankingScore\":0.5},"
            + "\"_rankingScore\":0.5}",
        "{\"id\":1,\"_rankingScoreDetails\":{\"words\":{\"order\":\"0\",\"score\":1}}}",
        "{\"id\":1,\"_rankingScoreDetails\":{\"w\\u006frds\":{\"order\":0,\"score\":1}}}",
        "{\"id\":1,\"_rankingScoreDetails\":{\"words\":{\"order\":0},\"words\":{\"order\":1}}}",
        "{\"id\":1,\"_rankingScoreDetails\":{\"words\":{\"order\":12345678901234567890}}}",
        "{\"id\":1,\"_rankingScoreDetails\":{\"exactness\":{\"order\":0,\"matchType\":\"exact\\u004datch\"}}}",
        "{\"id\":1,\"_rankingScoreDetails\":{\"price:asc\":{\"order\":0,\"value\":true}}}",
        "{\"id\":1,\"_rankingScoreDetails\":{\"words\":5}}")) {
      RankingKey[] keys = keys(hit);
      assertThat(keys[0]).as(hit).isNull();
    }
  }

  @Test
  void numbersAreReadAsJacksonReadsThem() throws Exception {
    for (String n : List.of("0", "-0", "-0.0", "1", "-17", "123456789012345678", "-123456789012345678", "0.1",
        "0.30000000000000004", "1e-7", "6.02214076E+23", "1E2", "9.876543210987654E-1", "2.5e0", "1.7976931348623157e308",
        "4.9e-324", "1e400", "0.99999999999999999999999")) {
      byte[] b = n.getBytes(StandardCharsets.US_ASCII);
      assertThat(RankingReader.number(b, 0, b.length)).as(n).isTrue();
      JsonNode tree = TREE.readTree(n);
      assertThat(Double.compare(RankingReader.doubleOf(b, 0, b.length), tree.asDouble(0))).as(n).isZero();
      assertThat(RankingReader.longOf(b, 0, b.length)).as(n).isEqualTo(tree.asLong());
    }
    for (String n : List.of("01", "1.", ".5", "+1", "-", "1e", "1e+", "--1", "0x10", "1234567890123456789", "NaN")) {
      byte[] b = n.getBytes(StandardCharsets.US_ASCII);
      assertThat(RankingReader.number(b, 0, b.length)).as(n).isFalse();
    }
  }

  @Test
  void aMergeRanksTheHeadHitsFromTheirBytes() throws Exception {
    String answer = "{\"hits\":[" + RandomDetails.meilisearchHit(1, 2, 0) + "," + RandomDetails.meilisearchHit(2, 1, 1)
        + "],\"estimatedTotalHits\":2}";
    ObjectNode read = NodeAnswer.read(TREE, answer.getBytes(StandardCharsets.UTF_8), null);
    RankedMerge.merge(List.of(read.get("hits")), new RankedMerge.Queries() {
      @Override
      public int position(int node, JsonNode hit) {
        return 0;
      }

      @Override
      public double weight(int position) {
        return 1;
      }

      @Override
      public double semanticRatio(int position) {
        return Double.NaN;
      }

      @Override
      public String distinct(int position) {
        return null;
      }
    }, 0, 2);
    for (JsonNode hit : read.get("hits")) {
      assertThat(((NodeAnswer.Hit) hit).ranked).isTrue();
      // No tree was made of its ranking fields.
      assertThat(hit.get("_rankingScoreDetails")).isNull();
    }
  }

  static void assertSameKey(RankingKey a, RankingKey b, String input) {
    assertThat(describe(a)).as(input).isEqualTo(describe(b));
  }

  /** Every field of a key that an order reads, doubles bit for bit, sort values as compared. */
  static String describe(RankingKey k) {
    StringBuilder out = new StringBuilder();
    out.append("rules ").append(k.rules).append(':');
    for (int i = 0; i < k.rules; i++) {
      out.append(" [").append(k.kind[i]).append(',').append(k.rank[i]).append(',').append(k.maxRank[i]).append(',')
          .append(Double.doubleToRawLongBits(k.score[i])).append(',').append(k.ascending[i]).append(',')
          .append(value(k.value[i])).append(']');
    }
    out.append(" groups ").append(k.groups).append(':');
    for (int g = 0; g < k.groups; g++) {
      out.append(" [").append(k.groupKind[g]).append(',').append(Double.doubleToRawLongBits(k.groupScore[g]))
          .append(',').append(k.groupAscending[g]).append(',').append(value(k.groupValue[g])).append(']');
    }
    return out.append(" global ").append(Double.doubleToRawLongBits(k.globalScore)).append(" preWeighted ")
        .append(k.preWeighted).append(" detailed ").append(k.detailed).append(" semantic ").append(k.semantic)
        .append(" position ").append(k.queryPosition).append(" weight ").append(k.weight).append(" ratio ")
        .append(k.semanticRatio).toString();
  }

  private static String value(JsonNode v) {
    if (v == null) {
      return "absent";
    }
    if (v.isNull()) {
      return "null";
    }
    if (v.isNumber()) {
      return "n" + Double.doubleToRawLongBits(v.doubleValue());
    }
    if (v.isTextual()) {
      return "s" + v.textValue();
    }
    return "other " + v.getNodeType();
  }

  /** Random hits with ranking fields: Meilisearch's shapes, perturbed. */
  static final class RandomDetails {

    private static final String[] NAMES = {"words", "typo", "proximity", "attribute", "exactness", "skipped",
        "vectorSort", "price:asc", "price:desc", "title:asc", "_geoPoint(48.8, 2.3):asc", "_geoPoint(0, 0):desc",
        "<hidden-rule-0>", "caf\u00e9:asc", "unknown"};
    private static final String[] FIELDS = {"order", "score", "matchingWords", "maxMatchingWords", "typoCount",
        "maxTypoCount", "attributeRankingOrderScore", "queryWordDistanceScore", "matchType", "similarity", "distance",
        "value", "other"};

    static String meilisearchHit(int id, int words, int typos) {
      return "{\"id\":" + id + ",\"_rankingScore\":" + (words / 2.0) + ",\"_rankingScoreDetails\":{\"words\":{"
          + "\"order\":0,\"matchingWords\":" + words + ",\"maxMatchingWords\":2,\"score\":" + (words / 2.0)
          + "},\"typo\":{\"order\":1,\"typoCount\":" + typos + ",\"maxTypoCount\":1,\"score\":" + (1 - typos / 2.0)
          + "}}}";
    }

    static String hit(Random random) {
      StringBuilder out = new StringBuilder("{\"id\":1");
      int score = random.nextInt(10);
      if (score < 7) {
        out.append(",\"_rankingScore\":").append(number(random));
      } else if (score == 7) {
        out.append(",\"_rankingScore\":").append(odd(random));
      }
      int details = random.nextInt(20);
      if (details < 17) {
        out.append(",\"_rankingScoreDetails\":").append(details(random));
      } else if (details == 17) {
        out.append(",\"_rankingScoreDetails\":").append(odd(random));
      }
      if (random.nextInt(50) == 0) {
        out.append(",\"_federation\":{\"queriesPosition\":0}");
      }
      return out.append('}').toString();
    }

    private static String details(Random random) {
      List<String> names = new ArrayList<>();
      int n = random.nextInt(8);
      for (int i = 0; i < n; i++) {
        names.add(NAMES[random.nextInt(NAMES.length)]);
      }
      if (random.nextInt(4) > 0) {
        // Mostly distinct names, as Meilisearch writes them.
        names = new ArrayList<>(new java.util.LinkedHashSet<>(names));
      }
      StringBuilder out = new StringBuilder("{");
      for (int i = 0; i < names.size(); i++) {
        out.append(i == 0 ? "" : ",").append(space(random)).append('"').append(name(random, names.get(i))).append('"')
            .append(space(random)).append(':').append(space(random));
        out.append(random.nextInt(60) == 0 ? odd(random) : rule(random, names.get(i), i));
      }
      return out.append(space(random)).append('}').toString();
    }

    private static String rule(Random random, String name, int position) {
      List<String> fields = new ArrayList<>();
      int order = random.nextInt(12);
      if (order < 9) {
        // Usually the position; sometimes shuffled or tied.
        fields.add("\"order\":" + (order < 6 ? position : random.nextInt(4)));
      } else if (order == 9) {
        fields.add("\"order\":" + number(random));
      }
      int n = random.nextInt(6);
      for (int i = 0; i < n; i++) {
        String field = random.nextBoolean() ? wanted(random, name) : FIELDS[random.nextInt(FIELDS.length)];
        fields.add("\"" + name(random, field) + "\":" + value(random, field));
      }
      Collections.shuffle(fields, random);
      return "{" + String.join("," + space(random), fields) + "}";
    }

    private static String wanted(Random random, String name) {
      String[] fields = switch (name) {
        case "words" -> new String[] {"matchingWords", "maxMatchingWords", "score"};
        case "typo" -> new String[] {"typoCount", "maxTypoCount", "score"};
        case "attribute" -> new String[] {"attributeRankingOrderScore", "queryWordDistanceScore", "score"};
        case "exactness" -> new String[] {"matchType", "matchingWords", "maxMatchingWords", "score"};
        case "vectorSort" -> new String[] {"similarity", "value"};
        default -> name.startsWith("_geo") ? new String[] {"distance", "value"} : new String[] {"value", "score"};
      };
      return fields[random.nextInt(fields.length)];
    }

    private static String value(Random random, String field) {
      int kind = random.nextInt(20);
      if (kind == 0) {
        return odd(random);
      }
      if (field.equals("matchType")) {
        String[] types = {"exactMatch", "matchesStart", "noExactMatch", "exact\\u004datch", "exactMatc"};
        return "\"" + types[random.nextInt(types.length)] + "\"";
      }
      if (field.equals("value") && kind < 8) {
        String[] strings = {"\"abc\"", "\"caf\u00e9\"", "\"\u4e2d\u6587\"", "\"a\\\"b\"", "\"\"", "null",
            "{\"lat\":1.5,\"lng\":2}", "[0.1,0.2]"};
        return strings[random.nextInt(strings.length)];
      }
      return number(random);
    }

    private static String number(Random random) {
      return switch (random.nextInt(12)) {
        case 0 -> Integer.toString(random.nextInt(5));
        case 1 -> Long.toString(random.nextLong() >> random.nextInt(64));
        case 2 -> Double.toString(random.nextDouble());
        case 3 -> Double.toString(-random.nextDouble() * 1000);
        case 4 -> String.format(java.util.Locale.ROOT, "%.3e", random.nextDouble() * 1e5);
        case 5 -> String.format(java.util.Locale.ROOT, "%.2E", random.nextDouble());
        case 6 -> "-0";
        case 7 -> "0.0";
        case 8 -> "1234567890123456789012";
        case 9 -> "1e400";
        case 10 -> Double.toString(random.nextInt(7) / 7.0);
        default -> Integer.toString(random.nextInt(1000) - 500);
      };
    }

    /** A value of the wrong type, or an unusual one. */
    private static String odd(Random random) {
      String[] odd = {"null", "true", "false", "\"3\"", "\"x\"", "[]", "{}", "[1,{\"a\":\"]\"}]", "{\"order\":1}",
          "\"\\u0033\""};
      return odd[random.nextInt(odd.length)];
    }

    /** The name, sometimes written with an escape that decodes to it. */
    private static String name(Random random, String name) {
      if (random.nextInt(40) == 0 && !name.isEmpty() && name.charAt(0) < 128 && name.charAt(0) != '<') {
        return String.format("\\u%04x", (int) name.charAt(0)) + name.substring(1);
      }
      return name;
    }

    private static String space(Random random) {
      return random.nextInt(8) == 0 ? " \n\t" : "";
    }
  }
}
