package dev.miroir.router.search;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Random hits with the {@code _rankingScoreDetails} Meilisearch writes for the default ranking
 * rules plus a sort on {@code price}, and an independent oracle of the single node's order.
 */
final class SyntheticCorpus {

  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** One document and the ranks its rules gave it. */
  static final class Doc {
    int id; // insertion order: the single node's tie order
    int shard;
    int words; // of 3
    int typos; // of 2
    int proximity; // rank of 7
    int fid; // rank of 4
    int position; // rank of 5
    int exactType; // 1..3
    int exactWords; // 0..3
    Object price; // Double, String or null
    String series;

    String key() {
      return "doc-" + id;
    }
  }

  static List<Doc> docs(Random random, int count, int shards, boolean coarse) {
    List<Doc> docs = new ArrayList<>();
    String[] strings = {"apple", "Banana", "cherry", "ärger", "zeta", "\uD83D\uDE00"};
    for (int id = 0; id < count; id++) {
      Doc doc = new Doc();
      doc.id = id;
      doc.shard = random.nextInt(shards);
      // Coarse values make many ties, exercising the tie-break.
      int spread = coarse ? 2 : 1;
      doc.words = 1 + random.nextInt(3);
      doc.typos = random.nextInt(coarse ? 1 : 3);
      doc.proximity = 1 + random.nextInt(7 / spread);
      doc.fid = 1 + random.nextInt(4 / spread);
      doc.position = 1 + random.nextInt(5 / spread);
      doc.exactType = 1 + random.nextInt(3);
      doc.exactWords = random.nextInt(4);
      int kind = random.nextInt(6);
      doc.price =
          kind == 0
              ? null
              : kind == 1
                  ? strings[random.nextInt(strings.length)]
                  : (Object) (double) random.nextInt(coarse ? 3 : 50);
      doc.series = "s" + random.nextInt(count / 4 + 1);
      docs.add(doc);
    }
    return docs;
  }

  /** The hit a node returns for {@code doc}, with scores and details as forced by the router. */
  static ObjectNode hit(Doc doc, boolean withSort, boolean ascending) {
    ObjectNode hit = JSON.objectNode();
    hit.put("id", doc.key());
    hit.put("series", doc.series);
    hit.put(ShardStamp.GEO_FIELD, doc.shard);
    ObjectNode formatted = hit.putObject("_formatted");
    formatted.put("id", doc.key());
    formatted.put(ShardStamp.GEO_FIELD, Integer.toString(doc.shard));
    ObjectNode details = JSON.objectNode();
    int order = 0;
    details.putObject("words").put("order", order++).put("matchingWords", doc.words)
        .put("maxMatchingWords", 3).put("score", doc.words / 3.0);
    details.putObject("typo").put("order", order++).put("typoCount", doc.typos)
        .put("maxTypoCount", 2).put("score", (3 - doc.typos) / 3.0);
    details.putObject("proximity").put("order", order++).put("score", doc.proximity / 7.0);
    details.putObject("attribute").put("order", order++)
        .put("attributeRankingOrderScore", doc.fid / 4.0)
        .put("queryWordDistanceScore", doc.position / 5.0)
        .put("score", ((doc.fid - 1) * 5 + doc.position) / 20.0);
    if (withSort) {
      ObjectNode sort = details.putObject(ascending ? "price:asc" : "price:desc");
      sort.put("order", order++);
      if (doc.price == null) {
        sort.putNull("value");
      } else if (doc.price instanceof Double d) {
        sort.put("value", d);
      } else {
        sort.put("value", (String) doc.price);
      }
    }
    String match = doc.exactType == 3 ? "exactMatch" : doc.exactType == 2 ? "matchesStart" : "noExactMatch";
    ObjectNode exactness = details.putObject("exactness").put("order", order).put("matchType", match);
    if (doc.exactType == 1) {
      exactness.put("matchingWords", doc.exactWords).put("maxMatchingWords", 3);
    }
    exactness.put("score", doc.exactType / 3.0);
    hit.put("_rankingScore", firstGroupScore(doc, withSort));
    hit.set("_rankingScoreDetails", details);
    return hit;
  }

  /** Rank::merge of the rules before the sort (or of all when there is no sort), as a float. */
  static double firstGroupScore(Doc doc, boolean withSort) {
    long rank = doc.words;
    long max = 3;
    rank = (rank - 1) * 3 + (3 - doc.typos);
    max *= 3;
    rank = (rank - 1) * 7 + doc.proximity;
    max *= 7;
    rank = (rank - 1) * 4 + doc.fid;
    max *= 4;
    rank = (rank - 1) * 5 + doc.position;
    max *= 5;
    if (!withSort) {
      rank = (rank - 1) * 3 + doc.exactType;
      max *= 3;
      rank = (rank - 1) * 4 + (doc.exactType == 1 ? doc.exactWords + 1 : 4);
      max *= 4;
    }
    return (double) rank / max;
  }

  /** The single node's bucket order, written independently of the code under test. */
  static Comparator<Doc> singleNodeOrder(boolean withSort, boolean ascending) {
    Comparator<Doc> order =
        Comparator.<Doc>comparingInt(d -> -d.words)
            .thenComparingInt(d -> d.typos)
            .thenComparingInt(d -> -d.proximity)
            .thenComparingInt(d -> -d.fid)
            .thenComparingInt(d -> -d.position);
    if (withSort) {
      order = order.thenComparing((a, b) -> comparePrice(a.price, b.price, ascending));
    }
    return order
        .thenComparingInt(d -> -d.exactType)
        .thenComparingInt(d -> d.exactType == 1 ? -d.exactWords : 0);
  }

  /** Numbers, then strings, then missing; each part in the requested direction. */
  private static int comparePrice(Object a, Object b, boolean ascending) {
    int ca = a == null ? 2 : a instanceof Double ? 0 : 1;
    int cb = b == null ? 2 : b instanceof Double ? 0 : 1;
    if (ca != cb) {
      return Integer.compare(ca, cb);
    }
    int c;
    if (ca == 0) {
      c = Double.compare((Double) a, (Double) b);
    } else if (ca == 1) {
      c = new String(((String) a).getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1)
          .compareTo(new String(((String) b).getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1));
    } else {
      c = 0;
    }
    return ascending ? c : -c;
  }

  /** A node's search response: its docs in its own order (rules, then its insertion order). */
  static ObjectNode response(
      List<Doc> docsOfNode,
      Comparator<Doc> order,
      long required,
      boolean withSort,
      boolean ascending,
      String distinctSeries,
      boolean pageMode,
      long total) {
    List<Doc> sorted = new ArrayList<>(docsOfNode);
    sorted.sort(order.thenComparingInt(d -> d.id));
    ObjectNode response = JSON.objectNode();
    ArrayNode hits = response.putArray("hits");
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Doc doc : sorted) {
      if (hits.size() >= required) {
        break;
      }
      if (distinctSeries != null && !seen.add(doc.series)) {
        continue;
      }
      hits.add(hit(doc, withSort, ascending));
    }
    response.put("query", "q");
    response.put("processingTimeMs", docsOfNode.size() % 7);
    if (pageMode) {
      response.put("hitsPerPage", required).put("page", 1).put("totalPages", 1).put("totalHits", total);
    } else {
      response.put("limit", required).put("offset", 0).put("estimatedTotalHits", total);
    }
    return response;
  }
}
