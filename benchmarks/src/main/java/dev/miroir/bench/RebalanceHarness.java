package dev.miroir.bench;

import dev.miroir.core.move.MoveStep;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.router.RouterConfig;
import dev.miroir.router.RouterHandle;
import dev.miroir.router.RouterServer;
import dev.miroir.router.topology.FileTopologySource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The figures of docs/design/rebalance.md, measured on this machine with real Meilisearch nodes and
 * the router (a harness, not a timed test):
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.miroir.bench.RebalanceHarness [documents] [shards] [concurrent moves]
 * </pre>
 *
 * Prints: shard replicas moved vs the theoretical minimum (3 -> 4 and 4 -> 3 nodes, RF 2), the copy
 * rate against plain bulk indexing of the same documents into one node, search p50/p99 through the
 * router in steady state and during the moves, the longest write fence (raised to lifted) and the
 * slowest acknowledged write during the moves; where the moves' time went, step by step; and where the
 * fences' time went, phase by phase of the fenced step ({@link MoveRun.FenceBreakdown}; with
 * {@code -Dmiroir.mover.traceFence=true} also what the longest fence's drains found queued).
 */
public final class RebalanceHarness {

  static final String KEY = "rebalance-harness-master-key-0123";

  public static void main(String[] args) throws Exception {
    int documents = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int shards = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Path dir = Files.createTempDirectory("miroir-rebalance-harness");
    try (MeilisearchNodes nodes = MeilisearchNodes.start(5, (i, b) -> b.masterKey(KEY))) {
      List<TopologyNode> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add(new TopologyNode("n" + i, nodes.get(i).url().toString(), null, NodeState.ACTIVE));
      }
      List<TopologyNode> three = all.subList(0, 3);
      Path topology = dir.resolve("topology.json");
      Files.writeString(topology, TopologyCodec.encode(TopologyDocument.steadyState("bench", 1, three,
          Placement.compute(three.stream().map(TopologyNode::id).toList(), shards, 2))));
      try (RouterHandle router = RouterServer.start(RouterConfig.local(0, KEY,
          new FileTopologySource(topology, Duration.ofMillis(100))))) {
        String routerUrl = "http://127.0.0.1:" + router.port();
        MeiliHttp http = new MeiliHttp(URI.create(routerUrl), KEY, Duration.ofSeconds(120));
        List<List<Map<String, Object>>> batches = corpus(documents);

        // Plain bulk indexing into one node (the fifth, unused by the cluster): the baseline.
        MeiliHttp single = nodes.get(4).http();
        single.awaitTaskSucceeded(single.post("/indexes", Map.of("uid", "items", "primaryKey", "id")).taskUid(),
            Duration.ofSeconds(60));
        long t0 = System.nanoTime();
        long last = 0;
        for (List<Map<String, Object>> batch : batches) {
          last = single.post("/indexes/items/documents", batch).taskUid();
        }
        single.awaitTaskSucceeded(last, Duration.ofMinutes(30));
        double bulkRate = documents / ((System.nanoTime() - t0) / 1e9);

        http.awaitTaskSucceeded(http.post("/indexes", Map.of("uid", "items", "primaryKey", "id")).taskUid(),
            Duration.ofSeconds(60));
        for (List<Map<String, Object>> batch : batches) {
          last = http.post("/indexes/items/documents", batch).taskUid();
        }
        http.awaitTaskSucceeded(last, Duration.ofMinutes(30));

        List<Long> steady = searches(http, 300, null);
        Timeline up = move(routerUrl, topology, dir, all, http, concurrency);
        Timeline down = move(routerUrl, topology, dir, three, http, concurrency);

        System.out.printf("%n## Rebalance figures (%d documents, %d shards, RF 2, %d concurrent moves, this machine)%n%n",
            documents, shards, concurrency);
        System.out.println("| figure | 3 -> 4 nodes | 4 -> 3 nodes |");
        System.out.println("|---|---|---|");
        System.out.printf("| shard replicas moved / theoretical minimum | %d / %d | %d / %d |%n",
            up.journal.replicasToMove(), up.journal.theoreticalMinimum(),
            down.journal.replicasToMove(), down.journal.theoreticalMinimum());
        System.out.printf("| documents copied (pages + rewrites) | %d | %d |%n",
            up.journal.progress().documentsCopied(), down.journal.progress().documentsCopied());
        System.out.printf("| rebalance wall time | %.1f s | %.1f s |%n", up.seconds, down.seconds);
        System.out.printf("| copy rate, documents/s (copied / wall time) | %.0f | %.0f |%n",
            up.journal.progress().documentsCopied() / up.seconds, down.journal.progress().documentsCopied() / down.seconds);
        System.out.printf("| plain bulk indexing into one node, documents/s | %.0f | |%n", bulkRate);
        System.out.printf("| search p50 / p99 steady state | %s | |%n", percentiles(steady));
        System.out.printf("| search p50 / p99 during the moves | %s | %s |%n", percentiles(up.searches),
            percentiles(down.searches));
        System.out.printf("| longest write fence (raised to lifted) | %d ms | %d ms |%n", up.longestFenceMs,
            down.longestFenceMs);
        System.out.printf("| slowest acknowledged write during the moves | %d ms | %d ms |%n", up.slowestWriteMs,
            down.slowestWriteMs);
        System.out.println();
        System.out.println("| step: time summed over moves | 3 -> 4 nodes | 4 -> 3 nodes |");
        System.out.println("|---|---|---|");
        java.util.Set<MoveStep> steps = new java.util.TreeSet<>(up.stepMillis.keySet());
        steps.addAll(down.stepMillis.keySet());
        for (MoveStep step : steps) {
          System.out.printf("| %s | %.1f s | %.1f s |%n", step.wireName(), up.stepMillis.getOrDefault(step, 0L) / 1000.0,
              down.stepMillis.getOrDefault(step, 0L) / 1000.0);
        }
        System.out.println();
        System.out.println("### Where the fences' time went, 3 -> 4 nodes\n\n" + up.fences.table());
        System.out.println("### Where the fences' time went, 4 -> 3 nodes\n\n" + down.fences.table());
      }
    }
  }

  record Timeline(RebalanceJournal journal, double seconds, List<Long> searches, long longestFenceMs,
      long slowestWriteMs, Map<MoveStep, Long> stepMillis, MoveRun.FenceBreakdown fences) {}

  /** One rebalance ({@link MoveRun}) while one client searches and one writes through the router. */
  static Timeline move(String routerUrl, Path topology, Path dir, List<TopologyNode> target, MeiliHttp http,
      int concurrency) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Long> during = Collections.synchronizedList(new ArrayList<>());
    long[] slowestWrite = {0};
    Thread searcher = new Thread(() -> during.addAll(searchesUntil(http, stop)));
    Thread writer = new Thread(() -> {
      Random random = new Random(3);
      while (!stop.get()) {
        long s = System.nanoTime();
        http.post("/indexes/items/documents", List.of(Map.of("id", "w" + random.nextInt(1000), "title", "live")));
        synchronized (slowestWrite) {
          slowestWrite[0] = Math.max(slowestWrite[0], (System.nanoTime() - s) / 1_000_000);
        }
      }
    });
    searcher.start();
    writer.start();
    MoveRun.Outcome done;
    try {
      done = MoveRun.run(KEY, routerUrl, topology, dir.resolve("rebalance.json"), target, concurrency);
    } finally {
      stop.set(true);
      searcher.join();
      writer.join();
    }
    return new Timeline(done.journal(), done.seconds(), during, done.longestFenceMs(), slowestWrite[0],
        done.stepMillis(), done.fences());
  }

  static List<List<Map<String, Object>>> corpus(int documents) {
    Random random = new Random(7);
    String[] words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"};
    List<List<Map<String, Object>>> batches = new ArrayList<>();
    List<Map<String, Object>> batch = new ArrayList<>();
    for (int i = 0; i < documents; i++) {
      batch.add(Map.of("id", i, "title", words[random.nextInt(10)] + " " + words[random.nextInt(10)] + " " + i,
          "year", 1900 + random.nextInt(125), "body", "document " + i + " " + words[random.nextInt(10)]));
      if (batch.size() == 1000) {
        batches.add(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  static List<Long> searches(MeiliHttp http, int count, AtomicBoolean stop) {
    List<Long> micros = new ArrayList<>();
    String[] words = {"alpha", "bravo", "charlie", "delta", "echo"};
    for (int i = 0; i < count && (stop == null || !stop.get()); i++) {
      long s = System.nanoTime();
      http.post("/indexes/items/search", Map.of("q", words[i % words.length], "limit", 20)).requireSuccess();
      micros.add((System.nanoTime() - s) / 1_000);
    }
    return micros;
  }

  static List<Long> searchesUntil(MeiliHttp http, AtomicBoolean stop) {
    List<Long> all = new ArrayList<>();
    while (!stop.get()) {
      all.addAll(searches(http, 20, stop));
    }
    return all;
  }

  static String percentiles(List<Long> micros) {
    if (micros.isEmpty()) {
      return "n/a";
    }
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    return String.format("%.1f / %.1f ms (%d searches)", sorted.get(sorted.size() / 2) / 1000.0,
        sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)) / 1000.0, sorted.size());
  }
}
