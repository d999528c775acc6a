package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings of one logical index that the merge needs and that no single node response
 * carries. The router reads them from its copy of the index settings (identical on every node).
 *
 * @param maxTotalHits {@code pagination.maxTotalHits} (Meilisearch default 1000)
 * @param maxValuesPerFacet {@code faceting.maxValuesPerFacet} (default 100)
 * @param sortFacetValuesBy {@code faceting.sortFacetValuesBy}: facet name or {@code "*"} to order
 * @param distinctAttribute the index {@code distinctAttribute}, or null
 * @param placeholderRanked whether placeholder searches are ranked too: the ranking rules hold a
 *     custom {@code attribute:asc|desc} rule (true when unknown)
 * @param stamp how the index's documents carry their shard, from its filterable attributes
 */
public record IndexSearchSettings(
    int maxTotalHits,
    int maxValuesPerFacet,
    Map<String, FacetOrder> sortFacetValuesBy,
    String distinctAttribute,
    boolean placeholderRanked,
    ShardStamp stamp) {

  public static final int DEFAULT_MAX_TOTAL_HITS = 1000;
  public static final int DEFAULT_MAX_VALUES_PER_FACET = 100;

  public IndexSearchSettings {
    sortFacetValuesBy = Map.copyOf(sortFacetValuesBy);
  }

  /** Settings of an index of the current stamp form ({@link ShardStamp#GEO}). */
  public IndexSearchSettings(int maxTotalHits, int maxValuesPerFacet, Map<String, FacetOrder> sortFacetValuesBy,
      String distinctAttribute, boolean placeholderRanked) {
    this(maxTotalHits, maxValuesPerFacet, sortFacetValuesBy, distinctAttribute, placeholderRanked, ShardStamp.GEO);
  }

  /** Settings whose ranking rules are not known: placeholder searches are taken as ranked. */
  public IndexSearchSettings(
      int maxTotalHits, int maxValuesPerFacet, Map<String, FacetOrder> sortFacetValuesBy, String distinctAttribute) {
    this(maxTotalHits, maxValuesPerFacet, sortFacetValuesBy, distinctAttribute, true);
  }

  /** Meilisearch's defaults, no distinct attribute; ranking rules unknown. */
  public static IndexSearchSettings defaults() {
    return new IndexSearchSettings(
        DEFAULT_MAX_TOTAL_HITS, DEFAULT_MAX_VALUES_PER_FACET, Map.of(), null);
  }

  /**
   * What the merge needs, from an index's {@code GET /indexes/{uid}/settings} answer (the router's
   * settings cache; the benchmark's floor, which must shape queries as the router does).
   */
  public static IndexSearchSettings of(JsonNode settings) {
    JsonNode maxTotalHits = settings.path("pagination").path("maxTotalHits");
    JsonNode maxValues = settings.path("faceting").path("maxValuesPerFacet");
    Map<String, FacetOrder> orders = new HashMap<>();
    settings.path("faceting").path("sortFacetValuesBy").fields()
        .forEachRemaining(e -> orders.put(e.getKey(), FacetOrder.of(e.getValue().asText())));
    JsonNode distinct = settings.get("distinctAttribute");
    JsonNode rules = settings.get("rankingRules");
    boolean placeholderRanked = rules == null || !rules.isArray();
    if (!placeholderRanked) {
      for (JsonNode rule : rules) {
        // Custom rules (`rating:desc`) rank placeholder searches; the built-in ones do not.
        placeholderRanked |= !rule.isTextual() || rule.textValue().contains(":");
      }
    }
    return new IndexSearchSettings(
        maxTotalHits.isIntegralNumber() ? (int) Math.min(Integer.MAX_VALUE, maxTotalHits.longValue())
            : DEFAULT_MAX_TOTAL_HITS,
        maxValues.isIntegralNumber() ? (int) Math.min(Integer.MAX_VALUE, maxValues.longValue())
            : DEFAULT_MAX_VALUES_PER_FACET,
        orders,
        distinct == null || distinct.isNull() ? null : distinct.asText(),
        placeholderRanked,
        ShardStamp.of(settings.get("filterableAttributes")));
  }

  /** The order of one facet: its own entry, else the {@code "*"} entry, else alpha. */
  public FacetOrder facetOrder(String facet) {
    FacetOrder own = sortFacetValuesBy.get(facet);
    if (own != null) {
      return own;
    }
    return sortFacetValuesBy.getOrDefault("*", FacetOrder.ALPHA);
  }
}
