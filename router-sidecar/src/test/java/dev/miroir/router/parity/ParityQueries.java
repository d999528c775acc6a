package dev.miroir.router.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed set of queries a sharded cluster must answer exactly like one node. Each case is a route
 * and a body; {@code exact} is false for the ones Meilisearch itself makes approximate.
 */
public final class ParityQueries {

  /** One query. {@code route} is "search" (index search) or "multi-search". */
  public record Case(String name, String route, JsonNode body, boolean exact) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public static List<Case> all(ParityCorpus corpus, String index) {
    List<Case> cases = new ArrayList<>();
    String w0 = corpus.word(0);
    String w1 = corpus.word(1);
    String w5 = corpus.word(5);
    String w20 = corpus.word(20);
    String w80 = corpus.word(80);
    String w300 = corpus.word(300);
    String tag = corpus.tags().get(3);

    // Plain words, frequent to rare, and several words.
    for (String q : new String[] {w0, w1, w5, w20, w80, w300, w0 + " " + w5, w5 + " " + w20 + " " + w80, w1 + " " + w300}) {
      search(cases, "words: " + q, "{\"q\":\"" + q + "\"}");
    }
    // Prefixes: the last word of a query is a prefix in Meilisearch.
    for (String q : new String[] {w5.substring(0, 3), w20.substring(0, 4), w0 + " " + w80.substring(0, 3)}) {
      search(cases, "prefix: " + q, "{\"q\":\"" + q + "\"}");
    }
    // Typos: one and two letters changed on long enough words.
    search(cases, "typo 1: " + typo(w20, 1), "{\"q\":\"" + typo(w20, 1) + "\"}");
    search(cases, "typo 1: " + typo(w80, 1), "{\"q\":\"" + typo(w80, 1) + "\"}");
    search(cases, "typo 2: " + typo(longWord(corpus), 2), "{\"q\":\"" + typo(longWord(corpus), 2) + "\"}");
    // Placeholder search.
    search(cases, "placeholder", "{}");
    search(cases, "placeholder limit 50", "{\"limit\":50}");
    // Filters.
    search(cases, "filter genre", "{\"q\":\"" + w1 + "\",\"filter\":\"genre = comedy\"}");
    search(cases, "filter year range", "{\"q\":\"" + w5 + "\",\"filter\":\"year >= 1990 AND year < 2010\"}");
    search(cases, "filter price array", "{\"q\":\"" + w0 + "\",\"filter\":[\"price > 100\",\"price < 300\"]}");
    search(cases, "filter OR nested array", "{\"filter\":[[\"genre = drama\",\"genre = horror\"],\"year > 2000\"]}");
    search(cases, "filter tags IN", "{\"q\":\"" + w20 + "\",\"filter\":\"tags IN [" + tag + ", " + corpus.tags().get(7) + "]\"}");
    search(cases, "filter NOT", "{\"q\":\"" + w1 + "\",\"filter\":\"NOT genre = drama\"}");
    search(cases, "filter geo radius", "{\"filter\":\"_geoRadius(48.8566, 2.3522, 50000)\"}");
    search(cases, "filter geo bounding box", "{\"q\":\"" + w5 + "\",\"filter\":\"_geoBoundingBox([53, 14], [51, 12])\"}");
    search(cases, "filter matches nothing", "{\"q\":\"" + w0 + "\",\"filter\":\"year = 1800\"}");
    // Sort.
    search(cases, "sort price asc", "{\"sort\":[\"price:asc\"]}");
    search(cases, "sort price desc", "{\"sort\":[\"price:desc\"]}");
    search(cases, "sort year desc then price asc", "{\"sort\":[\"year:desc\",\"price:asc\"]}");
    search(cases, "sort title asc", "{\"sort\":[\"title:asc\"]}");
    search(cases, "words then sort year", "{\"q\":\"" + w5 + "\",\"sort\":[\"year:asc\"]}");
    search(cases, "words filter sort price", "{\"q\":\"" + w1 + "\",\"filter\":\"genre = drama\",\"sort\":[\"price:desc\"]}");
    // Geo sort.
    search(cases, "geo sort asc", "{\"sort\":[\"_geoPoint(48.8566, 2.3522):asc\"]}");
    search(cases, "geo sort desc", "{\"sort\":[\"_geoPoint(35.6762, 139.6503):desc\"]}");
    search(cases, "words then geo sort", "{\"q\":\"" + w20 + "\",\"sort\":[\"_geoPoint(40.7128, -74.0060):asc\"]}");
    search(cases, "geo radius and geo sort", "{\"filter\":\"_geoRadius(51.5074, -0.1278, 80000)\",\"sort\":[\"_geoPoint(51.5074, -0.1278):asc\"]}");
    // Offset/limit pages.
    for (int offset : new int[] {0, 20, 40, 100, 990}) {
      search(cases, "offset " + offset, "{\"q\":\"" + w1 + "\",\"offset\":" + offset + ",\"limit\":20}");
    }
    search(cases, "sorted offset 60", "{\"sort\":[\"price:asc\"],\"offset\":60,\"limit\":20}");
    // page/hitsPerPage pages (exhaustive counts).
    for (int page : new int[] {1, 2, 5}) {
      search(cases, "page " + page, "{\"q\":\"" + w5 + "\",\"page\":" + page + ",\"hitsPerPage\":20}");
    }
    search(cases, "page beyond the end", "{\"q\":\"" + w300 + "\",\"page\":50,\"hitsPerPage\":20}");
    search(cases, "page with filter", "{\"filter\":\"genre = western\",\"page\":2,\"hitsPerPage\":15}");
    // Distinct.
    search(cases, "distinct series", "{\"q\":\"" + w0 + "\",\"distinct\":\"series\"}");
    search(cases, "distinct series sorted", "{\"distinct\":\"series\",\"sort\":[\"price:asc\"]}");
    search(cases, "distinct genre", "{\"distinct\":\"genre\"}");
    search(cases, "distinct page 2", "{\"q\":\"" + w1 + "\",\"distinct\":\"series\",\"page\":2,\"hitsPerPage\":20}");
    // Facets and facet stats.
    search(cases, "facets genre tags", "{\"q\":\"" + w5 + "\",\"facets\":[\"genre\",\"tags\"]}");
    // Facets with fewer values than maxValuesPerFacet (100): genre 12, tags 30, year 75. Their
    // distributions and stats are exact.
    search(cases, "facet stats", "{\"facets\":[\"year\"]}");
    search(cases, "facets with filter", "{\"filter\":\"year > 2000\",\"facets\":[\"genre\",\"year\"]}");
    search(cases, "facets wildcard-free all", "{\"q\":\"" + w1 + "\",\"facets\":[\"genre\",\"tags\",\"year\"],\"limit\":5}");
    // Approximate by Meilisearch's own nature: price has thousands of values and the distribution
    // is cut at maxValuesPerFacet, in numeric order over many candidates but in string order when a
    // node has fewer than 3000 candidates (milli's two facet-distribution algorithms), so which
    // 100 values a shard reports depends on its size. Stats (min/max) stay exact.
    approximate(cases, "high-cardinality facet price (approximate)", "{\"facets\":[\"price\",\"year\"]}");
    approximate(cases, "high-cardinality facet price with filter (approximate)", "{\"filter\":\"year > 2000\",\"facets\":[\"genre\",\"price\"]}");
    // Ranking score threshold and scores shown.
    search(cases, "threshold 0.5", "{\"q\":\"" + w0 + " " + w5 + "\",\"rankingScoreThreshold\":0.5}");
    search(cases, "threshold 0.9", "{\"q\":\"" + w20 + " " + w80 + "\",\"rankingScoreThreshold\":0.9}");
    search(cases, "show ranking score", "{\"q\":\"" + w5 + "\",\"showRankingScore\":true}");
    search(cases, "highlight and matches", "{\"q\":\"" + w20 + "\",\"attributesToHighlight\":[\"title\"],\"showMatchesPosition\":true}");
    search(cases, "attributes to retrieve", "{\"q\":\"" + w1 + "\",\"attributesToRetrieve\":[\"title\"],\"sort\":[\"price:asc\"]}");
    search(cases, "matching strategy all", "{\"q\":\"" + w0 + " " + w20 + " " + w80 + "\",\"matchingStrategy\":\"all\"}");
    search(cases, "phrase", "{\"q\":\"\\\"" + w0 + " " + w1 + "\\\"\"}");
    // Approximate by Meilisearch's own nature: frequency depends on corpus-wide word counts.
    cases.add(new Case("matching strategy frequency (approximate)", "search",
        parse("{\"q\":\"" + w0 + " " + w1 + " " + w300 + "\",\"matchingStrategy\":\"frequency\"}"), false));
    // Multi-search, plain and federated.
    multi(cases, "multi-search plain", "{\"queries\":[{\"indexUid\":\"" + index + "\",\"q\":\"" + w5 + "\"},{\"indexUid\":\"" + index + "\",\"q\":\"" + w20 + "\",\"filter\":\"genre = drama\"}]}");
    multi(cases, "multi-search plain with sort", "{\"queries\":[{\"indexUid\":\"" + index + "\",\"sort\":[\"price:desc\"],\"limit\":10},{\"indexUid\":\"" + index + "\",\"q\":\"" + w1 + "\",\"offset\":20}]}");
    multi(cases, "federated", "{\"federation\":{},\"queries\":[{\"indexUid\":\"" + index + "\",\"q\":\"" + w5 + "\"},{\"indexUid\":\"" + index + "\",\"q\":\"" + w80 + "\"}]}");
    multi(cases, "federated weights", "{\"federation\":{\"limit\":30},\"queries\":[{\"indexUid\":\"" + index + "\",\"q\":\"" + w20 + "\",\"federationOptions\":{\"weight\":2.0}},{\"indexUid\":\"" + index + "\",\"q\":\"" + w1 + "\",\"federationOptions\":{\"weight\":0.5}}]}");
    multi(cases, "federated offset", "{\"federation\":{\"offset\":15,\"limit\":20},\"queries\":[{\"indexUid\":\"" + index + "\",\"q\":\"" + w0 + "\"},{\"indexUid\":\"" + index + "\",\"q\":\"" + w300 + "\"}]}");
    multi(cases, "federated facets", "{\"federation\":{\"facetsByIndex\":{\"" + index + "\":[\"genre\"]}},\"queries\":[{\"indexUid\":\"" + index + "\",\"q\":\"" + w5 + "\"}]}");
    multi(cases, "federated merged facets", "{\"federation\":{\"facetsByIndex\":{\"" + index + "\":[\"genre\"]},\"mergeFacets\":{}},\"queries\":[{\"indexUid\":\"" + index + "\",\"q\":\"" + w1 + "\"}]}");
    return cases;
  }

  private static String longWord(ParityCorpus corpus) {
    for (int rank = 10; rank < 200; rank++) {
      if (corpus.word(rank).length() >= 9) {
        return corpus.word(rank);
      }
    }
    return corpus.word(10);
  }

  /** Changes {@code n} letters in the middle of the word (Meilisearch allows 1 typo from 5 letters, 2 from 9). */
  private static String typo(String word, int n) {
    char[] letters = word.toCharArray();
    for (int i = 0; i < n; i++) {
      int at = 1 + i * 3;
      letters[at] = letters[at] == 'x' ? 'y' : 'x';
    }
    return new String(letters);
  }

  private static void search(List<Case> cases, String name, String body) {
    cases.add(new Case(name, "search", parse(body), true));
  }

  private static void approximate(List<Case> cases, String name, String body) {
    cases.add(new Case(name, "search", parse(body), false));
  }

  private static void multi(List<Case> cases, String name, String body) {
    cases.add(new Case(name, "multi-search", parse(body), true));
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new IllegalArgumentException(body, e);
    }
  }

  private ParityQueries() {}
}
