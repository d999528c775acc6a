package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.bench.cluster.ClusterComparison.Mode;
import dev.miroir.bench.cluster.ClusterComparison.Systems;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.topology.RoutingSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Writes as they are on main: acknowledgement latency of one write (time to the 202) of 1, 100 and
 * 10,000 documents, router versus the single node directly and versus its write floor (the router's
 * own split sent straight to the nodes); bulk indexing throughput until every
 * task has succeeded, with batches of 1,000 and 10,000 documents; the router's resident memory
 * during a bulk load with 32 searches in flight.
 */
final class WritePhases {

  private static final int[] SIZES = {1, 100, 10_000};
  private static final int[] BULK_BATCHES = {1_000, 10_000};
  /** Unrecorded writes of 1 and of 100 documents per system before the measured ones. */
  private static final int WRITE_WARMUP = 300;

  private final Mode mode;
  private final Http http;
  private final Corpus corpus;
  private final Systems s;
  private final Results results;
  private long nextId = 10_000_000L;
  /** Another build's RF 1 router ({@code --baseline-jar}), measured beside this one's; null when none. */
  private RouterProcess baseline;

  WritePhases(Mode mode, Http http, Corpus corpus, Systems systems, Results results) {
    this.mode = mode;
    this.http = http;
    this.corpus = corpus;
    this.s = systems;
    this.results = results;
  }

  /**
   * Measures {@code router} (another build's RF 1 router) beside this build's in the acknowledgement
   * phase: a write-path change before and after, in the same run, write by write.
   */
  WritePhases withBaseline(RouterProcess router) {
    this.baseline = router;
    return this;
  }

  /** name → base URL, in the order of the tables. */
  private Map<String, String> writers() {
    Map<String, String> w = new LinkedHashMap<>();
    w.put("one node", s.singleUrl());
    w.put("router RF 1", s.router1().url);
    w.put("router RF 2", s.router2().url);
    return w;
  }

  /** The writers of the acknowledgement phase: {@link #writers} and the baseline build's router. */
  private Map<String, String> ackWriters() {
    Map<String, String> w = writers();
    if (baseline != null) {
      w.put(ClusterComparison.BASELINE, baseline.url);
    }
    return w;
  }

  /**
   * The write floor: what the nodes themselves cost for a write the router splits. Each system
   * sends the documents of one write straight to the nodes, split as the router splits it (each
   * document, stamped with its shard, to every owner of its shard in that RF's placement), all nodes
   * in parallel, and is done when the slowest node answered 202. No router can acknowledge before
   * that: at RF 1 a 100-document write becomes three enqueues (three LMDB commits on this machine's
   * one disk) where a direct write is one, and at RF 2 six. The split is made before the clock
   * starts; it is the router's work, not the nodes'.
   */
  private Map<String, TopologyDocument> floors() {
    Map<String, TopologyDocument> f = new LinkedHashMap<>();
    f.put("write floor RF 1", s.rf1());
    f.put("write floor RF 2", s.rf2());
    return f;
  }

  void acks() {
    Map<String, String> writers = ackWriters();
    Map<String, TopologyDocument> floors = floors();
    List<String> names = new ArrayList<>(writers.keySet());
    names.addAll(floors.keySet());
    // Both routers share the three nodes: each system gets its own index.
    writers.forEach((name, url) -> create(url, index(name, "writes")));
    floors.forEach((name, topology) -> topology.nodes().forEach(n -> create(n.url(), index(name, "writes"))));
    for (int si = 0; si < SIZES.length; si++) {
      int size = SIZES[si];
      int samples = mode.ackSamples()[si];
      Map<String, Histogram> latencies = new LinkedHashMap<>();
      names.forEach(n -> latencies.put(n, new Histogram(600_000_000L, 3)));
      Map<String, Map<String, Long>> last = new LinkedHashMap<>();
      // Unrecorded writes per system first: connections, and the JIT of the router's write path
      // (its searches warmed the HTTP stack, not the batch scanner, sequencer and replica log).
      int warmup = size >= 10_000 ? 2 : WRITE_WARMUP;
      for (int sample = -warmup; sample < samples; sample++) {
        ArrayNode documents = corpus.documents(nextId, size);
        nextId += size;
        byte[] body = Http.bytes(documents);
        for (int k = 0; k < names.size(); k++) {
          String name = names.get(Math.floorMod(sample + k, names.size()));
          String index = index(name, "writes");
          long t0;
          long t1;
          Map<String, Long> tasks = new LinkedHashMap<>();
          if (writers.containsKey(name)) {
            String url = writers.get(name);
            t0 = System.nanoTime();
            Http.Answer a = http.post(url + "/indexes/" + index + "/documents", body);
            t1 = System.nanoTime();
            tasks.put(url, Http.taskUid(a));
          } else {
            Map<String, byte[]> split = split(floors.get(name), documents);
            t0 = System.nanoTime();
            Map<String, CompletableFuture<Http.Answer>> sent = new LinkedHashMap<>();
            split.forEach((url, nodeBody) ->
                sent.put(url, http.sendAsync("POST", url + "/indexes/" + index + "/documents", nodeBody)));
            CompletableFuture.allOf(sent.values().toArray(CompletableFuture[]::new)).join();
            t1 = System.nanoTime();
            sent.forEach((url, answer) -> tasks.put(url, Http.taskUid(answer.join())));
          }
          last.put(name, tasks);
          if (sample >= 0) {
            latencies.get(name).recordValue(Math.max(1, (t1 - t0) / 1000));
          }
        }
        if (size >= 10_000) {
          // Let the nodes index a large write before the next, so the acknowledgement is measured
          // against nodes that are not buried under a backlog only this phase created.
          awaitAll(last);
        }
      }
      awaitAll(last);
      latencies.forEach((name, h) -> {
        results.ack(name, size, h);
        ClusterComparison.log("ack %-16s %,6d docs p50 %7.2f ms p99 %7.2f ms (%d writes)", name, size,
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getTotalCount());
      });
    }
    writers.forEach((name, url) -> delete(url, index(name, "writes")));
    floors.forEach((name, topology) -> topology.nodes().forEach(n -> delete(n.url(), index(name, "writes"))));
  }

  private void awaitAll(Map<String, Map<String, Long>> last) {
    last.values().forEach(tasks -> tasks.forEach((url, uid) -> http.awaitTask(url, uid, Duration.ofMinutes(10))));
  }

  /** One body per node URL: the documents of the shards it owns, each stamped with its shard. */
  private static Map<String, byte[]> split(TopologyDocument topology, ArrayNode documents) {
    RoutingSnapshot snapshot = new RoutingSnapshot(topology);
    Map<String, String> urls = new LinkedHashMap<>();
    topology.nodes().forEach(n -> urls.put(n.id(), n.url()));
    Map<String, ArrayNode> perNode = new LinkedHashMap<>();
    for (JsonNode document : documents) {
      int shard = ShardHash.shardOfId(document.get("id").textValue(), snapshot.shards());
      ObjectNode stamped = ((ObjectNode) document).deepCopy().put(ShardStamp.GEO_FIELD, shard);
      for (String node : snapshot.writeTargets(shard)) {
        perNode.computeIfAbsent(urls.get(node), u -> Corpus.JSON.createArrayNode()).add(stamped);
      }
    }
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    perNode.forEach((url, docs) -> bodies.put(url, Http.bytes(docs)));
    return bodies;
  }

  void bulk(List<SearchTarget> searchTargets) {
    Map<String, String> writers = writers();
    List<String> names = new ArrayList<>(writers.keySet());
    for (int bi = 0; bi < BULK_BATCHES.length; bi++) {
      int batch = BULK_BATCHES[bi];
      List<byte[]> batches = batches(batch);
      for (int k = 0; k < names.size(); k++) {
        String name = names.get((k + bi) % names.size());
        RouterProcess router = name.equals("router RF 1") ? s.router1() : name.equals("router RF 2") ? s.router2() : null;
        Bulk b = bulkLoad(writers.get(name), index(name, "bulk_" + batch), batches, router);
        results.bulk(name, batch, mode.bulkDocuments(), b.seconds, b.peakRss);
        ClusterComparison.log("bulk %-12s batches of %,6d: %,.0f documents/s (%.1f s)%s", name, batch,
            mode.bulkDocuments() / b.seconds, b.seconds,
            router == null ? "" : String.format(", router RSS peak %.0f MB", b.peakRss / 1e6));
      }
    }
    // The memory goal: a bulk load while 32 searches are in flight on the same router.
    List<byte[]> batches = batches(10_000);
    for (SearchTarget t : searchTargets) {
      if (t.router() == null || t.name.equals(ClusterComparison.BASELINE)) {
        continue;
      }
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicLong searches = new AtomicLong();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 32; c++) {
        int client = c;
        Thread th = new Thread(() -> {
          int i = client * 7919;
          while (loading.get()) {
            try {
              t.search(i++);
              searches.incrementAndGet();
            } catch (RuntimeException e) {
              // counted as nothing; the bulk figure is what this run is for
            }
          }
        }, "bench-mixed-" + c);
        th.setDaemon(true);
        th.start();
        clients.add(th);
      }
      Bulk b;
      try {
        b = bulkLoad(t.router().url, index(t.name, "bulk_mixed"), batches, t.router());
      } finally {
        loading.set(false);
        clients.forEach(th -> {
          try {
            th.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      results.mixed(t.name, mode.bulkDocuments(), b.seconds, b.peakRss, searches.get());
      ClusterComparison.log("mixed %-12s bulk %,.0f documents/s with 32 searching clients (%,d searches), router RSS"
          + " peak %.0f MB", t.name, mode.bulkDocuments() / b.seconds, searches.get(), b.peakRss / 1e6);
    }
  }

  /** An index name of its own for each system: {@code writes_router_rf_1}. */
  static String index(String system, String base) {
    return base + "_" + system.replaceAll("[^A-Za-z0-9]+", "_").toLowerCase(java.util.Locale.ROOT);
  }

  private List<byte[]> batches(int batch) {
    List<byte[]> out = new ArrayList<>();
    for (int from = 0; from < mode.bulkDocuments(); from += batch) {
      out.add(Http.bytes(corpus.documents(20_000_000L + from, Math.min(batch, mode.bulkDocuments() - from))));
    }
    return out;
  }

  record Bulk(double seconds, long peakRss) {}

  /** A fresh index, every batch sent in turn (each after the previous 202), until all succeeded. */
  private Bulk bulkLoad(String url, String index, List<byte[]> batches, RouterProcess router) {
    create(url, index);
    AtomicLong peak = new AtomicLong(-1);
    AtomicBoolean sampling = new AtomicBoolean(router != null);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        try {
          JsonNode stats = router.stats();
          peak.accumulateAndGet(stats.path("rssBytes").asLong(), Math::max);
        } catch (RuntimeException e) {
          // a missed sample
        }
        Http.sleepQuietly(200);
      }
    }, "bench-rss");
    sampler.setDaemon(true);
    sampler.start();
    long t0 = System.nanoTime();
    List<Long> tasks = new ArrayList<>();
    for (byte[] body : batches) {
      tasks.add(Http.taskUid(http.post(url + "/indexes/" + index + "/documents", body)));
    }
    for (long uid : tasks) {
      http.awaitTask(url, uid, Duration.ofMinutes(30));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    sampling.set(false);
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    delete(url, index);
    return new Bulk(seconds, peak.get());
  }

  private void create(String url, String index) {
    // Left over by an interrupted run on kept data: start clean.
    if (http.get(url + "/indexes/" + index).status() == 200) {
      delete(url, index);
    }
    com.fasterxml.jackson.databind.node.ObjectNode body = Corpus.JSON.createObjectNode().put("uid", index)
        .put("primaryKey", "id");
    http.awaitTask(url, Http.taskUid(http.post(url + "/indexes", body)), Duration.ofMinutes(2));
    http.awaitTask(url, Http.taskUid(http.patch(url + "/indexes/" + index + "/settings", Corpus.settings())),
        Duration.ofMinutes(2));
  }

  private void delete(String url, String index) {
    http.awaitTask(url, Http.taskUid(http.send("DELETE", url + "/indexes/" + index, null)), Duration.ofMinutes(5));
  }
}
