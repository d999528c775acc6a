package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges {@code POST /indexes/{uid}/facet-search} answers of the nodes of a covering set (each
 * node asked with {@link ShardQueryBuilder#facetSearch}).
 *
 * <p>Counts are summed per facet value, identified by its normalized form (the first original
 * spelling met is shown). Order and cut follow milli {@code facet/search.rs}: with {@code alpha},
 * values in normalized order, the first {@code maxValuesPerFacet}; with {@code count}, most
 * frequent first, equal counts by value descending ({@code FacetValueHit} orders by count then
 * value, and the heap is emptied in reverse), cut at {@code maxValuesPerFacet}. Like the facet
 * distribution, {@code alpha} is exact and {@code count} is approximate when more values match
 * than a node returns.
 */
public final class FacetSearchMerger {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private FacetSearchMerger() {}

  /**
   * {@code {"facetHits": [{"value", "count"}], "facetQuery", "processingTimeMs"}}.
   *
   * @param order the {@code sortFacetValuesBy} of the searched facet
   * @param maxValues the index {@code maxValuesPerFacet}
   */
  public static ObjectNode merge(List<? extends JsonNode> responses, FacetOrder order, int maxValues) {
    Map<String, Object[]> byValue = new LinkedHashMap<>(); // normalized -> {original, count}
    long processingTime = 0;
    JsonNode facetQuery = null;
    for (JsonNode response : responses) {
      processingTime = Math.max(processingTime, response.path("processingTimeMs").asLong());
      if (facetQuery == null) {
        facetQuery = response.get("facetQuery");
      }
      for (JsonNode hit : response.path("facetHits")) {
        String value = hit.path("value").asText();
        Object[] entry =
            byValue.computeIfAbsent(FacetValues.normalize(value), n -> new Object[] {value, 0L});
        entry[1] = (Long) entry[1] + hit.path("count").asLong();
      }
    }
    List<Map.Entry<String, Object[]>> values = new ArrayList<>(byValue.entrySet());
    if (order == FacetOrder.COUNT) {
      values.sort(
          (a, b) -> {
            int c = Long.compare((Long) b.getValue()[1], (Long) a.getValue()[1]);
            return c != 0
                ? c
                : HitOrder.compareCodePoints((String) b.getValue()[0], (String) a.getValue()[0]);
          });
    } else {
      values.sort((a, b) -> HitOrder.compareCodePoints(a.getKey(), b.getKey()));
    }
    ObjectNode result = JSON.objectNode();
    ArrayNode hits = result.putArray("facetHits");
    for (int i = 0; i < values.size() && i < maxValues; i++) {
      hits.addObject()
          .put("value", (String) values.get(i).getValue()[0])
          .put("count", (Long) values.get(i).getValue()[1]);
    }
    result.set("facetQuery", facetQuery == null ? JSON.nullNode() : facetQuery);
    result.put("processingTimeMs", processingTime);
    return result;
  }
}
