package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The order Meilisearch gives hits, over {@link RankingKey}s. Every method returns a positive
 * number when the left hit ranks <b>before</b> the right one (Meilisearch's "greater is better").
 *
 * <ul>
 *   <li>Hits of one query and one source: rule by rule ({@link #byRules}), the single node's own
 *       bucket order.
 *   <li>Hits of one hybrid query, one keyword and one semantic: milli {@code hybrid.rs}
 *       {@code compare_scores}, score groups multiplied by {@code 1 - semanticRatio} and
 *       {@code semanticRatio}; on a tie the semantic hit first ({@code merge_by(.. is_ge())} takes
 *       the vector list's hit).
 *   <li>Hits of different queries of a federated search: meilisearch
 *       {@code federated/weighted_scores.rs} {@code compare} on weighted groups, then the lower
 *       query position first ({@code perform.rs}).
 * </ul>
 *
 * What is left equal is broken by the caller (shard, then position in the shard's own list).
 */
final class HitOrder {

  private HitOrder() {}

  static int compare(RankingKey a, RankingKey b) {
    if (a.queryPosition != b.queryPosition) {
      int federated = federated(a, b);
      if (federated != 0) {
        return federated;
      }
      return a.queryPosition < b.queryPosition ? 1 : -1;
    }
    if (a.semantic != b.semantic && !Double.isNaN(a.semanticRatio)) {
      int hybrid = hybrid(a, b);
      if (hybrid != 0) {
        return hybrid;
      }
      return a.semantic ? 1 : -1;
    }
    if (a.detailed && b.detailed) {
      return byRules(a, b);
    }
    return federated(a, b);
  }

  /** Lexicographic over every rule and sub-rule: the single node's bucket sort. */
  static int byRules(RankingKey a, RankingKey b) {
    int n = Math.min(a.rules, b.rules);
    for (int i = 0; i < n; i++) {
      byte kind = a.kind[i];
      if (kind != b.kind[i]) {
        // Only a degraded search ("skipped") changes the shape of the details; Meilisearch's own
        // answer to incomparable details is the group comparison.
        return federated(a, b);
      }
      int c =
          switch (kind) {
            case RankingKey.RANK -> compareRank(a, b, i);
            case RankingKey.SORT -> compareSortValues(a.ascending[i], a.value[i], b.value[i]);
            case RankingKey.GEO -> compareGeo(a.ascending[i], a.score[i], b.score[i]);
            case RankingKey.VECTOR -> compareFloat(a.score[i], b.score[i], RankingKey.EPSILON);
            default -> 0;
          };
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.rules, b.rules);
  }

  private static int compareRank(RankingKey a, RankingKey b, int i) {
    long aMax = a.maxRank[i];
    long bMax = b.maxRank[i];
    if (aMax > 0 && bMax > 0) {
      return Long.compare(a.rank[i] * bMax, b.rank[i] * aMax);
    }
    return compareFloat(a.score[i], b.score[i], RankingKey.EPSILON);
  }

  private static int compareFloat(double a, double b, double epsilon) {
    if (Math.abs(a - b) <= epsilon) {
      return 0;
    }
    return a < b ? -1 : 1;
  }

  /** milli {@code compare_sort_values}: missing last, numbers before strings, then by direction. */
  static int compareSortValues(boolean ascending, JsonNode a, JsonNode b) {
    boolean aNull = a == null || a.isNull();
    boolean bNull = b == null || b.isNull();
    if (aNull || bNull) {
      return aNull == bNull ? 0 : aNull ? -1 : 1;
    }
    int order;
    if (a.isNumber() && b.isNumber()) {
      order = Double.compare(a.doubleValue(), b.doubleValue());
      if (a.doubleValue() == b.doubleValue()) {
        order = 0; // -0.0 and 0.0 are one facet value
      }
    } else if (a.isNumber() && b.isTextual()) {
      return 1;
    } else if (a.isTextual() && b.isNumber()) {
      return -1;
    } else if (a.isTextual() && b.isTextual()) {
      order = compareCodePoints(a.textValue(), b.textValue());
    } else {
      return 0;
    }
    // Ascending: the smaller value is the better one.
    return ascending ? -Integer.signum(order) : Integer.signum(order);
  }

  /** Rust's {@code str} order: UTF-8 bytes, which is code point order (not UTF-16 units). */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** milli {@code GeoSort::partial_cmp}: a document without {@code _geo} last. */
  private static int compareGeo(boolean ascending, double a, double b) {
    boolean aMissing = Double.isNaN(a);
    boolean bMissing = Double.isNaN(b);
    if (aMissing || bMissing) {
      return aMissing == bMissing ? 0 : aMissing ? -1 : 1;
    }
    int order = Double.compare(a, b);
    if (a == b) {
      order = 0;
    }
    return ascending ? -order : order;
  }

  /**
   * meilisearch {@code weighted_scores::compare}, reproduced as it is, including its geo branch
   * that compares distances without the direction: a single node merging two queries does the
   * same, and that is the answer we must equal. Within one query we never come here.
   */
  static int federated(RankingKey a, RankingKey b) {
    double aWeight = a.preWeighted ? 1.0 : a.weight;
    double bWeight = b.preWeighted ? 1.0 : b.weight;
    double aGlobal = a.preWeighted ? a.globalScore : a.globalScore * a.weight;
    double bGlobal = b.preWeighted ? b.globalScore : b.globalScore * b.weight;
    int i = 0;
    while (true) {
      boolean aEnd = i >= a.groups;
      boolean bEnd = i >= b.groups;
      if (aEnd || bEnd) {
        return aEnd == bEnd ? 0 : aEnd ? -1 : 1;
      }
      byte aKind = a.groupKind[i];
      byte bKind = b.groupKind[i];
      boolean aScore = aKind == RankingKey.RANK || aKind == RankingKey.VECTOR;
      boolean bScore = bKind == RankingKey.RANK || bKind == RankingKey.VECTOR;
      if (aScore && bScore) {
        double l = a.groupScore[i] * aWeight;
        double r = b.groupScore[i] * bWeight;
        if (Math.abs(l - r) > RankingKey.GROUP_EPSILON) {
          return l < r ? -1 : 1;
        }
      } else if (aKind == RankingKey.SORT && bKind == RankingKey.SORT) {
        if (a.groupAscending[i] != b.groupAscending[i]) {
          return Double.compare(aGlobal, bGlobal);
        }
        int c = compareSortValues(a.groupAscending[i], a.groupValue[i], b.groupValue[i]);
        if (c != 0) {
          return c;
        }
      } else if (aKind == RankingKey.GEO && bKind == RankingKey.GEO) {
        if (a.groupAscending[i] == b.groupAscending[i]) {
          double l = a.groupScore[i];
          double r = b.groupScore[i];
          boolean lMissing = Double.isNaN(l);
          boolean rMissing = Double.isNaN(r);
          if (lMissing != rMissing) {
            return lMissing ? -1 : 1;
          }
          if (!lMissing && Math.abs(l - r) > RankingKey.GROUP_EPSILON) {
            return l < r ? -1 : 1;
          }
        }
      } else if (aKind == RankingKey.HIDDEN && bKind == RankingKey.HIDDEN) {
        // No value to compare: tie, as the single node would see equal values only by chance.
      } else {
        // Not comparable: the side with more groups left wins, then the weighted global score.
        int c = Integer.compare(a.groups - i - 1, b.groups - i - 1);
        return c != 0 ? c : Double.compare(aGlobal, bGlobal);
      }
      i++;
    }
  }

  /** milli {@code hybrid.rs} {@code compare_scores}: groups times each side's ratio. */
  static int hybrid(RankingKey a, RankingKey b) {
    // The ratio is an f32 in Meilisearch, and 1 - ratio is computed in f32 too.
    float semanticRatio = (float) a.semanticRatio;
    double aRatio = a.semantic ? semanticRatio : (double) (1.0f - semanticRatio);
    double bRatio = b.semantic ? semanticRatio : (double) (1.0f - semanticRatio);
    int i = 0;
    while (true) {
      boolean aEnd = i >= a.groups;
      boolean bEnd = i >= b.groups;
      if (aEnd || bEnd) {
        return aEnd == bEnd ? 0 : aEnd ? -1 : 1;
      }
      byte aKind = a.groupKind[i];
      byte bKind = b.groupKind[i];
      boolean aScore = aKind == RankingKey.RANK || aKind == RankingKey.VECTOR;
      boolean bScore = bKind == RankingKey.RANK || bKind == RankingKey.VECTOR;
      if (aScore && bScore) {
        double l = a.groupScore[i] * aRatio;
        double r = b.groupScore[i] * bRatio;
        if (Math.abs(l - r) > RankingKey.GROUP_EPSILON) {
          return l < r ? -1 : 1;
        }
      } else if (aScore) {
        return a.groupScore[i] == 0 ? -1 : 1;
      } else if (bScore) {
        return b.groupScore[i] == 0 ? 1 : -1;
      } else if (aKind == RankingKey.SORT && bKind == RankingKey.SORT) {
        int c = compareSortValues(a.groupAscending[i], a.groupValue[i], b.groupValue[i]);
        if (c != 0) {
          return c;
        }
      } else if (aKind == RankingKey.GEO && bKind == RankingKey.GEO) {
        int c = compareGeo(a.groupAscending[i], a.groupScore[i], b.groupScore[i]);
        if (c != 0) {
          return c;
        }
      }
      i++;
    }
  }
}
