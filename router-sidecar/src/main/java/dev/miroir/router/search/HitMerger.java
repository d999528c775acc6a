package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Merges the search responses of the nodes of a covering set into the response one node holding
 * every document would give. Pure; the node responses are consumed (their hits are moved into the
 * result and edited in place, to keep the merge allocation-lean).
 *
 * <p>Order: see {@link HitOrder} and {@link RankedMerge}. Counts: the sum over shards, capped by
 * {@code maxTotalHits} like Meilisearch caps its own ({@code min(candidates, max_total_hits)}).
 * Offsets and limits are clamped to {@code maxTotalHits} as Meilisearch's {@code prepare_search}
 * does; the client's own values are echoed, as a node does. Field order is that of Meilisearch's
 * {@code SearchResult}: {@code hits, query, queryVector?, processingTimeMs}, then either
 * {@code limit, offset, estimatedTotalHits} or {@code hitsPerPage, page, totalPages, totalHits},
 * then {@code facetDistribution?, facetStats?, semanticHitCount?}.
 */
public final class HitMerger {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private HitMerger() {}

  /**
   * @param intent what the client asked, from {@link ShardQueryBuilder#search}
   * @param settings the index settings the merge needs
   * @param responses the node responses, one per node of the covering set (and of its failovers)
   */
  public static ObjectNode merge(
      SearchIntent intent, IndexSearchSettings settings, List<? extends JsonNode> responses) {
    long maxTotalHits = settings.maxTotalHits();
    long offset = Math.min(intent.offset(), maxTotalHits);
    long limit = Math.min(intent.limit(), Math.max(0, maxTotalHits - offset));

    List<JsonNode> hitLists = new ArrayList<>(responses.size());
    List<JsonNode> distributions = new ArrayList<>(responses.size());
    List<JsonNode> stats = new ArrayList<>(responses.size());
    long total = 0;
    long processingTime = 0;
    boolean semanticCounted = false;
    JsonNode query = null;
    JsonNode queryVector = null;
    for (JsonNode response : responses) {
      hitLists.add(response.get("hits"));
      distributions.add(response.get("facetDistribution"));
      stats.add(response.get("facetStats"));
      total += response.path(intent.pageMode() ? "totalHits" : "estimatedTotalHits").asLong();
      processingTime = Math.max(processingTime, response.path("processingTimeMs").asLong());
      semanticCounted |= response.has("semanticHitCount");
      if (query == null) {
        query = response.get("query");
      }
      if (queryVector == null) {
        queryVector = response.get("queryVector");
      }
    }

    RankedMerge.Window window =
        RankedMerge.merge(hitLists, single(intent), offset, limit);

    ObjectNode result = JSON.objectNode();
    var hits = result.putArray("hits");
    String[] dropped = dropped(intent).toArray(new String[0]);
    for (ObjectNode hit : window.hits()) {
      addForClient(hits, hit, intent, dropped);
    }
    result.set("query", query == null ? JSON.textNode("") : query);
    if (queryVector != null) {
      result.set("queryVector", queryVector);
    }
    result.put("processingTimeMs", processingTime);
    long totalHits = Math.min(total, maxTotalHits);
    if (intent.pageMode()) {
      long hitsPerPage = intent.hitsPerPage();
      result.put("hitsPerPage", hitsPerPage);
      result.put("page", intent.page());
      result.put("totalPages", hitsPerPage == 0 ? 0 : (totalHits + hitsPerPage - 1) / hitsPerPage);
      result.put("totalHits", totalHits);
    } else {
      // The client's own values, unclamped: a node echoes its query's offset and limit.
      result.put("limit", intent.limit());
      result.put("offset", intent.offset());
      result.put("estimatedTotalHits", totalHits);
    }
    ObjectNode distribution = FacetMerger.distribution(distributions, settings);
    if (distribution != null) {
      result.set("facetDistribution", distribution);
    }
    ObjectNode facetStats = FacetMerger.stats(stats);
    if (facetStats != null) {
      result.set("facetStats", facetStats);
    }
    if (semanticCounted) {
      result.put("semanticHitCount", window.semanticHits());
    }
    return result;
  }

  private static RankedMerge.Queries single(SearchIntent intent) {
    return new RankedMerge.Queries() {
      @Override
      public int position(int node, JsonNode hit) {
        return 0;
      }

      @Override
      public double weight(int position) {
        return intent.weight();
      }

      @Override
      public double semanticRatio(int position) {
        return intent.semanticRatio();
      }

      @Override
      public String distinct(int position) {
        return intent.distinctAttribute();
      }
    };
  }

  /**
   * Adds a hit as the client receives it; a hit read by {@link NodeAnswer} goes out as the node's
   * bytes without the router's fields (see {@link #forClient} for which).
   *
   * @param dropped {@link #dropped} of the intent, made once per merge rather than per hit
   */
  private static void addForClient(com.fasterxml.jackson.databind.node.ArrayNode hits, ObjectNode hit,
      SearchIntent intent, String[] dropped) {
    if (hit instanceof NodeAnswer.Hit read) {
      if (read.nested()) {
        hits.add(forClient(read.tree(), intent));
      } else {
        hits.addRawValue(read.without(dropped));
      }
    } else {
      hits.add(forClient(hit, intent));
    }
  }

  /** The top-level fields of a hit the client did not ask for. */
  private static Set<String> dropped(SearchIntent intent) {
    Set<String> drop = new java.util.HashSet<>(intent.addedAttributes());
    drop.addAll(ShardStamp.FIELDS);
    if (!intent.showRankingScore()) {
      drop.add("_rankingScore");
    }
    if (!intent.showRankingScoreDetails()) {
      drop.add("_rankingScoreDetails");
    }
    return drop;
  }

  /**
   * Removes what the client did not ask for: the shard stamp everywhere, the attributes
   * added for the merge, and the ranking scores unless requested. Everything else
   * ({@code _formatted}, {@code _matchesPosition}, {@code _geoDistance}, {@code _vectors},
   * {@code _semanticScore}, {@code _federation}) stays where the node put it.
   */
  static ObjectNode forClient(ObjectNode hit, SearchIntent intent) {
    Set<String> added = intent.addedAttributes();
    hit.remove(ShardStamp.FIELDS);
    hit.remove(added);
    for (String nested : new String[] {"_formatted", "_matchesPosition"}) {
      JsonNode inner = hit.get(nested);
      if (inner != null && inner.isObject()) {
        ((ObjectNode) inner).remove(ShardStamp.FIELDS);
        ((ObjectNode) inner).remove(added);
      }
    }
    if (!intent.showRankingScore()) {
      hit.remove("_rankingScore");
    }
    if (!intent.showRankingScoreDetails()) {
      hit.remove("_rankingScoreDetails");
    }
    return hit;
  }
}
