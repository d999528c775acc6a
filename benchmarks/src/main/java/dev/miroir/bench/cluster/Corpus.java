package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic corpus: the same seed gives the same documents, byte for byte, on every machine.
 *
 * <p>Words are made-up syllable strings drawn with a Zipf law (s = 1.07, a vocabulary of 20,000),
 * so a few words are in most documents and most words in few, as in natural text; that is what
 * makes one-word queries on frequent words expensive and rare ones cheap, the spread a real mix has.
 * Every document has a title and a body, a Zipf-distributed {@code genre}, one to four {@code tags},
 * a {@code year}, a {@code price} with cents, a {@code rating}, and a {@code _geo} point near one of
 * 32 cities.
 */
final class Corpus {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int VOCABULARY = 20_000;
  static final double ZIPF_S = 1.07;
  static final String[] GENRES = {
    "drama", "comedy", "thriller", "documentary", "romance", "horror", "action", "animation",
    "fantasy", "science-fiction", "crime", "mystery", "adventure", "biography", "history", "music",
    "war", "western", "family", "sport", "musical", "noir", "satire", "experimental"};
  static final double[][] CITIES = {
    {48.8566, 2.3522}, {51.5074, -0.1278}, {40.7128, -74.0060}, {35.6762, 139.6503},
    {52.5200, 13.4050}, {41.9028, 12.4964}, {40.4168, -3.7038}, {55.7558, 37.6173},
    {-33.8688, 151.2093}, {-23.5505, -46.6333}, {19.4326, -99.1332}, {34.0522, -118.2437},
    {37.7749, -122.4194}, {43.6532, -79.3832}, {1.3521, 103.8198}, {22.3193, 114.1694},
    {31.2304, 121.4737}, {28.6139, 77.2090}, {30.0444, 31.2357}, {-1.2921, 36.8219},
    {-34.6037, -58.3816}, {59.3293, 18.0686}, {60.1699, 24.9384}, {45.4642, 9.1900},
    {50.0755, 14.4378}, {47.4979, 19.0402}, {38.7223, -9.1393}, {53.3498, -6.2603},
    {25.2048, 55.2708}, {13.7563, 100.5018}, {-37.8136, 144.9631}, {49.2827, -123.1207}};

  private static final String[] ONSETS = {
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "ch",
    "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "tr", "th"};
  private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "io"};
  private static final String[] CODAS = {"", "", "", "n", "r", "s", "l", "m", "t"};

  final List<String> words;
  private final double[] cdf;
  private final long seed;

  Corpus(long seed) {
    this.seed = seed;
    Random random = new Random(seed);
    Set<String> unique = new LinkedHashSet<>();
    while (unique.size() < VOCABULARY) {
      int syllables = 1 + random.nextInt(3) + (random.nextInt(4) == 0 ? 1 : 0);
      StringBuilder w = new StringBuilder();
      for (int s = 0; s < syllables; s++) {
        w.append(ONSETS[random.nextInt(ONSETS.length)]).append(VOWELS[random.nextInt(VOWELS.length)]);
        if (s == syllables - 1 || random.nextInt(3) == 0) {
          w.append(CODAS[random.nextInt(CODAS.length)]);
        }
      }
      if (w.length() >= 3) {
        unique.add(w.toString());
      }
    }
    words = List.copyOf(unique);
    cdf = new double[VOCABULARY];
    double sum = 0;
    for (int i = 0; i < VOCABULARY; i++) {
      sum += 1.0 / Math.pow(i + 1, ZIPF_S);
      cdf[i] = sum;
    }
    for (int i = 0; i < VOCABULARY; i++) {
      cdf[i] /= sum;
    }
  }

  /** A word of the given frequency rank (0 = the most frequent). */
  String word(int rank) {
    return words.get(rank);
  }

  int zipfRank(Random random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Documents {@code [from, from + count)}; document {@code i} is the same whatever the batch. */
  ArrayNode documents(long from, int count) {
    ArrayNode out = JSON.createArrayNode();
    for (long i = from; i < from + count; i++) {
      out.add(document(i));
    }
    return out;
  }

  ObjectNode document(long i) {
    Random random = new Random(seed * 1_000_003L + i);
    ObjectNode d = JSON.createObjectNode();
    d.put("id", "d" + i);
    d.put("title", text(random, 3 + random.nextInt(6)));
    d.put("body", text(random, 15 + random.nextInt(30)));
    d.put("genre", GENRES[Math.min(GENRES.length - 1, zipfSmall(random, GENRES.length))]);
    ArrayNode tags = d.putArray("tags");
    int tagCount = 1 + random.nextInt(4);
    for (int t = 0; t < tagCount; t++) {
      tags.add("tag" + zipfSmall(random, 200));
    }
    d.put("year", 1950 + random.nextInt(76));
    d.put("price", Math.round(100 + random.nextDouble() * 49_900) / 100.0);
    d.put("rating", Math.round(random.nextDouble() * 50) / 10.0);
    double[] city = CITIES[random.nextInt(CITIES.length)];
    ObjectNode geo = d.putObject("_geo");
    geo.put("lat", Math.round((city[0] + random.nextGaussian() * 0.3) * 1e5) / 1e5);
    geo.put("lng", Math.round((city[1] + random.nextGaussian() * 0.3) * 1e5) / 1e5);
    return d;
  }

  private String text(Random random, int length) {
    StringBuilder b = new StringBuilder();
    for (int w = 0; w < length; w++) {
      if (w > 0) {
        b.append(' ');
      }
      b.append(words.get(zipfRank(random)));
    }
    return b.toString();
  }

  /** A Zipf draw among {@code n} values by rejection on the harmonic weights (small n only). */
  private static int zipfSmall(Random random, int n) {
    double sum = 0;
    for (int i = 1; i <= n; i++) {
      sum += 1.0 / i;
    }
    double u = random.nextDouble() * sum;
    for (int i = 1; i <= n; i++) {
      u -= 1.0 / i;
      if (u <= 0) {
        return i - 1;
      }
    }
    return n - 1;
  }

  /** The index settings every system gets, identical. */
  static ObjectNode settings() {
    ObjectNode s = JSON.createObjectNode();
    ArrayNode searchable = s.putArray("searchableAttributes");
    searchable.add("title").add("body");
    ArrayNode filterable = s.putArray("filterableAttributes");
    filterable.add("genre").add("tags").add("year").add("price").add("rating").add("_geo");
    ArrayNode sortable = s.putArray("sortableAttributes");
    sortable.add("price").add("year").add("rating").add("_geo");
    return s;
  }

  static List<String> facetNames() {
    return new ArrayList<>(List.of("genre", "tags"));
  }
}
