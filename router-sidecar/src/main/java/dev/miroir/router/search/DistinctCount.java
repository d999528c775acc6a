package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The hit count of a search with {@code distinct}, which no sum of shard counts gives: a value held
 * by several shards is counted once by one node holding them all. Pure.
 *
 * <p>Each node of a covering set is also asked for all its distinct hits (at most
 * {@code maxTotalHits}, only the distinct attribute retrieved): a node returns one hit per value, so
 * the union of the values is the exact count, up to {@code maxTotalHits} (beyond it, the count is
 * capped anyway). Hits without the attribute are all kept by Meilisearch and counted one by one.
 *
 * <p>Where it applies: page mode ({@code totalHits} is exhaustive on a node, so it is exactly this
 * count), and offset/limit mode when the count fits within offset + limit (the node then ran out of
 * values while filling the page, so its estimate is exhaustive too). Otherwise a node's
 * {@code estimatedTotalHits} with distinct depends on how far its bucket sort went, which no merge
 * can reproduce; the summed estimate is kept.
 */
public final class DistinctCount {

  private DistinctCount() {}

  /** The counting request for a node, from its search body (already restricted to its shards). */
  public static ObjectNode countQuery(ObjectNode nodeSearch, String distinct, int maxTotalHits) {
    ObjectNode count = nodeSearch.deepCopy();
    for (String field : List.of("facets", "attributesToHighlight", "attributesToCrop", "showMatchesPosition",
        "showRankingScore", "showRankingScoreDetails", "page", "hitsPerPage", "retrieveVectors")) {
      count.remove(field);
    }
    count.putArray("attributesToRetrieve").add(distinct);
    count.put("distinct", distinct);
    count.put("offset", 0);
    count.put("limit", maxTotalHits);
    return count;
  }

  /** The number of distinct values among the nodes' counting answers, hits without a value each one. */
  public static long count(List<? extends JsonNode> countAnswers, String distinct) {
    Set<String> values = new HashSet<>();
    long withoutValue = 0;
    for (JsonNode answer : countAnswers) {
      for (JsonNode hit : answer.path("hits")) {
        List<String> identities = FacetValues.identities(hit, distinct);
        if (identities.isEmpty()) {
          withoutValue++;
        } else {
          values.addAll(identities);
        }
      }
    }
    return values.size() + withoutValue;
  }

  /** Replaces the merged count by the distinct count where that is what a node would report. */
  public static void correct(ObjectNode merged, SearchIntent intent, long distinctCount, int maxTotalHits) {
    long total = Math.min(distinctCount, maxTotalHits);
    if (intent.pageMode()) {
      merged.put("totalHits", total);
      long hitsPerPage = intent.hitsPerPage();
      merged.put("totalPages", hitsPerPage == 0 ? 0 : (total + hitsPerPage - 1) / hitsPerPage);
    } else if (distinctCount <= intent.offset() + intent.limit()) {
      merged.put("estimatedTotalHits", total);
    }
  }
}
