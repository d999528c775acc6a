package dev.miroir.router.auth;

/**
 * An index uid pattern of a key or a tenant token's search rules: an exact uid, {@code *}, or a
 * prefix ending in {@code *} ({@code movies*}), matched as Meilisearch's {@code IndexUidPattern}.
 */
public final class IndexPattern {

  private IndexPattern() {}

  public static boolean matches(String pattern, String indexUid) {
    if (pattern.endsWith("*")) {
      return indexUid.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(indexUid);
  }

  public static boolean matchesAny(Iterable<String> patterns, String indexUid) {
    for (String p : patterns) {
      if (matches(p, indexUid)) {
        return true;
      }
    }
    return false;
  }

  public static boolean isAll(Iterable<String> patterns) {
    for (String p : patterns) {
      if (p.equals("*")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The pattern of {@code patterns} that governs {@code indexUid}: an exact one first, then the longest
   * prefix, as Meilisearch picks the most specific search rule. Null when none matches.
   */
  public static String mostSpecific(Iterable<String> patterns, String indexUid) {
    String best = null;
    for (String p : patterns) {
      if (!matches(p, indexUid)) {
        continue;
      }
      if (best == null || rank(p) > rank(best)) {
        best = p;
      }
    }
    return best;
  }

  private static long rank(String pattern) {
    return (pattern.endsWith("*") ? 0 : 1L << 32) + pattern.length();
  }
}
