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
    if (hit instanceof NodeAnswer.Hit read) {
      // Straight from the node's bytes when they have the shape Meilisearch writes (no tree).
      RankingKey key = RankingReader.read(read, queryPosition, weight, semanticRatio);
      if (key != null) {
        return key;
      }
    }
    RankingKey key = new RankingKey(queryPosition, weight, semanticRatio);
    JsonNode global = ranking(hit, "_rankingScore");
    boolean hasGlobal = global != null && global.isNumber();
    if (hasGlobal) {
      key.globalScore = global.doubleValue();
    }
    JsonNode details = ranking(hit, "_rankingScoreDetails");
    if (details != null && details.isObject()) {
      Rules rules = Rules.scratch();
      for (Iterator<Map.Entry<String, JsonNode>> it = details.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        rules.next(entry.getKey()).fill(entry.getValue(), rules.count - 1);
      }
      key.readDetails(rules, hasGlobal);
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

  RankingKey(int queryPosition, double weight, double semanticRatio) {
    this.queryPosition = queryPosition;
    this.weight = weight;
    this.semanticRatio = semanticRatio;
  }

  /** A ranking field of a hit; a hit read by {@link NodeAnswer} decodes its own on this first read. */
  private static JsonNode ranking(JsonNode hit, String name) {
    return hit instanceof NodeAnswer.Hit lazy ? lazy.ranking(name) : hit.get(name);
  }

  // ---- the rules of _rankingScoreDetails, read from a tree or from bytes (RankingReader) ---------

  static final byte WORDS = 0;
  static final byte TYPO = 1;
  static final byte PROXIMITY = 2;
  static final byte ATTRIBUTE = 3;
  static final byte EXACTNESS = 4;
  static final byte SKIPPED = 5;
  static final byte VECTOR_SORT = 6;
  static final byte GEO_SORT = 7;
  static final byte HIDDEN_RULE = 8;
  static final byte SORT_RULE = 9;

  /** What a rule is, from its name in the details ({@code words}, {@code price:asc}, ...). */
  static byte ruleOf(String name) {
    return switch (name) {
      case "words" -> WORDS;
      case "typo" -> TYPO;
      case "proximity" -> PROXIMITY;
      case "attribute" -> ATTRIBUTE;
      case "exactness" -> EXACTNESS;
      case "skipped" -> SKIPPED;
      case "vectorSort" -> VECTOR_SORT;
      default -> name.startsWith("_geoPoint(") ? GEO_SORT : name.startsWith("<hidden-rule-") ? HIDDEN_RULE : SORT_RULE;
    };
  }

  /**
   * One rule of the details, with the values the key reads from it (what each rule reads is in
   * {@link #readDetails}). Reused from hit to hit: a key is built from a thread's scratch rules.
   */
  static final class Rule {
    byte rule;
    /** The name ends with {@code :asc} (sort and geo rules). */
    boolean asc;
    long order;
    double score;
    long matchingWords;
    long maxMatchingWords;
    boolean hasMaxMatchingWords;
    long typoCount;
    long maxTypoCount;
    double attributeRankingOrderScore;
    double queryWordDistanceScore;
    /** 3 exact match, 2 matches start, 1 anything else. */
    int matchType;
    double similarity;
    double distance;
    JsonNode value;

    /** Sets the values a fresh rule has when its fields are absent; {@code order} defaults to its arrival. */
    Rule reset(byte rule, boolean asc, long arrival) {
      this.rule = rule;
      this.asc = asc;
      order = arrival;
      score = 0;
      matchingWords = 0;
      maxMatchingWords = 0;
      hasMaxMatchingWords = false;
      typoCount = 0;
      maxTypoCount = 0;
      attributeRankingOrderScore = 0;
      queryWordDistanceScore = 0;
      matchType = 1;
      similarity = 0;
      distance = Double.NaN;
      value = null;
      return this;
    }

    /** The rule's values from its tree, as Jackson's lenient accessors read them. */
    void fill(JsonNode node, long arrival) {
      order = node.path("order").asLong(arrival);
      score = node.path("score").asDouble(0);
      switch (rule) {
        case WORDS -> {
          maxMatchingWords = node.path("maxMatchingWords").asLong();
          matchingWords = node.path("matchingWords").asLong();
        }
        case TYPO -> {
          maxTypoCount = node.path("maxTypoCount").asLong();
          typoCount = node.path("typoCount").asLong();
        }
        case ATTRIBUTE -> {
          attributeRankingOrderScore = node.path("attributeRankingOrderScore").asDouble(0);
          queryWordDistanceScore = node.path("queryWordDistanceScore").asDouble(0);
        }
        case EXACTNESS -> {
          String match = node.path("matchType").asText();
          matchType = "exactMatch".equals(match) ? 3 : "matchesStart".equals(match) ? 2 : 1;
          hasMaxMatchingWords = node.has("maxMatchingWords");
          maxMatchingWords = node.path("maxMatchingWords").asLong();
          matchingWords = node.path("matchingWords").asLong();
        }
        case VECTOR_SORT -> {
          JsonNode s = node.get("similarity");
          similarity = s != null && s.isNumber() ? s.doubleValue() : 0;
        }
        case GEO_SORT -> {
          JsonNode d = node.get("distance");
          distance = d != null && d.isNumber() ? d.doubleValue() : Double.NaN;
        }
        case SORT_RULE -> value = node.get("value");
        default -> {}
      }
    }
  }

  /** The rules of one hit's details in the order they were written; a thread's scratch. */
  static final class Rules {
    private static final ThreadLocal<Rules> SCRATCH = ThreadLocal.withInitial(Rules::new);

    Rule[] rules = new Rule[8];
    /** Where each rule's name is in the answer, when read from bytes ({@link RankingReader}). */
    int[] names = new int[16];
    int count;

    /** This thread's rules, emptied. */
    static Rules scratch() {
      Rules rules = SCRATCH.get();
      rules.count = 0;
      return rules;
    }

    /** The next rule, reset for {@code name}. */
    Rule next(String name) {
      return next(ruleOf(name), name.endsWith(":asc"));
    }

    Rule next(byte rule, boolean asc) {
      if (count == rules.length) {
        rules = java.util.Arrays.copyOf(rules, count * 2);
        names = java.util.Arrays.copyOf(names, count * 4);
      }
      Rule r = rules[count];
      if (r == null) {
        r = rules[count] = new Rule();
      }
      r.reset(rule, asc, count);
      count++;
      return r;
    }

    /** Sorted by {@code order}, stable: the map is written in rule order, but "order" is the contract. */
    void sortByOrder() {
      for (int i = 1; i < count; i++) {
        Rule r = rules[i];
        int at = i;
        while (at > 0 && rules[at - 1].order > r.order) {
          rules[at] = rules[at - 1];
          at--;
        }
        rules[at] = r;
      }
    }
  }

  private void readDetails(Rules details, boolean hasGlobal) {
    detailed = true;
    details.sortByOrder();
    int count = details.count;
    boolean inGroup = false;
    boolean firstScoreSeen = false;
    double groupSum = 0;
    double groupProduct = 1; // NaN once a needed maximum rank is unknown
    for (int i = 0; i < count; i++) {
      Rule rule = details.rules[i];
      double ruleScore = rule.score;
      long ruleMax; // the rule's maximum rank as Rank::merge sees it; 0 when unknown
      switch (rule.rule) {
        case WORDS -> {
          long max = rule.maxMatchingWords;
          addRank(rule.matchingWords, max);
          ruleMax = max;
        }
        case TYPO -> {
          long max = rule.maxTypoCount + 1;
          addRank(Math.max(0, max - rule.typoCount), max);
          ruleMax = max;
        }
        case PROXIMITY -> {
          addFloat(ruleScore);
          ruleMax = 0;
        }
        case ATTRIBUTE -> {
          addFloat(rule.attributeRankingOrderScore);
          addFloat(rule.queryWordDistanceScore);
          ruleMax = 0;
        }
        case EXACTNESS -> {
          addRank(rule.matchType, 3);
          if (rule.hasMaxMatchingWords) {
            long max = rule.maxMatchingWords + 1;
            addRank(rule.matchingWords + 1, max);
            ruleMax = 3 * max;
          } else {
            // Exact and starts-with matches hide their exact-words rank; all of them are equal.
            ruleMax = 0;
          }
        }
        case SKIPPED -> {
          addRank(0, 1);
          ruleScore = 0;
          ruleMax = 1;
        }
        case VECTOR_SORT -> {
          double sim = rule.similarity;
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
          boolean asc = rule.asc;
          if (rule.rule == GEO_SORT) {
            double d = rule.distance;
            addRule(GEO, 0, 0, d, asc, null);
            addGroup(GEO, d, asc, null);
          } else if (rule.rule == HIDDEN_RULE) {
            addRule(HIDDEN, 0, 0, 0, false, null);
            addGroup(HIDDEN, 0, false, null);
          } else {
            JsonNode v = rule.value;
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

  /**
   * The key of a hit whose ranking was read from its bytes ({@link RankingReader}): its
   * {@code _rankingScore} when it had a number there, its details when it had an object there.
   */
  static RankingKey of(int queryPosition, double weight, double semanticRatio, boolean hasGlobal, double global,
      Rules details) {
    RankingKey key = new RankingKey(queryPosition, weight, semanticRatio);
    if (hasGlobal) {
      key.globalScore = global;
    }
    if (details != null) {
      key.readDetails(details, hasGlobal);
    }
    return key;
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
