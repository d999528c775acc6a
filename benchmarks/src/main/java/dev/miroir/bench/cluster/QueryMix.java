package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The search mix: ten kinds of query, in equal shares, drawn deterministically from the corpus
 * vocabulary. Every system receives the same sequence of client bodies; only the envelope differs
 * (a federated multi-search for Meilisearch's remote federation, per-node bodies for the floor).
 */
final class QueryMix {

  enum Kind { ONE_WORD, TWO_WORDS, THREE_WORDS, TYPO, PREFIX, FILTER, SORT, FACETS, PLACEHOLDER, GEO }

  record Query(Kind kind, ObjectNode body) {}

  final List<Query> queries;

  QueryMix(Corpus corpus, int perKind, long seed) {
    Random random = new Random(seed);
    List<Query> out = new ArrayList<>();
    for (int i = 0; i < perKind; i++) {
      for (Kind kind : Kind.values()) {
        out.add(new Query(kind, body(kind, corpus, random)));
      }
    }
    queries = List.copyOf(out);
  }

  private static ObjectNode body(Kind kind, Corpus corpus, Random random) {
    ObjectNode b = Corpus.JSON.createObjectNode();
    // Frequent to mid-frequency words: rank 5..2000, drawn so that cheap and costly queries mix.
    String w1 = corpus.word(5 + random.nextInt(2000));
    String w2 = corpus.word(5 + random.nextInt(2000));
    String w3 = corpus.word(5 + random.nextInt(4000));
    switch (kind) {
      case ONE_WORD -> b.put("q", w1);
      case TWO_WORDS -> b.put("q", w1 + " " + w2);
      case THREE_WORDS -> b.put("q", w1 + " " + w2 + " " + w3);
      case TYPO -> {
        String w = longWord(corpus, random);
        int at = 1 + random.nextInt(w.length() - 2);
        char swapped = (char) ('a' + (w.charAt(at) - 'a' + 1 + random.nextInt(24)) % 26);
        b.put("q", w.substring(0, at) + swapped + w.substring(at + 1));
      }
      case PREFIX -> {
        String w = longWord(corpus, random);
        b.put("q", w.substring(0, 3 + random.nextInt(2)));
      }
      case FILTER -> {
        b.put("q", w1);
        b.put("filter", "genre = " + Corpus.GENRES[random.nextInt(6)] + " AND year >= " + (1960 + random.nextInt(50)));
      }
      case SORT -> {
        b.put("q", w1);
        b.putArray("sort").add(random.nextBoolean() ? "price:asc" : "rating:desc");
      }
      case FACETS -> {
        b.put("q", w1);
        b.putArray("facets").add("genre").add("tags");
      }
      case PLACEHOLDER -> {
        b.put("q", "");
        if (random.nextBoolean()) {
          b.put("filter", "rating > " + (1 + random.nextInt(3)));
        }
      }
      case GEO -> {
        double[] city = Corpus.CITIES[random.nextInt(Corpus.CITIES.length)];
        b.put("q", w1);
        b.put("filter", "_geoRadius(" + city[0] + ", " + city[1] + ", 50000)");
        b.putArray("sort").add("_geoPoint(" + city[0] + ", " + city[1] + "):asc");
      }
    }
    b.put("limit", 20);
    return b;
  }

  private static String longWord(Corpus corpus, Random random) {
    while (true) {
      String w = corpus.word(5 + random.nextInt(3000));
      if (w.length() >= 6) {
        return w;
      }
    }
  }

  /**
   * Meilisearch's own remote federated search for a client body: one query per remote on the index
   * each remote holds a third of, facets through {@code facetsByIndex} merged by {@code mergeFacets}.
   */
  static ObjectNode federated(ObjectNode client, String index, List<String> remotes) {
    ObjectNode body = Corpus.JSON.createObjectNode();
    ObjectNode federation = body.putObject("federation");
    federation.put("limit", client.path("limit").asInt(20));
    federation.put("offset", 0);
    if (client.has("facets")) {
      federation.putObject("facetsByIndex").set(index, client.get("facets"));
      federation.putObject("mergeFacets");
    }
    var queries = body.putArray("queries");
    for (String remote : remotes) {
      ObjectNode q = queries.addObject();
      q.put("indexUid", index);
      q.set("q", client.get("q"));
      if (client.has("filter")) {
        q.set("filter", client.get("filter"));
      }
      if (client.has("sort")) {
        q.set("sort", client.get("sort"));
      }
      q.putObject("federationOptions").put("remote", remote);
    }
    return body;
  }
}
