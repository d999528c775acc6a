package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.local.MeilisearchOptions;
import dev.miroir.router.search.CoveringSet;
import dev.miroir.router.search.CoveringSetPlanner;
import dev.miroir.router.search.ShardQueryBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The side-by-side comparison of issue 13: one Meilisearch node holding everything, the router over
 * three nodes with RF 1 and RF 2, Meilisearch's own remote federated search over the same three
 * nodes, and the physical floor (the router's own per-node queries sent directly and in parallel),
 * measured in one run with the systems interleaved so that the machine's noise hits them alike.
 * Then write acknowledgements and bulk indexing, router versus direct, and a rebalance (3 -> 4 -> 3
 * nodes) under search load ({@link RebalancePhase}). Writes the tables
 * ({@code results.md}, {@code results.json}) and PNG charts to the output directory.
 *
 * <pre>
 *   benchmarks/run-comparison --quick            # 10,000 documents, short slices, for development
 *   benchmarks/run-comparison --full             # 100,000 documents: the figures of docs/benchmarks
 * </pre>
 */
public final class ClusterComparison {

  static final String KEY = "bench-master-key-0123456789abcdef";
  static final int SHARDS = 64;
  static final int[] CLIENTS = {1, 8, 32};

  /** Sizes of one run. */
  record Mode(String name, int documents, int queriesPerKind, int warmupSearches, long warmupMillis,
      long measureMillis, int repetitions, int[] ackSamples, int bulkDocuments, long profileMillis) {

    static Mode quick() {
      return new Mode("quick", 10_000, 10, 1_500, 1_000, 3_000, 2, new int[] {60, 40, 3}, 6_000, 5_000);
    }

    static Mode full() {
      return new Mode("full", 100_000, 30, 3_000, 1_500, 5_000, 3, new int[] {150, 100, 5}, 20_000, 10_000);
    }
  }

  private final Mode mode;
  private final Path out;
  private final Path work;
  private final Http http = new Http(KEY);
  private final Results results;

  /** Another build's jar whose router is measured beside this one's (before/after), or null. */
  private final String baselineJar;

  /**
   * Where the nodes keep their data between runs, or null for temporary directories: loading the
   * corpus is not what is measured, and 100,000 documents take minutes to index on a busy machine.
   */
  private final Path data;

  /** The baseline router's JVM options when they differ from the others' (a JVM setting before/after). */
  private List<String> baselineJvm;

  /**
   * The replication factors the rebalance phase moves, each on a cluster of its own: RF 1 by default
   * (the copy rate of every document once); {@code --rebalance-rf 1,2} adds RF 2.
   */
  private List<Integer> rebalanceRf = List.of(1);

  /** For development: only these systems in the search and profile phases (all when null). */
  private List<String> onlySystems;

  ClusterComparison(Mode mode, Path out, Path work, String baselineJar, Path data) {
    this.baselineJar = baselineJar;
    this.data = data;
    this.mode = mode;
    this.out = out;
    this.work = work;
    this.results = new Results(mode.name());
  }

  public static void main(String[] args) throws Exception {
    Mode mode = Mode.quick();
    Path out = null;
    Set<String> skip = new java.util.HashSet<>();
    String baseline = null;
    Path data = null;
    List<String> systems = null;
    List<String> baselineJvm = null;
    List<Integer> rebalanceRf = List.of(1);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> mode = Mode.quick();
        case "--full" -> mode = Mode.full();
        case "--out" -> out = Path.of(args[++i]);
        case "--skip" -> skip.addAll(List.of(args[++i].split(",")));
        case "--baseline-jar" -> baseline = args[++i];
        case "--baseline-jvm" -> baselineJvm = List.of(args[++i].trim().split("\\s+"));
        case "--data" -> data = Path.of(args[++i]);
        case "--systems" -> systems = List.of(args[++i].split(","));
        case "--rebalance-rf" -> rebalanceRf = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--router-jvm" -> RouterProcess.jvmOptions = List.of(args[++i].trim().split("\\s+"));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (use --quick | --full, --out DIR, --skip search,profile,acks,bulk,rebalance, --baseline-jar JAR, --data DIR,"
            + " --systems NAME,NAME, --router-jvm \"OPTIONS\", --baseline-jvm \"OPTIONS\", --rebalance-rf 1,2)");
      }
    }
    if (out == null) {
      out = Path.of(mode.name().equals("full") ? "docs/benchmarks" : "benchmarks/target/comparison-quick");
    }
    Files.createDirectories(out);
    Path work = Files.createTempDirectory("miroir-bench-");
    ClusterComparison run = new ClusterComparison(mode, out, work, baseline, data);
    run.onlySystems = systems;
    run.baselineJvm = baselineJvm;
    run.rebalanceRf = rebalanceRf;
    run.run(skip);
  }

  void run(Set<String> skip) throws Exception {
    long started = System.nanoTime();
    log("mode %s: %,d documents, %d shards, machine: %d cores, %s memory, router JVM %s", mode.name(),
        mode.documents(), SHARDS, Runtime.getRuntime().availableProcessors(), Machine.memory(),
        String.join(" ", RouterProcess.jvmOptions));
    results.machine(Machine.describe() + ", router JVM `" + String.join(" ", RouterProcess.jvmOptions) + "`");
    String loadAtStart = Machine.loadAverage();
    Corpus corpus = new Corpus(42);
    Path dataDir = data == null ? null : data.resolve(mode.name());
    try (MeilisearchNodes nodes = MeilisearchNodes.start(4, (i, b) -> {
      b.masterKey(KEY).maxIndexingThreads(2).maxIndexingMemory("512MiB").startupTimeout(Duration.ofSeconds(120));
      if (dataDir != null) {
        b.dataDir(dataDir.resolve("node-" + i)).deleteDataDirOnClose(false);
      }
    })) {
      String singleUrl = strip(nodes.get(0).url().toString());
      List<String> nodeUrls = new ArrayList<>();
      List<TopologyNode> topologyNodes = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        nodeUrls.add(strip(nodes.get(i).url().toString()));
        topologyNodes.add(new TopologyNode("n" + (i - 1), nodeUrls.get(i - 1), null, NodeState.ACTIVE));
      }
      TopologyDocument rf1 = topology(topologyNodes, 1);
      TopologyDocument rf2 = topology(topologyNodes, 2);
      try (RouterProcess router1 = RouterProcess.start("router-rf1", rf1, KEY, http, work);
          RouterProcess router2 = RouterProcess.start("router-rf2", rf2, KEY, http, work);
          RouterProcess before = baselineJar == null && baselineJvm == null ? null
              : RouterProcess.start("router-rf1-baseline", rf1, KEY, http, work,
                  baselineJar == null ? System.getProperty("java.class.path") : baselineJar,
                  baselineJvm == null ? RouterProcess.jvmOptions : baselineJvm)) {
        Systems systems = new Systems(singleUrl, nodeUrls, router1, router2, rf1, rf2);
        Path loaded = dataDir == null ? null : dataDir.resolve("loaded-" + mode.documents());
        if (loaded != null && Files.exists(loaded)) {
          log("corpus already loaded in %s", dataDir);
        } else {
          load(corpus, systems);
          if (loaded != null) {
            Files.writeString(loaded, Instant.now().toString());
          }
        }
        enableRemoteFederation(nodeUrls);
        QueryMix mix = new QueryMix(corpus, mode.queriesPerKind(), 7);
        List<SearchTarget> targets = targets(mix, systems);
        if (before != null) {
          // The same RF 1 index, through the other build's router.
          targets.add(new SearchTarget.Single(BASELINE, http, before.url + "/indexes/" + Systems.RF1_INDEX + "/search",
              bodies(mix), before));
        }
        if (onlySystems != null) {
          targets.removeIf(t -> !onlySystems.contains(t.name));
        }
        checkAnswers(mix, systems);
        if (!skip.contains("search")) {
          searchPhase(targets);
        }
        if (!skip.contains("profile")) {
          profilePhase(targets, systems);
        }
        if (!skip.contains("acks")) {
          new WritePhases(mode, http, corpus, systems, results).withBaseline(before).acks();
        }
        if (!skip.contains("bulk")) {
          new WritePhases(mode, http, corpus, systems, results).bulk(targets);
        }
        if (!skip.contains("rebalance")) {
          for (int rf : rebalanceRf) {
            new RebalancePhase(this, mode, http, corpus, results, work, dataDir, rf).run(mix, singleUrl);
          }
        }
      }
    } finally {
      results.elapsedSeconds((System.nanoTime() - started) / 1e9);
      results.load(loadAtStart, Machine.loadAverage());
      results.write(out);
      try {
        Charts.write(results, out);
      } catch (RuntimeException | java.io.IOException e) {
        // The tables are written already; a chart that fails must not lose them.
        log("charts failed: %s", e);
      }
      log("results and charts written to %s", out.toAbsolutePath());
    }
  }

  static final String BASELINE = "router RF 1 (baseline)";

  static byte[][] bodies(QueryMix mix) {
    byte[][] out = new byte[mix.queries.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Http.bytes(mix.queries.get(i).body());
    }
    return out;
  }

  /** The systems under comparison, and where their search index is. */
  record Systems(String singleUrl, List<String> nodeUrls, RouterProcess router1, RouterProcess router2,
      TopologyDocument rf1, TopologyDocument rf2) {
    static final String SINGLE_INDEX = "bench";
    static final String RF1_INDEX = "bench_rf1";
    static final String RF2_INDEX = "bench_rf2";
  }

  private static TopologyDocument topology(List<TopologyNode> nodes, int rf) {
    Placement placement = Placement.compute(nodes.stream().map(TopologyNode::id).toList(), SHARDS, rf);
    return TopologyDocument.steadyState("bench", 1, nodes, placement);
  }

  // ---- loading ------------------------------------------------------------------------------

  /** The corpus into the single node, and through each router into the three nodes. */
  private void load(Corpus corpus, Systems s) {
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put(s.singleUrl(), Systems.SINGLE_INDEX);
    targets.put(s.router1().url, Systems.RF1_INDEX);
    targets.put(s.router2().url, Systems.RF2_INDEX);
    load(corpus, targets);
  }

  /**
   * The corpus into a fresh index of each system (URL to index), in batches of 10,000, until every
   * task succeeded; checks the count. Returns the seconds it took.
   */
  double load(Corpus corpus, Map<String, String> targets) {
    long t0 = System.nanoTime();
    targets.forEach((url, index) -> createIndex(url, index));
    int batch = 10_000;
    Map<String, Long> last = new HashMap<>();
    for (int from = 0; from < mode.documents(); from += batch) {
      byte[] body = Http.bytes(corpus.documents(from, Math.min(batch, mode.documents() - from)));
      for (var e : targets.entrySet()) {
        last.put(e.getKey(), Http.taskUid(http.post(e.getKey() + "/indexes/" + e.getValue() + "/documents", body)));
      }
    }
    for (var e : last.entrySet()) {
      http.awaitTask(e.getKey(), e.getValue(), Duration.ofMinutes(30));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    log("loaded %,d documents into each of %s in %.0f s", mode.documents(), targets.values(), seconds);
    for (var e : targets.entrySet()) {
      JsonNode stats = http.get(e.getKey() + "/indexes/" + e.getValue() + "/stats").json();
      if (stats.path("numberOfDocuments").asLong() != mode.documents()) {
        throw new IllegalStateException(e.getValue() + " holds " + stats.path("numberOfDocuments") + " documents");
      }
    }
    return seconds;
  }

  void createIndex(String url, String index) {
    ObjectNode create = Corpus.JSON.createObjectNode().put("uid", index).put("primaryKey", "id");
    http.awaitTask(url, Http.taskUid(http.post(url + "/indexes", create)), Duration.ofMinutes(2));
    http.awaitTask(url, Http.taskUid(http.patch(url + "/indexes/" + index + "/settings", Corpus.settings())),
        Duration.ofMinutes(2));
  }

  /** Meilisearch 1.21's {@code network} feature, each node knowing all three by name. */
  private void enableRemoteFederation(List<String> nodeUrls) {
    ObjectNode remotes = Corpus.JSON.createObjectNode();
    for (int i = 0; i < nodeUrls.size(); i++) {
      remotes.putObject("n" + i).put("url", nodeUrls.get(i)).put("searchApiKey", KEY);
    }
    for (int i = 0; i < nodeUrls.size(); i++) {
      Http.Answer features = http.patch(nodeUrls.get(i) + "/experimental-features",
          Corpus.JSON.createObjectNode().put("network", true));
      SearchTarget.require200(features, "experimental-features");
      ObjectNode network = Corpus.JSON.createObjectNode().put("self", "n" + i);
      network.set("remotes", remotes);
      SearchTarget.require200(http.patch(nodeUrls.get(i) + "/network", network), "network");
    }
  }

  // ---- targets ------------------------------------------------------------------------------

  private List<SearchTarget> targets(QueryMix mix, Systems s) {
    int n = mix.queries.size();
    byte[][] client = new byte[n][];
    byte[][] federated = new byte[n][];
    List<String> remotes = List.of("n0", "n1", "n2");
    for (int i = 0; i < n; i++) {
      ObjectNode body = mix.queries.get(i).body();
      client[i] = Http.bytes(body);
      federated[i] = Http.bytes(QueryMix.federated(body, Systems.RF1_INDEX, remotes));
    }
    List<SearchTarget> out = new ArrayList<>();
    out.add(new SearchTarget.Single("one node", http, s.singleUrl() + "/indexes/" + Systems.SINGLE_INDEX + "/search",
        client, null));
    out.add(new SearchTarget.Single("router RF 1", http, s.router1().url + "/indexes/" + Systems.RF1_INDEX + "/search",
        client, s.router1()));
    out.add(new SearchTarget.Single("router RF 2", http, s.router2().url + "/indexes/" + Systems.RF2_INDEX + "/search",
        client, s.router2()));
    out.add(new SearchTarget.Federated("remote federated", http, s.nodeUrls(), federated));
    out.add(floor("floor RF 1", mix, s, s.rf1(), Systems.RF1_INDEX, true));
    out.add(floor("floor RF 2", mix, s, s.rf2(), Systems.RF2_INDEX, true));
    out.add(floor("client shape RF 1", mix, s, s.rf1(), Systems.RF1_INDEX, false));
    return out;
  }

  /**
   * The router's own per-node requests for each query, sent directly: {@code routerShape} the
   * bodies the router builds ({@link RouterShape}: its covering set, its shard-filter rule, its
   * scores), else the client's
   * body as it is to each node of RF 1 (whose nodes hold disjoint shards), to price the shape.
   */
  private SearchTarget floor(String name, QueryMix mix, Systems s, TopologyDocument topology, String index,
      boolean routerShape) {
    Map<Integer, List<String>> replicas = new HashMap<>();
    for (int shard = 0; shard < topology.shards(); shard++) {
      replicas.put(shard, topology.assignment(shard).readOwners());
    }
    CoveringSet cover = CoveringSetPlanner.plan(topology.shards(), replicas, Set.of());
    Map<String, String> urlOf = new HashMap<>();
    topology.nodes().forEach(node -> urlOf.put(node.id(), node.url()));
    int n = mix.queries.size();
    String[][] urls = new String[n][];
    byte[][][] bodies = new byte[n][][];
    RouterShape shape = routerShape ? new RouterShape(http, topology, index) : null;
    if (shape != null) {
      log("%s: %d of %d nodes proven to hold only their placement's shards (no shard filter when they"
          + " answer for all of them)", name, shape.exclusiveNodes(), topology.nodes().size());
    }
    for (int i = 0; i < n; i++) {
      ObjectNode body = mix.queries.get(i).body();
      ShardQueryBuilder.ShardSearch plan = shape == null ? null : shape.plan(body);
      List<String> chosen = new ArrayList<>(cover.shardsByNode().keySet());
      urls[i] = new String[chosen.size()];
      bodies[i] = new byte[chosen.size()][];
      for (int k = 0; k < chosen.size(); k++) {
        String node = chosen.get(k);
        urls[i][k] = urlOf.get(node) + "/indexes/" + index + "/search";
        bodies[i][k] = Http.bytes(shape != null ? shape.nodeBody(plan, node, cover.shardsOf(node)) : body);
      }
    }
    return new SearchTarget.FanOut(name, http, urls, bodies);
  }

  /** A few answers compared with the single node's: counts must match, or the figures mean nothing. */
  private void checkAnswers(QueryMix mix, Systems s) {
    int mismatches = mismatches(mix, s.singleUrl(), List.of(s.router1().url + "/indexes/" + Systems.RF1_INDEX + "/search",
        s.router2().url + "/indexes/" + Systems.RF2_INDEX + "/search"));
    results.answerCheck(mismatches);
    log("answer check: %d mismatching counts over %d queries x 2 routers", mismatches, Math.min(40, mix.queries.size()));
  }

  /** Counts (estimated total hits, hits) of the first 40 queries that differ from the single node's. */
  int mismatches(QueryMix mix, String singleUrl, List<String> searchUrls) {
    int mismatches = 0;
    for (int i = 0; i < Math.min(40, mix.queries.size()); i++) {
      byte[] body = Http.bytes(mix.queries.get(i).body());
      JsonNode one = http.post(singleUrl + "/indexes/" + Systems.SINGLE_INDEX + "/search", body).json();
      for (String url : searchUrls) {
        JsonNode routed = http.post(url, body).json();
        if (one.path("estimatedTotalHits").asLong() != routed.path("estimatedTotalHits").asLong()
            || one.path("hits").size() != routed.path("hits").size()) {
          mismatches++;
          log("answer differs for %s at %s: %s vs %s hits", mix.queries.get(i).body(), url,
              one.path("estimatedTotalHits"), routed.path("estimatedTotalHits"));
        }
      }
    }
    return mismatches;
  }

  // ---- search -------------------------------------------------------------------------------

  private void searchPhase(List<SearchTarget> targets) {
    // Warm-up by count, not time: a router's JIT needs thousands of searches, however slow they are.
    for (SearchTarget t : targets) {
      long t0 = System.nanoTime();
      long done = 0;
      int round = 0;
      while (done < mode.warmupSearches() && System.nanoTime() - t0 < 180_000_000_000L) {
        done += LoadRun.run(t, 8, 0, 2_000, round++).completed();
      }
      log("warm-up %-24s %,d searches in %.0f s", t.name, done, (System.nanoTime() - t0) / 1e9);
    }
    for (int rep = 0; rep < mode.repetitions(); rep++) {
      for (int level = 0; level < CLIENTS.length; level++) {
        int clients = CLIENTS[level];
        // Rotate the order every slice, so no system is always first after another's load.
        int shift = rep * CLIENTS.length + level;
        for (int k = 0; k < targets.size(); k++) {
          SearchTarget t = targets.get((k + shift) % targets.size());
          LoadRun.run(t, clients, 0, mode.warmupMillis(), 1000 + rep);
          JsonNode before = t.router() == null ? null : t.router().stats();
          LoadRun.Result r = LoadRun.run(t, clients, 0, mode.measureMillis(), 2000 + rep * 31 + level);
          JsonNode after = t.router() == null ? null : t.router().stats();
          results.search(r, before, after);
          log("rep %d %2d clients %-18s p50 %7.2f ms p99 %7.2f ms %7.1f/s%s", rep, clients, t.name, r.p(50),
              r.p(99), r.throughput(), r.errors() > 0 ? " errors " + r.errors() + ": " + r.firstError() : "");
        }
      }
    }
  }

  /** A JFR recording of each router under 8 clients, summarised into the hottest frames. */
  private void profilePhase(List<SearchTarget> targets, Systems s) throws Exception {
    for (SearchTarget t : targets) {
      RouterProcess router = t.router();
      if (router == null) {
        continue;
      }
      router.startProfile();
      LoadRun.Result r = LoadRun.run(t, 8, 0, mode.profileMillis(), 77);
      Path jfr = router.stopProfile("search-8-clients");
      String summary = JfrSummary.summarize(jfr, r.completed());
      results.profile(t.name, summary);
      Files.writeString(out.resolve("profile-" + router.name + ".txt"), summary);
      log("profile of %s (%d searches):%n%s", t.name, r.completed(), summary);
    }
  }

  static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  static void log(String format, Object... args) {
    System.out.println(Instant.now().toString().substring(11, 19) + " " + String.format(format, args));
    System.out.flush();
  }

  static ArrayNode array() {
    return Corpus.JSON.createArrayNode();
  }
}
