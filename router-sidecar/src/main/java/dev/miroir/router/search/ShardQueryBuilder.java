package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Turns a client search body into the body each node receives. Pure: JSON in, JSON out.
 *
 * <p>Every node is asked for the first offset + limit hits (page mode: the first page x hitsPerPage,
 * still in page mode so each node counts its hits exhaustively, as the single node would), with
 * ranking scores and their details forced on because the merge compares hits rule by rule. The
 * distinct attribute, which the merge reads to deduplicate across shards, is added to
 * {@code attributesToRetrieve} when the client left it out, and remembered in the
 * {@link SearchIntent} so the merge strips it again.
 *
 * <p>{@code distinct} needs no over-fetch: a shard's best hit for a distinct value is that value's
 * best hit across shards whenever it is the global best, and every value ranked above it on that
 * shard is also ranked above it globally, so the union of every shard's first offset + limit
 * distinct hits already holds the first offset + limit globally distinct hits. The merge only
 * deduplicates values that several shards hold.
 *
 * <p>Everything else ({@code q}, {@code sort}, {@code facets}, {@code hybrid}, {@code vector},
 * {@code retrieveVectors}, {@code rankingScoreThreshold}, highlighting and cropping, locales) is
 * passed through unchanged. A value of the wrong type is also passed through unchanged, so the
 * node answers with Meilisearch's own error.
 */
public final class ShardQueryBuilder {

  static final long DEFAULT_LIMIT = 20;
  static final long DEFAULT_PAGE = 1;
  static final double DEFAULT_SEMANTIC_RATIO = 0.5;

  private ShardQueryBuilder() {}

  /**
   * The node body template and the client intent for one search; {@code stamp}: the index's shard
   * stamp, which the shard filter names.
   */
  public record ShardSearch(ObjectNode template, SearchIntent intent, ShardStamp stamp) {

    /** The body for a node answering for {@code shards}: the template with the shard filter. */
    public ObjectNode forShards(Collection<Integer> shards) {
      ObjectNode body = template.deepCopy();
      body.set("filter", ShardFilter.restrict(template.get("filter"), shards, stamp));
      return body;
    }

    /**
     * The body for a node answering for {@code shards}. {@code exclusive}: the node holds documents
     * of no other shard, so the shard filter would keep every document it has and only costs the
     * node a filter evaluation per search; the template goes as it is.
     */
    public ObjectNode forNode(Collection<Integer> shards, boolean exclusive) {
      return exclusive ? template : forShards(shards);
    }
  }

  /** Plans one search on an index ({@code POST /indexes/{uid}/search} body). */
  public static ShardSearch search(ObjectNode client, IndexSearchSettings settings) {
    return build(client, settings, 1.0, true);
  }

  /**
   * Plans one query of a federated multi-search: the per-query body inside the node's own
   * federated request. Offset and limit belong to the federation, so only the scores, the retrieved
   * attributes and the weight are handled here; see {@link FederatedSearch}.
   */
  static ShardSearch federatedQuery(ObjectNode query, IndexSearchSettings settings, double weight) {
    return build(query, settings, weight, false);
  }

  private static ShardSearch build(
      ObjectNode client, IndexSearchSettings settings, double weight, boolean paginate) {
    ObjectNode node = client.deepCopy();

    boolean pageMode = client.hasNonNull("page") || client.hasNonNull("hitsPerPage");
    long offset = naturalOr(client.get("offset"), 0);
    long limit = naturalOr(client.get("limit"), DEFAULT_LIMIT);
    long page = naturalOr(client.get("page"), DEFAULT_PAGE);
    long hitsPerPage = naturalOr(client.get("hitsPerPage"), DEFAULT_LIMIT);
    if (!paginate) {
      // Federated queries must carry no pagination (Meilisearch rejects it): the federation has it.
    } else if (pageMode) {
      if (page >= 0 && hitsPerPage >= 0) {
        // Page 0 asks for no hit but still for the count; keep it as is.
        node.put("page", page == 0 ? 0 : 1);
        node.put("hitsPerPage", saturatedProduct(Math.max(page, 1), hitsPerPage));
        offset = page == 0 ? 0 : saturatedProduct(page - 1, hitsPerPage);
        limit = page == 0 ? 0 : hitsPerPage;
      }
    } else if (offset >= 0 && limit >= 0) {
      node.put("offset", 0);
      node.put("limit", Math.min(Integer.MAX_VALUE, offset + limit));
    }

    boolean showRankingScore = booleanOr(client.get("showRankingScore"), false);
    boolean showRankingScoreDetails = booleanOr(client.get("showRankingScoreDetails"), false);
    boolean noHit = pageMode ? page == 0 || hitsPerPage == 0 : offset >= 0 && limit == 0;
    if (ranksAcrossNodes(client, settings, paginate, noHit)) {
      forceTrue(node, "showRankingScore");
      forceTrue(node, "showRankingScoreDetails");
    }

    String distinct =
        client.hasNonNull("distinct") && client.get("distinct").isTextual()
            ? client.get("distinct").textValue()
            : settings.distinctAttribute();

    Set<String> added = new LinkedHashSet<>();
    JsonNode retrieve = client.get("attributesToRetrieve");
    if (distinct != null
        && retrieve != null
        && retrieve.isArray()
        && !containsText(retrieve, "*")) {
      ArrayNode widened = ((ArrayNode) retrieve).deepCopy();
      if (distinct != null && !containsText(widened, distinct)) {
        widened.add(distinct);
        added.add(distinct);
        node.set("attributesToRetrieve", widened);
      }
    }

    double semanticRatio = Double.NaN;
    JsonNode hybrid = client.get("hybrid");
    if (hybrid != null && hybrid.isObject()) {
      JsonNode ratio = hybrid.get("semanticRatio");
      semanticRatio = ratio != null && ratio.isNumber() ? ratio.doubleValue() : DEFAULT_SEMANTIC_RATIO;
    }

    SearchIntent intent =
        new SearchIntent(
            pageMode,
            offset,
            limit,
            page,
            hitsPerPage,
            showRankingScore,
            showRankingScoreDetails,
            added,
            distinct,
            semanticRatio,
            weight);
    return new ShardSearch(node, intent, settings.stamp());
  }

  /**
   * Whether the merge compares hits of different nodes, and so needs their scores and details.
   * It does not when no hit is asked for (limit 0, page 0: counts and facets only), nor for a
   * placeholder search without sort on an index without custom ranking rules
   * ({@code rating:desc}): every hit then has the same empty details and score, so
   * every comparison is a tie broken by covering-set order, with or without them. A node computes
   * and writes score details for every hit it returns, and the router parses them: leaving them
   * out where they decide nothing saves both.
   */
  static boolean ranksAcrossNodes(ObjectNode client, IndexSearchSettings settings, boolean paginate, boolean noHit) {
    if (!paginate) {
      return true; // a federated query: hits of several queries are compared by their scores
    }
    if (noHit) {
      return false;
    }
    JsonNode q = client.get("q");
    boolean placeholder = q == null || q.isNull() || (q.isTextual() && q.textValue().isEmpty());
    JsonNode sort = client.get("sort");
    boolean sorted = sort != null && !sort.isNull() && !(sort.isArray() && sort.isEmpty());
    boolean semantic = client.hasNonNull("hybrid") || client.hasNonNull("vector");
    return !placeholder || sorted || semantic || settings.placeholderRanked();
  }

  /** The body for a facet search on a node: the client body with the shard filter, nothing else. */
  public static ObjectNode facetSearch(ObjectNode client, Collection<Integer> shards, ShardStamp stamp) {
    ObjectNode node = client.deepCopy();
    node.set("filter", ShardFilter.restrict(client.get("filter"), shards, stamp));
    return node;
  }

  private static void forceTrue(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || value.isBoolean()) {
      node.put(field, true);
    }
  }

  /** The value as a non-negative integer, the default when absent or null, -1 when invalid. */
  static long naturalOr(JsonNode value, long absent) {
    if (value == null || value.isNull()) {
      return absent;
    }
    if (value.canConvertToExactIntegral() && value.longValue() >= 0) {
      return value.longValue();
    }
    return -1;
  }

  private static boolean booleanOr(JsonNode value, boolean absent) {
    return value != null && value.isBoolean() ? value.booleanValue() : absent;
  }

  private static boolean containsText(JsonNode array, String text) {
    for (JsonNode element : array) {
      if (element.isTextual() && element.textValue().equals(text)) {
        return true;
      }
    }
    return false;
  }

  private static long saturatedProduct(long a, long b) {
    long product = a * b;
    if (a != 0 && (product / a != b || product > Integer.MAX_VALUE)) {
      return Integer.MAX_VALUE;
    }
    return Math.min(product, Integer.MAX_VALUE);
  }
}
