package dev.miroir.bench.cluster;

import dev.miroir.bench.MoveRun;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeilisearchNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * The rebalance phase: a router cluster (RF 1, or 2) of three nodes of its own gains a fourth node (3 -> 4,
 * the shards whose owners change move to it) and loses it again (4 -> 3), the mover driven as
 * {@code ./miroir local scale} drives it ({@link MoveRun}), while closed-loop clients search through
 * the router and a slow writer rewrites documents of the corpus with their own content (the counts
 * stay the single node's). Measures shard moves, the copy rate against one node's bulk indexing from
 * the same run, search p50/p99 and errors during each move against the same clients just before,
 * the longest write fence; then checks the router still answers the single node's counts.
 *
 * <p>Its own nodes, not the search phase's: the mover copies and drops a shard in every index of a
 * node, so moving the RF 1 router's shards on the shared nodes would move the RF 2 router's documents
 * too. With {@code --data} the three nodes keep their data and, since placement is a function of the
 * node set, 4 -> 3 leaves each shard where the next run's fresh topology expects it; a run that ends
 * elsewhere (a move rolled back, a count off) or dies mid-move leaves no "loaded" mark, and the next
 * run wipes the kept data and loads afresh.
 */
final class RebalancePhase {

  static final String INDEX = "bench_move";

  /** Searching clients during the moves: the search phase's middle level, as in its profile phase. */
  static final int CLIENTS = 8;

  /**
   * Shards moved at once: the default of the operator's {@code maxConcurrentMoves} and of local
   * mode's {@code --max-concurrent-moves}.
   */
  static final int CONCURRENT_MOVES = 2;

  /** The slow writer's pause between one-document writes. */
  static final long WRITE_PAUSE_MILLIS = 50;

  private final ClusterComparison run;
  private final ClusterComparison.Mode mode;
  private final Http http;
  private final Corpus corpus;
  private final Results results;
  private final Path work;
  private final Path dataDir;
  private final int rf;

  RebalancePhase(ClusterComparison run, ClusterComparison.Mode mode, Http http, Corpus corpus, Results results,
      Path work, Path dataDir, int rf) {
    this.rf = rf;
    this.run = run;
    this.mode = mode;
    this.http = http;
    this.corpus = corpus;
    this.results = results;
    this.work = work;
    this.dataDir = dataDir;
  }

  /** One move measured: the mover's outcome, searches and writes meanwhile. */
  record Move(String label, MoveRun.Outcome outcome, LoadRun.Result searches, Histogram writeMicros, long writeErrors,
      String firstWriteError) {}

  void run(QueryMix mix, String singleUrl) throws Exception {
    long started = System.nanoTime();
    Path kept = dataDir == null ? null : dataDir.resolve("rebalance-rf" + rf);
    // Written only once the moves put every shard back where a fresh topology expects it: kept data
    // without it (a run that died or rolled back mid-move) is wiped and loaded again.
    Path loaded = kept == null ? null : kept.resolve("loaded-" + mode.documents());
    boolean reuse = loaded != null && Files.exists(loaded);
    if (kept != null && !reuse) {
      deleteTree(kept);
    }
    try (MeilisearchNodes nodes = MeilisearchNodes.start(4, (i, b) -> {
      b.masterKey(ClusterComparison.KEY).maxIndexingThreads(2).maxIndexingMemory("512MiB")
          .startupTimeout(Duration.ofSeconds(120));
      // The joining node always starts empty.
      if (kept != null && i < 3) {
        b.dataDir(kept.resolve("node-" + i)).deleteDataDirOnClose(false);
      }
    })) {
      List<TopologyNode> four = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        four.add(new TopologyNode("n" + i, ClusterComparison.strip(nodes.get(i).url().toString()), null,
            NodeState.ACTIVE));
      }
      List<TopologyNode> three = four.subList(0, 3);
      TopologyDocument start = TopologyDocument.steadyState("bench-move", 1, three,
          Placement.compute(three.stream().map(TopologyNode::id).toList(), ClusterComparison.SHARDS, rf));
      try (RouterProcess router = RouterProcess.start("router-move-rf" + rf, start, ClusterComparison.KEY, http, work)) {
        if (reuse) {
          ClusterComparison.log("rebalance RF %d: corpus already loaded in %s", rf, kept);
          Files.delete(loaded);
        } else {
          Map<String, String> into = new LinkedHashMap<>();
          into.put(router.url, INDEX);
          run.load(corpus, into);
        }
        String searchUrl = router.url + "/indexes/" + INDEX + "/search";
        byte[][] bodies = ClusterComparison.bodies(mix);
        SearchTarget target = new SearchTarget.Single("router RF " + rf + " (moving)", http, searchUrl, bodies, router);
        int before = run.mismatches(mix, singleUrl, List.of(searchUrl));
        double bulkRate = oneNodeBulkRate(ClusterComparison.strip(nodes.get(3).url().toString()));

        // Warm-up, then the same clients in steady state just before the moves.
        LoadRun.run(target, CLIENTS, 0, Math.max(3_000, 2 * mode.warmupMillis()), 500);
        LoadRun.Result steady = LoadRun.run(target, CLIENTS, 0, 2 * mode.measureMillis(), 501);
        ClusterComparison.log("rebalance RF %d steady %d clients: p50 %.2f ms p99 %.2f ms %.0f/s errors %d", rf,
            CLIENTS, steady.p(50), steady.p(99), steady.throughput(), steady.errors());

        Move up = move("3 -> 4 nodes", router, target, four);
        Move down = move("4 -> 3 nodes", router, target, three);

        int after = run.mismatches(mix, singleUrl, List.of(searchUrl));
        long count = http.get(router.url + "/indexes/" + INDEX + "/stats").json().path("numberOfDocuments").asLong();
        TopologyDocument end = TopologyCodec.decode(Files.readString(router.topologyFile()));
        boolean asFound = samePlacement(start, end) && after == 0 && count == mode.documents();
        if (asFound && loaded != null) {
          Files.writeString(loaded, Instant.now().toString());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        results.rebalance(new Results.Rebalance(mode.documents(), ClusterComparison.SHARDS, rf, CONCURRENT_MOVES,
            CLIENTS, bulkRate, steady, List.of(up, down), before, after, count, asFound, seconds));
        ClusterComparison.log("rebalance RF %d: answer check %d mismatches before, %d after the moves; %,d documents"
            + " through the router (the corpus: %,d); every shard back where it started and nothing lost: %s; phase took %.0f s",
            rf, before, after, count, mode.documents(), asFound, seconds);
      }
    }
  }

  /**
   * One node's bulk indexing of the same run: the bulk phase's (batches of 10,000, as the corpus is
   * loaded), else measured here on the joining node before it joins, into an index dropped after.
   */
  private double oneNodeBulkRate(String joinerUrl) {
    Double measured = results.bulk.getOrDefault("one node", Map.of()).get(10_000);
    if (measured != null) {
      return measured;
    }
    Map<String, String> into = Map.of(joinerUrl, "bulk_baseline");
    double seconds = run.load(corpus, into);
    http.awaitTask(joinerUrl, Http.taskUid(http.send("DELETE", joinerUrl + "/indexes/bulk_baseline", null)),
        Duration.ofMinutes(5));
    double rate = mode.documents() / seconds;
    ClusterComparison.log("rebalance: one node bulk-indexes %,.0f documents/s (measured here: the bulk phase was"
        + " skipped)", rate);
    return rate;
  }

  private Move move(String label, RouterProcess router, SearchTarget target, List<TopologyNode> to) throws Exception {
    AtomicBoolean over = new AtomicBoolean();
    LoadRun.Result[] searches = new LoadRun.Result[1];
    Thread searchers = new Thread(() -> searches[0] = LoadRun.until(target, CLIENTS, over::get, 502), "bench-move-search");
    Histogram writes = new Histogram(120_000_000L, 3);
    long[] writeErrors = {0};
    String[] firstWriteError = {null};
    long[] lastWrite = {-1};
    Thread writer = new Thread(() -> {
      Random random = new Random(11);
      while (!over.get()) {
        // A document of the corpus with its own content: the write path and the fence are exercised,
        // the answers stay the single node's.
        byte[] body = Http.bytes(corpus.documents(random.nextInt(mode.documents()), 1));
        long s = System.nanoTime();
        try {
          lastWrite[0] = Http.taskUid(http.post(router.url + "/indexes/" + INDEX + "/documents", body));
          writes.recordValue(Math.max(1, (System.nanoTime() - s) / 1000));
        } catch (RuntimeException e) {
          writeErrors[0]++;
          if (firstWriteError[0] == null) {
            firstWriteError[0] = e.getMessage();
          }
        }
        Http.sleepQuietly(WRITE_PAUSE_MILLIS);
      }
    }, "bench-move-writer");
    searchers.start();
    writer.start();
    MoveRun.Outcome outcome;
    try {
      outcome = MoveRun.run(ClusterComparison.KEY, router.url, router.topologyFile(),
          work.resolve("rebalance-rf" + rf + "-journal.json"), to, CONCURRENT_MOVES);
    } finally {
      over.set(true);
      searchers.join();
      writer.join();
    }
    // The last writes settle before the next move or the answer check.
    if (lastWrite[0] >= 0) {
      http.awaitTask(router.url, lastWrite[0], Duration.ofMinutes(5));
    }
    LoadRun.Result s = searches[0];
    var progress = outcome.journal().progress();
    ClusterComparison.log("rebalance RF %d %s: %d moves (%d rolled back), %d / %d shard replicas moved (minimum), %,d"
        + " documents copied in %.1f s = %,.0f documents/s; search p50 %.2f ms p99 %.2f ms %.0f/s errors %d%s;"
        + " longest write fence %,d ms; writes %d, p99 ack %.1f ms, errors %d%s", rf, label, progress.movesTotal(),
        progress.rolledBack(), outcome.journal().replicasToMove(), outcome.journal().theoreticalMinimum(),
        outcome.documentsCopied(), outcome.seconds(), outcome.copyRate(), s.p(50), s.p(99), s.throughput(), s.errors(),
        s.errors() > 0 ? " (" + s.firstError() + ")" : "", outcome.longestFenceMs(), writes.getTotalCount(),
        writes.getTotalCount() == 0 ? Double.NaN : writes.getValueAtPercentile(99) / 1000.0, writeErrors[0],
        writeErrors[0] > 0 ? " (" + firstWriteError[0] + ")" : "");
    return new Move(label, outcome, s, writes, writeErrors[0], firstWriteError[0]);
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static boolean samePlacement(TopologyDocument a, TopologyDocument b) {
    if (a.shards() != b.shards()) {
      return false;
    }
    for (int shard = 0; shard < a.shards(); shard++) {
      if (!new HashSet<>(a.assignment(shard).readOwners()).equals(new HashSet<>(b.assignment(shard).readOwners()))
          || b.assignment(shard).isMoving()) {
        return false;
      }
    }
    return true;
  }
}
