package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The ranking of one hit, read once from the JSON a node returned and then compared many times.
 *
 * <p>Two views are kept, because Meilisearch itself orders hits in two ways:
 *
 * <ul>
 *   <li><b>Rules</b>: one component per ranking rule and sub-rule, in rule order. A single node
 *       sorts hits of one query by bucket sort, rule after rule, so comparing these
 *       lexicographically reproduces its order exactly. Words, typo and exactness carry integer
 *       ranks in {@code _rankingScoreDetails} ({@code matchingWords/maxMatchingWords},
 *       {@code typoCount/maxTypoCount}, {@code matchType}), compared exactly as fractions;
 *       proximity, attribute ({@code attributeRankingOrderScore}, then
 *       {@code queryWordDistanceScore}) and vector similarity only exist as floats, compared with
 *       {@link #EPSILON}. Since every hit of one query shares the same maximum ranks, equal ranks
 *       give bit-identical floats and the epsilon never merges different ranks.
 *   <li><b>Groups</b>: Meilisearch's {@code weighted_score_values} (milli {@code score_details.rs}):
 *       consecutive rank rules merged into one score ({@code Rank::merge}), sort values, geo
 *       distances, vector similarities. Federated search compares hits of <i>different</i> queries
 *       this way, and hybrid search compares keyword hits with semantic hits this way. The first
 *       score group is the hit's {@code _rankingScore}, exact. A later score group is rebuilt from
 *       the per-rule scores with {@code s = s_prev + (s_rule - 1) / P_prev}, which needs the
 *       maximum rank of every rule but the group's last; when one is unknown (proximity,
 *       attribute, exact-match exactness) the group keeps its exact prefix: an approximation that
 *       only matters when two hits of different queries tie on everything before that group.
 * </ul>
 */
final class RankingKey {

  /** Float comparisons: far below any gap between two ranks of one rule. */
  static final double EPSILON = 1e-12;

  /** Meilisearch's federated epsilon on group scores ({@code f64::EPSILON}). */
  static final double GROUP_EPSILON = Math.ulp(1.0);

  static final byte RANK = 0;
  static final byte SORT = 1;
  static final byte GEO = 2;
  static final byte VECTOR = 3;
  /** A sort rule on a field that is not displayed: Meilisearch shows no value, so it ties. */
  static final byte HIDDEN = 4;

  // Rules view.
  int rules;
  byte[] kind = new byte[8];
  long[] rank = new long[8];
  long[] maxRank = new long[8];
  double[] score = new double[8];
  boolean[] ascending = new boolean[8];
  JsonNode[] value = new JsonNode[8];

  // Groups view (unweighted unless preWeighted).
  int groups;
  byte[] groupKind = new byte[4];
  double[] groupScore = new double[4];
  boolean[] groupAscending = new boolean[4];
  JsonNode[] groupValue = new JsonNode[4];

  /** {@code _rankingScore}: the first score group. */
  double globalScore = 1.0;
  /** True when the groups came from {@code weightedScoreValues}, already weighted. */
  boolean preWeighted;
  /** True when the rules view is usable (the hit had {@code _rankingScoreDetails}). */
  boolean detailed;
  /** The hit came from the semantic side of a hybrid search (its details are a vector sort). */
  boolean semantic;

  // Where the hit comes from, for weights and the tie-break.
  int queryPosition;
  double weight = 1.0;
  double semanticRatio = Double.NaN;

  /** Reads the ranking of {@code hit}; scores and details must have been asked for. */
  static RankingKey of(JsonNode hit, int queryPosition, double weight, double semanticRatio) {
    RankingKey key = new RankingKey();
    key.queryPosition = queryPosition;
    key.weight = weight;
    key.semanticRatio = semanticRatio;
    JsonNode global = ranking(hit, "_rankingScore");
    boolean hasGlobal = global != null && global.isNumber();
    if (hasGlobal) {
      key.globalScore = global.doubleValue();
    }
    JsonNode details = ranking(hit, "_rankingScoreDetails");
    if (details != null && details.isObject()) {
      key.readDetails(details, hasGlobal);
    }
    JsonNode federation = ranking(hit, "_federation");
    JsonNode weighted = federation == null ? null : federation.get("weightedScoreValues");
    if (weighted != null && weighted.isArray()) {
      key.readWeightedScoreValues(weighted);
      JsonNode weightedGlobal = federation.get("weightedRankingScore");
      if (weightedGlobal != null && weightedGlobal.isNumber()) {
        key.globalScore = weightedGlobal.doubleValue();
      } else {
        key.globalScore *= weight;
      }
    }
    return key;
  }

  /** A ranking field of a hit; a hit read by {@link NodeAnswer} decodes its own on this first read. */
  private static JsonNode ranking(JsonNode hit, String name) {
    return hit instanceof NodeAnswer.Hit lazy ? lazy.ranking(name) : hit.get(name);
  }

  private void readDetails(JsonNode details, boolean hasGlobal) {
    detailed = true;
    // The map is written in rule order, but "order" is the contract: sort by it (a handful).
    int count = details.size();
    String[] names = new String[count];
    JsonNode[] rulesInOrder = new JsonNode[count];
    long[] orders = new long[count];
    int filled = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = details.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      long order = entry.getValue().path("order").asLong(filled);
      int at = filled++;
      while (at > 0 && orders[at - 1] > order) {
        names[at] = names[at - 1];
        rulesInOrder[at] = rulesInOrder[at - 1];
        orders[at] = orders[at - 1];
        at--;
      }
      names[at] = entry.getKey();
      rulesInOrder[at] = entry.getValue();
      orders[at] = order;
    }

    boolean inGroup = false;
    boolean firstScoreSeen = false;
    double groupSum = 0;
    double groupProduct = 1; // NaN once a needed maximum rank is unknown
    for (int i = 0; i < count; i++) {
      String name = names[i];
      JsonNode rule = rulesInOrder[i];
      double ruleScore = rule.path("score").asDouble(0);
      long ruleMax; // the rule's maximum rank as Rank::merge sees it; 0 when unknown
      switch (name) {
        case "words" -> {
          long max = rule.path("maxMatchingWords").asLong();
          addRank(rule.path("matchingWords").asLong(), max);
          ruleMax = max;
        }
        case "typo" -> {
          long max = rule.path("maxTypoCount").asLong() + 1;
          addRank(Math.max(0, max - rule.path("typoCount").asLong()), max);
          ruleMax = max;
        }
        case "proximity" -> {
          addFloat(ruleScore);
          ruleMax = 0;
        }
        case "attribute" -> {
          addFloat(rule.path("attributeRankingOrderScore").asDouble(0));
          addFloat(rule.path("queryWordDistanceScore").asDouble(0));
          ruleMax = 0;
        }
        case "exactness" -> {
          String match = rule.path("matchType").asText();
          addRank("exactMatch".equals(match) ? 3 : "matchesStart".equals(match) ? 2 : 1, 3);
          if (rule.has("maxMatchingWords")) {
            long max = rule.path("maxMatchingWords").asLong() + 1;
            addRank(rule.path("matchingWords").asLong() + 1, max);
            ruleMax = 3 * max;
          } else {
            // Exact and starts-with matches hide their exact-words rank; all of them are equal.
            ruleMax = 0;
          }
        }
        case "skipped" -> {
          addRank(0, 1);
          ruleScore = 0;
          ruleMax = 1;
        }
        case "vectorSort" -> {
          JsonNode similarity = rule.get("similarity");
          double sim = similarity != null && similarity.isNumber() ? similarity.doubleValue() : 0;
          semantic = true;
          if (inGroup) {
            addGroupScore(firstScoreSeen || !hasGlobal ? groupSum : globalScore, RANK);
            firstScoreSeen = true;
            inGroup = false;
          }
          addRule(VECTOR, 0, 0, sim, false, null);
          addGroup(VECTOR, sim, false, null);
          firstScoreSeen = true;
          continue;
        }
        default -> {
          if (inGroup) {
            addGroupScore(firstScoreSeen || !hasGlobal ? groupSum : globalScore, RANK);
            firstScoreSeen = true;
            inGroup = false;
          }
          boolean asc = name.endsWith(":asc");
          if (name.startsWith("_geoPoint(")) {
            JsonNode distance = rule.get("distance");
            double d = distance != null && distance.isNumber() ? distance.doubleValue() : Double.NaN;
            addRule(GEO, 0, 0, d, asc, null);
            addGroup(GEO, d, asc, null);
          } else if (name.startsWith("<hidden-rule-")) {
            addRule(HIDDEN, 0, 0, 0, false, null);
            addGroup(HIDDEN, 0, false, null);
          } else {
            JsonNode v = rule.get("value");
            addRule(SORT, 0, 0, 0, asc, v);
            addGroup(SORT, 0, asc, v);
          }
          continue;
        }
      }
      // A rank rule: extend the current score group (Rank::merge on local scores).
      if (!inGroup) {
        inGroup = true;
        groupSum = ruleScore;
        groupProduct = ruleMax > 0 ? ruleMax : Double.NaN;
      } else if (!Double.isNaN(groupProduct)) {
        groupSum += (ruleScore - 1) / groupProduct;
        groupProduct = ruleMax > 0 ? groupProduct * ruleMax : Double.NaN;
      }
    }
    if (inGroup) {
      addGroupScore(firstScoreSeen || !hasGlobal ? groupSum : globalScore, RANK);
      firstScoreSeen = true;
    }
    if (!hasGlobal) {
      for (int g = 0; g < groups; g++) {
        if (groupKind[g] == RANK || groupKind[g] == VECTOR) {
          globalScore = groupScore[g];
          break;
        }
      }
    }
  }

  /** {@code _federation.weightedScoreValues} of a proxy search: already weighted groups. */
  private void readWeightedScoreValues(JsonNode values) {
    groups = 0;
    preWeighted = true;
    for (JsonNode value : values) {
      if (value.has("weightedScore")) {
        addGroup(RANK, value.get("weightedScore").asDouble(), false, null);
      } else if (value.has("vectorSort")) {
        addGroup(VECTOR, value.get("vectorSort").asDouble(), false, null);
      } else if (value.has("sort")) {
        JsonNode sort = value.get("sort");
        addGroup(SORT, 0, sort.path("asc").asBoolean(), sort.get("value"));
      } else if (value.has("geoSort")) {
        JsonNode geo = value.get("geoSort");
        JsonNode distance = geo.get("distance");
        double d = distance != null && distance.isNumber() ? distance.doubleValue() : Double.NaN;
        addGroup(GEO, d, geo.path("asc").asBoolean(), null);
      }
    }
  }

  private void addRank(long r, long max) {
    addRule(RANK, r, max, max == 0 ? 0 : (double) r / max, false, null);
  }

  private void addFloat(double s) {
    addRule(RANK, 0, 0, s, false, null);
  }

  private void addRule(byte k, long r, long max, double s, boolean asc, JsonNode v) {
    if (rules == kind.length) {
      int grown = rules * 2;
      kind = java.util.Arrays.copyOf(kind, grown);
      rank = java.util.Arrays.copyOf(rank, grown);
      maxRank = java.util.Arrays.copyOf(maxRank, grown);
      score = java.util.Arrays.copyOf(score, grown);
      ascending = java.util.Arrays.copyOf(ascending, grown);
      value = java.util.Arrays.copyOf(value, grown);
    }
    kind[rules] = k;
    rank[rules] = r;
    maxRank[rules] = max;
    score[rules] = s;
    ascending[rules] = asc;
    value[rules] = v;
    rules++;
  }

  private void addGroupScore(double s, byte k) {
    addGroup(k, s, false, null);
  }

  private void addGroup(byte k, double s, boolean asc, JsonNode v) {
    if (groups == groupKind.length) {
      int grown = groups * 2;
      groupKind = java.util.Arrays.copyOf(groupKind, grown);
      groupScore = java.util.Arrays.copyOf(groupScore, grown);
      groupAscending = java.util.Arrays.copyOf(groupAscending, grown);
      groupValue = java.util.Arrays.copyOf(groupValue, grown);
    }
    groupKind[groups] = k;
    groupScore[groups] = s;
    groupAscending[groups] = asc;
    groupValue[groups] = v;
    groups++;
  }
}
