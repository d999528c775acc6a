package dev.miroir.router.search;

import java.util.Set;

/**
 * What the client asked for that the per-node requests had to change, kept so the merge can give
 * the client exactly the response one node would have given.
 *
 * @param pageMode true when the client used {@code page}/{@code hitsPerPage}
 * @param offset the client offset (page mode: {@code (page - 1) * hitsPerPage}), before clamping
 * @param limit the client limit (page mode: {@code hitsPerPage}), before clamping
 * @param page the client page (page mode only; 0 asks for no hit)
 * @param hitsPerPage the client hitsPerPage (page mode only)
 * @param showRankingScore whether the client asked for {@code _rankingScore}
 * @param showRankingScoreDetails whether the client asked for {@code _rankingScoreDetails}
 * @param addedAttributes attributes added to {@code attributesToRetrieve} for the merge, to strip
 * @param distinctAttribute the attribute to deduplicate across shards by, or null
 * @param semanticRatio the hybrid {@code semanticRatio}, or NaN when the query is not hybrid
 * @param weight the federated weight of the query (1.0 outside federation)
 */
public record SearchIntent(
    boolean pageMode,
    long offset,
    long limit,
    long page,
    long hitsPerPage,
    boolean showRankingScore,
    boolean showRankingScoreDetails,
    Set<String> addedAttributes,
    String distinctAttribute,
    double semanticRatio,
    double weight) {

  public SearchIntent {
    addedAttributes = Set.copyOf(addedAttributes);
  }

  /** How many hits each node must return for the merge to be exact: offset + limit. */
  public long requiredHits() {
    return pageMode ? page * hitsPerPage : offset + limit;
  }

  public boolean hybrid() {
    return !Double.isNaN(semanticRatio);
  }
}
