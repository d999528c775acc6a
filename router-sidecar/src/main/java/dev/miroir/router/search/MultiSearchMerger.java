package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Merges {@code POST /multi-search} answers.
 *
 * <ul>
 *   <li>Plain form: every query is an ordinary search, planned by
 *       {@link ShardQueryBuilder#search} and merged by {@link HitMerger#merge}; {@link #plain}
 *       only wraps the results as Meilisearch does ({@code {"results": [{"indexUid", ...}]}}).
 *   <li>Federated form: {@link FederatedSearch} plans the node requests and {@link #federated}
 *       merges them following meilisearch {@code federated/perform.rs}.
 * </ul>
 */
public final class MultiSearchMerger {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private MultiSearchMerger() {}

  /** A node's federated answer next to the request that produced it. */
  public record NodeAnswer(FederatedSearch.NodeRequest request, JsonNode response) {}

  /**
   * {@code {"results": [...]}}, each result being {@code indexUid} followed by the merged search
   * result fields ({@code SearchResultWithIndex} flattens the result after the uid).
   */
  public static ObjectNode plain(List<String> indexUids, List<ObjectNode> mergedResults) {
    ObjectNode out = JSON.objectNode();
    ArrayNode results = out.putArray("results");
    for (int i = 0; i < mergedResults.size(); i++) {
      ObjectNode result = results.addObject();
      result.put("indexUid", indexUids.get(i));
      result.setAll(mergedResults.get(i));
    }
    return out;
  }

  /**
   * The federated result: {@code hits, processingTimeMs, limit, offset, estimatedTotalHits,
   * queryVectors?, semanticHitCount?, facetDistribution?, facetStats?, facetsByIndex?}
   * (meilisearch {@code FederatedSearchResult}). Hits are ordered as {@link HitOrder} says; each
   * keeps its {@code _federation} object with {@code queriesPosition} mapped back to the client's.
   * {@code estimatedTotalHits} is the plain sum: Meilisearch does not cap the federated count.
   */
  public static ObjectNode federated(FederatedSearch search, List<NodeAnswer> answers) {
    List<JsonNode> hitLists = new ArrayList<>(answers.size());
    long total = 0;
    long processingTime = 0;
    boolean semanticCounted = false;
    TreeMap<Integer, JsonNode> queryVectors = null;
    for (NodeAnswer answer : answers) {
      JsonNode response = answer.response();
      hitLists.add(response.get("hits"));
      total += response.path("estimatedTotalHits").asLong();
      processingTime = Math.max(processingTime, response.path("processingTimeMs").asLong());
      semanticCounted |= response.has("semanticHitCount");
      if (response.get("queryVectors") instanceof ObjectNode vectors) {
        if (queryVectors == null) {
          queryVectors = new TreeMap<>();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vectors.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> vector = it.next();
          int local = Integer.parseInt(vector.getKey());
          queryVectors.putIfAbsent(answer.request().queryPositions()[local], vector.getValue());
        }
      }
    }

    RankedMerge.Queries queries =
        new RankedMerge.Queries() {
          @Override
          public int position(int node, JsonNode hit) {
            int local = hit.path("_federation").path("queriesPosition").asInt();
            int[] positions = answers.get(node).request().queryPositions();
            return local >= 0 && local < positions.length ? positions[local] : local;
          }

          @Override
          public double weight(int position) {
            return search.intentOf(position).weight();
          }

          @Override
          public double semanticRatio(int position) {
            return search.intentOf(position).semanticRatio();
          }

          @Override
          public String distinct(int position) {
            return search.intentOf(position).distinctAttribute();
          }
        };
    RankedMerge.Window window =
        RankedMerge.merge(hitLists, queries, search.offset(), search.limit());

    ObjectNode result = JSON.objectNode();
    ArrayNode hits = result.putArray("hits");
    for (int i = 0; i < window.hits().size(); i++) {
      ObjectNode hit = window.hits().get(i);
      int position = window.queryPositions()[i];
      if (hit.get("_federation") instanceof ObjectNode federation) {
        federation.put("queriesPosition", position);
        federation.remove("weightedScoreValues");
      }
      hits.add(HitMerger.forClient(hit, search.intentOf(position)));
    }
    result.put("processingTimeMs", processingTime);
    result.put("limit", search.limit());
    result.put("offset", search.offset());
    result.put("estimatedTotalHits", total);
    if (queryVectors != null) {
      ObjectNode vectors = result.putObject("queryVectors");
      queryVectors.forEach((position, vector) -> vectors.set(Integer.toString(position), vector));
    }
    if (semanticCounted) {
      result.put("semanticHitCount", window.semanticHits());
    }
    mergeFacets(search, answers, result);
    return result;
  }

  private static void mergeFacets(FederatedSearch search, List<NodeAnswer> answers, ObjectNode result) {
    TreeMap<String, ObjectNode> byIndex = new TreeMap<>(HitOrder::compareCodePoints);
    for (String index : search.facetedIndexes()) {
      List<JsonNode> distributions = new ArrayList<>();
      List<JsonNode> stats = new ArrayList<>();
      for (NodeAnswer answer : answers) {
        JsonNode facets = answer.response().path("facetsByIndex").get(index);
        if (facets != null) {
          distributions.add(facets.get("distribution"));
          stats.add(facets.get("stats"));
        }
      }
      if (distributions.isEmpty()) {
        continue;
      }
      ObjectNode computed = JSON.objectNode();
      ObjectNode distribution = FacetMerger.distribution(distributions, search.settingsOf(index));
      ObjectNode facetStats = FacetMerger.stats(stats);
      computed.set("distribution", distribution == null ? JSON.objectNode() : distribution);
      computed.set("stats", facetStats == null ? JSON.objectNode() : facetStats);
      byIndex.put(index, computed);
    }
    if (byIndex.isEmpty()) {
      return;
    }
    JsonNode merge = search.mergeFacets();
    if (merge == null) {
      ObjectNode facetsByIndex = result.putObject("facetsByIndex");
      byIndex.forEach(facetsByIndex::set);
      return;
    }
    List<JsonNode> distributions = new ArrayList<>();
    List<JsonNode> stats = new ArrayList<>();
    byIndex.values().forEach(c -> {
      distributions.add(c.get("distribution"));
      stats.add(c.get("stats"));
    });
    // The order of a facet comes from the first index (uid order) that has it; Meilisearch
    // refuses the request when two indexes disagree, so any would do.
    Function<String, FacetOrder> orderOf =
        facet -> {
          for (Map.Entry<String, ObjectNode> entry : byIndex.entrySet()) {
            if (entry.getValue().path("distribution").has(facet)) {
              return search.settingsOf(entry.getKey()).facetOrder(facet);
            }
          }
          return FacetOrder.ALPHA;
        };
    JsonNode max = merge.get("maxValuesPerFacet");
    Integer maxValues = max != null && max.canConvertToInt() ? max.intValue() : null;
    result.set("facetDistribution", FacetMerger.mergeAcrossIndexes(distributions, orderOf, maxValues));
    ObjectNode mergedStats = FacetMerger.stats(stats);
    result.set("facetStats", mergedStats == null ? JSON.objectNode() : mergedStats);
  }
}
