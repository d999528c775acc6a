package dev.miroir.router.search;

import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;

/**
 * Reads a hit's {@code _rankingScore} and {@code _rankingScoreDetails} from the node's bytes
 * straight into a {@link RankingKey}: no parser, no tree, no map per rule. A hit that reaches the
 * head of its node's list was a Jackson parser and a tree of maps and number nodes, the largest
 * share of the router's allocation per search that was left.
 *
 * <p>It reads only the shape Meilisearch writes: the details an object of rule objects, the values
 * the key reads plain JSON numbers, {@code matchType} and sort values plain strings, no escapes in
 * names. For anything else ({@code _federation}, an escape, a string where a number belongs, an
 * integer of more than 18 digits, a duplicated rule) it answers null and the caller reads the hit
 * through the tree as before ({@link RankingKey#of(JsonNode, int, double, double)}), so every
 * input gives the key the tree gives. Numbers become the doubles Jackson makes of them: an integer
 * is exact as a long and its double is {@code (double) long}, a decimal goes through
 * {@link NumberInput#parseDouble(char[], int, int, boolean)}, the parser's own fast reader, and a
 * decimal read as a count is {@code (long) double}, as {@code DoubleNode.asLong} does.
 */
final class RankingReader {

  private RankingReader() {}

  /** The key of {@code hit} read from its bytes, or null when the tree must read it. */
  static RankingKey read(NodeAnswer.Hit hit, int queryPosition, double weight, double semanticRatio) {
    int[] spans = hit.rankingSpans;
    if (spans[4] >= 0) {
      return null; // _federation: proxy searches, read by the tree
    }
    byte[] b = hit.bytes();
    boolean hasGlobal = false;
    double global = 0;
    if (spans[0] >= 0) {
      int from = spans[0];
      int to = spans[1];
      byte first = b[from];
      if (numeric(first)) {
        if (!number(b, from, to)) {
          return null;
        }
        hasGlobal = true;
        global = doubleOf(b, from, to);
      } else if (!otherValue(first)) {
        return null;
      }
    }
    RankingKey.Rules rules = null;
    if (spans[2] >= 0) {
      int from = spans[2];
      byte first = b[from];
      if (first == '{') {
        rules = RankingKey.Rules.scratch();
        if (!readDetails(b, from, spans[3], rules)) {
          return null;
        }
      } else if (!otherValue(first)) {
        return null;
      }
    }
    hit.ranked = true;
    return RankingKey.of(queryPosition, weight, semanticRatio, hasGlobal, global, rules);
  }

  /** The first byte of a JSON value that is neither a number nor an object: not details, not a score. */
  private static boolean otherValue(byte first) {
    return first == '"' || first == 'n' || first == 't' || first == 'f' || first == '[';
  }

  /** The rule objects of {@code b[from, to)}, an object; false for a shape left to the tree. */
  private static boolean readDetails(byte[] b, int from, int to, RankingKey.Rules rules) {
    try {
      int i = NodeAnswer.ws(b, from + 1, to);
      if (i < to && b[i] == '}') {
        return true;
      }
      while (true) {
        if (i >= to || b[i] != '"') {
          return false;
        }
        int keyTo = NodeAnswer.skipString(b, i, to);
        int nameFrom = i + 1;
        int nameTo = keyTo - 1;
        if (escaped(b, nameFrom, nameTo) || seen(b, nameFrom, nameTo, rules)) {
          return false;
        }
        RankingKey.Rule rule = rules.next(ruleOf(b, nameFrom, nameTo), endsWith(b, nameFrom, nameTo, ":asc"));
        rules.names[2 * (rules.count - 1)] = nameFrom;
        rules.names[2 * (rules.count - 1) + 1] = nameTo;
        i = NodeAnswer.ws(b, keyTo, to);
        if (i >= to || b[i] != ':') {
          return false;
        }
        i = NodeAnswer.ws(b, i + 1, to);
        if (i >= to || b[i] != '{') {
          return false;
        }
        i = readRule(b, i, to, rule, rules);
        if (i < 0) {
          return false;
        }
        i = NodeAnswer.ws(b, i, to);
        if (i < to && b[i] == ',') {
          i = NodeAnswer.ws(b, i + 1, to);
        } else {
          return i < to && b[i] == '}';
        }
      }
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Reads one rule object from its brace; the position after it, or -1 for the tree. */
  private static int readRule(byte[] b, int open, int to, RankingKey.Rule rule, RankingKey.Rules rules)
      throws java.io.IOException {
    int i = NodeAnswer.ws(b, open + 1, to);
    if (i < to && b[i] == '}') {
      return i + 1;
    }
    while (true) {
      if (i >= to || b[i] != '"') {
        return -1;
      }
      int keyTo = NodeAnswer.skipString(b, i, to);
      int kf = i + 1;
      int kt = keyTo - 1;
      if (escaped(b, kf, kt)) {
        return -1;
      }
      i = NodeAnswer.ws(b, keyTo, to);
      if (i >= to || b[i] != ':') {
        return -1;
      }
      int v = NodeAnswer.ws(b, i + 1, to);
      int end = NodeAnswer.skipValue(b, v, to);
      if (!readField(b, kf, kt, v, end, rule)) {
        return -1;
      }
      i = NodeAnswer.ws(b, end, to);
      if (i < to && b[i] == ',') {
        i = NodeAnswer.ws(b, i + 1, to);
      } else {
        return i < to && b[i] == '}' ? i + 1 : -1;
      }
    }
  }

  /**
   * One field of a rule: the fields {@link RankingKey.Rule#fill} reads for this rule are read, the
   * others skipped whatever they hold; false when a field read is not of the plain shape.
   */
  private static boolean readField(byte[] b, int kf, int kt, int v, int end, RankingKey.Rule rule) {
    byte r = rule.rule;
    boolean plain = number(b, v, end);
    if (is(b, kf, kt, "order")) {
      rule.order = plain ? longOf(b, v, end) : 0;
      return plain;
    }
    if (is(b, kf, kt, "score")) {
      rule.score = plain ? doubleOf(b, v, end) : 0;
      return plain;
    }
    switch (r) {
      case RankingKey.WORDS, RankingKey.EXACTNESS -> {
        if (is(b, kf, kt, "matchingWords")) {
          rule.matchingWords = plain ? longOf(b, v, end) : 0;
          return plain;
        }
        if (is(b, kf, kt, "maxMatchingWords")) {
          rule.hasMaxMatchingWords = true;
          rule.maxMatchingWords = plain ? longOf(b, v, end) : 0;
          return plain;
        }
        if (r == RankingKey.EXACTNESS && is(b, kf, kt, "matchType")) {
          if (b[v] != '"' || escaped(b, v + 1, end - 1)) {
            return false;
          }
          rule.matchType = is(b, v + 1, end - 1, "exactMatch") ? 3 : is(b, v + 1, end - 1, "matchesStart") ? 2 : 1;
        }
      }
      case RankingKey.TYPO -> {
        if (is(b, kf, kt, "typoCount")) {
          rule.typoCount = plain ? longOf(b, v, end) : 0;
          return plain;
        }
        if (is(b, kf, kt, "maxTypoCount")) {
          rule.maxTypoCount = plain ? longOf(b, v, end) : 0;
          return plain;
        }
      }
      case RankingKey.ATTRIBUTE -> {
        if (is(b, kf, kt, "attributeRankingOrderScore")) {
          rule.attributeRankingOrderScore = plain ? doubleOf(b, v, end) : 0;
          return plain;
        }
        if (is(b, kf, kt, "queryWordDistanceScore")) {
          rule.queryWordDistanceScore = plain ? doubleOf(b, v, end) : 0;
          return plain;
        }
      }
      // The tree takes anything but a number as 0 for a similarity, as missing for a distance; a
      // number this reader does not read (a long integer) is the tree's.
      case RankingKey.VECTOR_SORT -> {
        if (is(b, kf, kt, "similarity")) {
          rule.similarity = plain ? doubleOf(b, v, end) : 0;
          return plain || !numeric(b[v]);
        }
      }
      case RankingKey.GEO_SORT -> {
        if (is(b, kf, kt, "distance")) {
          rule.distance = plain ? doubleOf(b, v, end) : Double.NaN;
          return plain || !numeric(b[v]);
        }
      }
      case RankingKey.SORT_RULE -> {
        if (is(b, kf, kt, "value")) {
          rule.value = sortValue(b, v, end);
          return rule.value != null;
        }
      }
      default -> {}
    }
    return true;
  }

  /** A sort rule's value as the comparison reads it (a number, a string or null), or null for the tree. */
  private static JsonNode sortValue(byte[] b, int from, int to) {
    byte first = b[from];
    if (first == '"') {
      return escaped(b, from + 1, to - 1) ? null
          : TextNode.valueOf(new String(b, from + 1, to - 1 - (from + 1), StandardCharsets.UTF_8));
    }
    if (number(b, from, to)) {
      // The comparison reads numbers as doubles only (HitOrder.compareSortValues).
      return DoubleNode.valueOf(doubleOf(b, from, to));
    }
    if (to - from == 4 && is(b, from, to, "null")) {
      return NullNode.getInstance();
    }
    return null;
  }

  // ---- numbers ---------------------------------------------------------------------------------

  /** Whether a value starting with this byte is a number (valid or not). */
  private static boolean numeric(byte first) {
    return first == '-' || first >= '0' && first <= '9';
  }

  /** Whether {@code b[from, to)} is exactly one JSON number this reader reads the tree's way. */
  static boolean number(byte[] b, int from, int to) {
    if (numberEnd(b, from, to) != to) {
      return false;
    }
    if (integral(b, from, to)) {
      int digits = to - from - (b[from] == '-' ? 1 : 0);
      return digits <= 18; // a long for sure: longer integers are Jackson's BigInteger or long, left to it
    }
    return to - from <= DIGITS;
  }

  /** Longest decimal read here; a longer one (never written by Meilisearch) goes to the tree. */
  private static final int DIGITS = 64;

  private static final ThreadLocal<char[]> CHARS = ThreadLocal.withInitial(() -> new char[DIGITS]);

  /** The end of the JSON number (RFC 8259 grammar) starting at {@code i}, or -1. */
  static int numberEnd(byte[] b, int i, int end) {
    if (i < end && b[i] == '-') {
      i++;
    }
    if (i >= end) {
      return -1;
    }
    if (b[i] == '0') {
      i++;
    } else if (b[i] >= '1' && b[i] <= '9') {
      while (i < end && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
    } else {
      return -1;
    }
    if (i < end && b[i] == '.') {
      int digits = ++i;
      while (i < end && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      if (i == digits) {
        return -1;
      }
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int digits = i;
      while (i < end && b[i] >= '0' && b[i] <= '9') {
        i++;
      }
      if (i == digits) {
        return -1;
      }
    }
    return i;
  }

  private static boolean integral(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
        return false;
      }
    }
    return true;
  }

  /** A plain number ({@link #number}) as Jackson's node gives it by {@code asDouble}. */
  static double doubleOf(byte[] b, int from, int to) {
    if (integral(b, from, to)) {
      return (double) integer(b, from, to);
    }
    char[] chars = CHARS.get();
    for (int i = from; i < to; i++) {
      chars[i - from] = (char) b[i];
    }
    return NumberInput.parseDouble(chars, 0, to - from, true);
  }

  /** A plain number ({@link #number}) as Jackson's node gives it by {@code asLong}. */
  static long longOf(byte[] b, int from, int to) {
    return integral(b, from, to) ? integer(b, from, to) : (long) doubleOf(b, from, to);
  }

  private static long integer(byte[] b, int from, int to) {
    boolean negative = b[from] == '-';
    long value = 0;
    for (int i = negative ? from + 1 : from; i < to; i++) {
      value = value * 10 + (b[i] - '0');
    }
    return negative ? -value : value;
  }

  // ---- names -----------------------------------------------------------------------------------

  /** {@link RankingKey#ruleOf} over the name's bytes (ASCII names; a UTF-8 byte never equals one). */
  private static byte ruleOf(byte[] b, int from, int to) {
    return switch (to - from) {
      case 4 -> is(b, from, to, "typo") ? RankingKey.TYPO : other(b, from, to);
      case 5 -> is(b, from, to, "words") ? RankingKey.WORDS : other(b, from, to);
      case 7 -> is(b, from, to, "skipped") ? RankingKey.SKIPPED : other(b, from, to);
      case 9 -> is(b, from, to, "proximity") ? RankingKey.PROXIMITY
          : is(b, from, to, "attribute") ? RankingKey.ATTRIBUTE
          : is(b, from, to, "exactness") ? RankingKey.EXACTNESS : other(b, from, to);
      case 10 -> is(b, from, to, "vectorSort") ? RankingKey.VECTOR_SORT : other(b, from, to);
      default -> other(b, from, to);
    };
  }

  private static byte other(byte[] b, int from, int to) {
    return startsWith(b, from, to, "_geoPoint(") ? RankingKey.GEO_SORT
        : startsWith(b, from, to, "<hidden-rule-") ? RankingKey.HIDDEN_RULE : RankingKey.SORT_RULE;
  }

  private static boolean is(byte[] b, int from, int to, String s) {
    return NodeAnswer.Hit.sameAscii(b, from, to, s, s.length());
  }

  private static boolean startsWith(byte[] b, int from, int to, String prefix) {
    return to - from >= prefix.length() && is(b, from, from + prefix.length(), prefix);
  }

  private static boolean endsWith(byte[] b, int from, int to, String suffix) {
    return to - from >= suffix.length() && is(b, to - suffix.length(), to, suffix);
  }

  private static boolean escaped(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\\') {
        return true;
      }
    }
    return false;
  }

  /** Whether a rule of this name was read already (the tree keeps the first place and the last value). */
  private static boolean seen(byte[] b, int from, int to, RankingKey.Rules rules) {
    for (int r = 0; r < rules.count; r++) {
      int f = rules.names[2 * r];
      int t = rules.names[2 * r + 1];
      if (t - f == to - from && java.util.Arrays.equals(b, f, t, b, from, to)) {
        return true;
      }
    }
    return false;
  }
}
