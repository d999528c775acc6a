package dev.miroir.bench.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One system answering the query mix. Each query's request(s) are prepared as bytes up front, so the
 * harness spends the same small effort per search on every system.
 */
abstract class SearchTarget {

  final String name;

  SearchTarget(String name) {
    this.name = name;
  }

  /** Sends query {@code i} of the mix and returns once it is answered; throws on anything but 200. */
  abstract void search(int i);

  /** A router process behind this target, or null. */
  RouterProcess router() {
    return null;
  }

  static void require200(Http.Answer a, String what) {
    if (a.status() != 200) {
      throw new IllegalStateException(what + " answered " + a.status() + ": " + a.text());
    }
  }

  /** One request per search to one URL (a node, a router). */
  static final class Single extends SearchTarget {
    private final Http http;
    private final String url;
    private final byte[][] bodies;
    private final RouterProcess router;

    Single(String name, Http http, String url, byte[][] bodies, RouterProcess router) {
      super(name);
      this.http = http;
      this.url = url;
      this.bodies = bodies;
      this.router = router;
    }

    @Override
    void search(int i) {
      require200(http.send("POST", url, bodies[i % bodies.length]), name);
    }

    @Override
    RouterProcess router() {
      return router;
    }
  }

  /** Meilisearch's remote federated search, sent to the nodes in turn (each can federate). */
  static final class Federated extends SearchTarget {
    private final Http http;
    private final List<String> urls;
    private final byte[][] bodies;
    private final AtomicInteger turn = new AtomicInteger();

    Federated(String name, Http http, List<String> nodeUrls, byte[][] bodies) {
      super(name);
      this.http = http;
      this.urls = nodeUrls;
      this.bodies = bodies;
    }

    @Override
    void search(int i) {
      String url = urls.get(Math.floorMod(turn.getAndIncrement(), urls.size())) + "/multi-search";
      require200(http.send("POST", url, bodies[i % bodies.length]), name);
    }
  }

  /** Several requests per search, sent together; answered when the slowest is. */
  static final class FanOut extends SearchTarget {
    private final Http http;
    /** Per query: the URLs and bodies of its requests. */
    private final String[][] urls;
    private final byte[][][] bodies;

    FanOut(String name, Http http, String[][] urls, byte[][][] bodies) {
      super(name);
      this.http = http;
      this.urls = urls;
      this.bodies = bodies;
    }

    @Override
    void search(int i) {
      int q = i % urls.length;
      @SuppressWarnings("unchecked")
      CompletableFuture<Http.Answer>[] sent = new CompletableFuture[urls[q].length];
      for (int n = 0; n < sent.length; n++) {
        sent[n] = http.sendAsync("POST", urls[q][n], bodies[q][n]);
      }
      for (CompletableFuture<Http.Answer> f : sent) {
        require200(f.join(), name);
      }
    }
  }
}
