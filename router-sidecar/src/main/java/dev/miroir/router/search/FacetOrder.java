package dev.miroir.router.search;

/** How Meilisearch orders the values of one facet: the index setting {@code sortFacetValuesBy}. */
public enum FacetOrder {
  /** {@code "alpha"}, Meilisearch's default. */
  ALPHA,
  /** {@code "count"}: most frequent first. */
  COUNT;

  /** Parses the setting value ({@code "alpha"} or {@code "count"}). */
  public static FacetOrder of(String setting) {
    return "count".equals(setting) ? COUNT : ALPHA;
  }
}
