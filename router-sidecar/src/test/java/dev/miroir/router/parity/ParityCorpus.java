package dev.miroir.router.parity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic corpus for comparing a sharded cluster with one big node: titles and descriptions
 * drawn from a Zipf-like vocabulary (so some words match thousands of documents and others a few),
 * genre, tags, year, price, a {@code series} for distinct, and {@code _geo}. Same seed, same corpus.
 */
public final class ParityCorpus {

  public static final long SEED = 20261121L;
  public static final String[] GENRES = {
    "drama", "comedy", "thriller", "horror", "romance", "documentary", "animation", "western",
    "fantasy", "mystery", "crime", "musical"
  };
  public static final double[][] CITIES = {
    {48.8566, 2.3522}, {40.7128, -74.0060}, {35.6762, 139.6503}, {-33.8688, 151.2093},
    {51.5074, -0.1278}, {52.5200, 13.4050}, {19.4326, -99.1332}, {-23.5505, -46.6333}
  };

  private final List<String> vocabulary;
  private final double[] zipfCumulative;
  private final List<String> tags;

  public ParityCorpus() {
    Random random = new Random(SEED);
    vocabulary = new ArrayList<>();
    String[] syllables = {"ka", "lo", "mi", "ra", "ne", "su", "to", "vi", "ze", "da", "po", "gu", "shi", "an", "el", "or"};
    while (vocabulary.size() < 600) {
      int parts = 2 + random.nextInt(3);
      StringBuilder word = new StringBuilder();
      for (int i = 0; i < parts; i++) {
        word.append(syllables[random.nextInt(syllables.length)]);
      }
      if (!vocabulary.contains(word.toString())) {
        vocabulary.add(word.toString());
      }
    }
    zipfCumulative = new double[vocabulary.size()];
    double sum = 0;
    for (int rank = 0; rank < vocabulary.size(); rank++) {
      sum += 1.0 / Math.pow(rank + 1, 1.07);
      zipfCumulative[rank] = sum;
    }
    for (int i = 0; i < zipfCumulative.length; i++) {
      zipfCumulative[i] /= sum;
    }
    tags = vocabulary.subList(100, 130);
  }

  /** The i-th most frequent word. */
  public String word(int rank) {
    return vocabulary.get(rank);
  }

  public List<String> tags() {
    return tags;
  }

  /** {@code count} documents; ids alternate between integers and strings like Meilisearch allows. */
  public ArrayNode documents(int count) {
    Random random = new Random(SEED + 1);
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < count; i++) {
      ObjectNode doc = docs.addObject();
      if (i % 2 == 0) {
        doc.put("id", i);
      } else {
        doc.put("id", "doc-" + i);
      }
      doc.put("seq", i);
      doc.put("title", words(random, 2 + random.nextInt(5)));
      doc.put("description", words(random, 8 + random.nextInt(20)));
      doc.put("genre", GENRES[(int) Math.floor(Math.pow(random.nextDouble(), 1.5) * GENRES.length)]);
      ArrayNode docTags = doc.putArray("tags");
      int tagCount = 1 + random.nextInt(4);
      for (int t = 0; t < tagCount; t++) {
        String tag = tags.get(random.nextInt(tags.size()));
        if (!docTags.toString().contains("\"" + tag + "\"")) {
          docTags.add(tag);
        }
      }
      doc.put("year", 1950 + random.nextInt(75));
      doc.put("price", Math.round((1 + random.nextDouble() * 499) * 100) / 100.0);
      doc.put("series", "series-" + random.nextInt(400));
      double[] city = CITIES[random.nextInt(CITIES.length)];
      ObjectNode geo = doc.putObject("_geo");
      geo.put("lat", Math.round((city[0] + random.nextGaussian() * 0.5) * 1e5) / 1e5);
      geo.put("lng", Math.round((city[1] + random.nextGaussian() * 0.5) * 1e5) / 1e5);
    }
    return docs;
  }

  private String words(Random random, int n) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(vocabulary.get(zipfRank(random)));
    }
    return text.toString();
  }

  private int zipfRank(Random random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = zipfCumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (zipfCumulative[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * The explicit settings applied identically to the single node and the cluster. The last ranking
   * rule, {@code seq:asc}, makes the order total: without it, equal hits are ordered by each node's
   * internal document id (insertion order), which no router can see across shards.
   */
  public static ObjectNode settings(boolean totalOrder) {
    ObjectNode settings = JsonNodeFactory.instance.objectNode();
    ArrayNode rules = settings.putArray("rankingRules");
    for (String rule : new String[] {"words", "typo", "proximity", "attribute", "sort", "exactness"}) {
      rules.add(rule);
    }
    if (totalOrder) {
      rules.add("seq:asc");
    }
    ArrayNode searchable = settings.putArray("searchableAttributes");
    searchable.add("title").add("description").add("tags");
    ArrayNode filterable = settings.putArray("filterableAttributes");
    for (String f : new String[] {"genre", "tags", "year", "price", "series", "_geo"}) {
      filterable.add(f);
    }
    ArrayNode sortable = settings.putArray("sortableAttributes");
    for (String f : new String[] {"year", "price", "title", "_geo", "seq"}) {
      sortable.add(f);
    }
    settings.putObject("faceting").put("maxValuesPerFacet", 100);
    settings.putObject("pagination").put("maxTotalHits", 1000);
    return settings;
  }

  public static String toJson(Object value) {
    try {
      return new ObjectMapper().writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
