package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Every figure of one run, and the tables of {@code results.md} made from them. */
final class Results {

  /** One measured slice of one system at one client count. */
  record Slice(double p50, double p95, double p99, double throughput, long errors, double cpuMillisPerSearch,
      double eventLoopCpuMillisPerSearch, double allocatedKbPerSearch, long rssBytes, long served) {}

  /** Everything measured for one system at one client count, over the repetitions. */
  static final class Series {
    final List<Slice> slices = new ArrayList<>();
    final Histogram all = new Histogram(120_000_000L, 3);
  }

  final String mode;
  String machine = "";
  double elapsedSeconds;
  int answerMismatches = -1;
  /** system → clients → series, in insertion order. */
  final Map<String, Map<Integer, Series>> search = new LinkedHashMap<>();
  /** system → size → histogram (µs). */
  final Map<String, Map<Integer, Histogram>> acks = new LinkedHashMap<>();
  /** system → batch → documents/s. */
  final Map<String, Map<Integer, Double>> bulk = new LinkedHashMap<>();
  final Map<String, Long> bulkPeakRss = new LinkedHashMap<>();
  final Map<String, String> mixed = new LinkedHashMap<>();
  final Map<String, Long> mixedPeakRss = new LinkedHashMap<>();
  final Map<String, String> profiles = new LinkedHashMap<>();
  int bulkDocuments;
  /** The rebalance phase, one per replication factor moved (empty when it did not run). */
  final List<Rebalance> rebalances = new ArrayList<>();

  /**
   * The rebalance phase: a cluster of its own moved 3 -> 4 -> 3 nodes while {@code clients} search
   * and one writer writes through its router; {@code bulkRate} is one node's bulk indexing in this run.
   */
  record Rebalance(int documents, int shards, int replicationFactor, int concurrentMoves, int clients, double bulkRate,
      LoadRun.Result steady, List<RebalancePhase.Move> moves, int mismatchesBefore, int mismatchesAfter,
      long documentsAfter, boolean placementAsFound, double seconds) {}

  synchronized void rebalance(Rebalance r) {
    rebalances.add(r);
  }

  Results(String mode) {
    this.mode = mode;
  }

  void machine(String description) {
    machine = description;
  }

  void elapsedSeconds(double seconds) {
    elapsedSeconds = seconds;
  }

  /** Load average (1/5/15 min) when the run started and when it ended: how busy the machine was. */
  String loadAtStart = "unknown";
  String loadAtEnd = "unknown";

  void load(String atStart, String atEnd) {
    loadAtStart = atStart;
    loadAtEnd = atEnd;
  }

  void answerCheck(int mismatches) {
    answerMismatches = mismatches;
  }

  synchronized void search(LoadRun.Result r, JsonNode before, JsonNode after) {
    double cpu = Double.NaN;
    double loopCpu = Double.NaN;
    double alloc = Double.NaN;
    long rss = -1;
    long served = r.completed();
    if (before != null && after != null && served > 0) {
      cpu = (after.path("processCpuNanos").asLong() - before.path("processCpuNanos").asLong()) / 1e6 / served;
      loopCpu = (after.path("eventLoopCpuNanos").asLong() - before.path("eventLoopCpuNanos").asLong()) / 1e6 / served;
      alloc = (after.path("threadsAllocatedBytes").asLong() - before.path("threadsAllocatedBytes").asLong()) / 1024.0
          / served;
      rss = after.path("rssBytes").asLong();
    }
    Series s = search.computeIfAbsent(r.system(), k -> new LinkedHashMap<>())
        .computeIfAbsent(r.clients(), k -> new Series());
    s.slices.add(new Slice(r.p(50), r.p(95), r.p(99), r.throughput(), r.errors(), cpu, loopCpu, alloc, rss, served));
    s.all.add(r.latencyMicros());
  }

  synchronized void ack(String system, int size, Histogram micros) {
    acks.computeIfAbsent(system, k -> new LinkedHashMap<>()).put(size, micros);
  }

  synchronized void bulk(String system, int batch, int documents, double seconds, long peakRss) {
    bulkDocuments = documents;
    bulk.computeIfAbsent(system, k -> new LinkedHashMap<>()).put(batch, documents / seconds);
    if (peakRss > 0) {
      bulkPeakRss.merge(system, peakRss, Math::max);
    }
  }

  synchronized void mixed(String system, int documents, double seconds, long peakRss, long searches) {
    mixed.put(system, String.format("%,.0f documents/s, %,d searches served meanwhile", documents / seconds, searches));
    mixedPeakRss.put(system, peakRss);
  }

  synchronized void profile(String system, String summary) {
    profiles.put(system, summary);
  }

  // ---- aggregates ---------------------------------------------------------------------------

  static double median(List<Double> values) {
    List<Double> v = values.stream().filter(d -> !Double.isNaN(d)).sorted().toList();
    if (v.isEmpty()) {
      return Double.NaN;
    }
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  double p50(String system, int clients) {
    Series s = series(system, clients);
    return s == null ? Double.NaN : median(s.slices.stream().map(Slice::p50).toList());
  }

  /** p99 over every recorded search of every repetition (repetitions are too short for a median of p99s). */
  double p99(String system, int clients) {
    Series s = series(system, clients);
    return s == null || s.all.getTotalCount() == 0 ? Double.NaN : s.all.getValueAtPercentile(99) / 1000.0;
  }

  double p95(String system, int clients) {
    Series s = series(system, clients);
    return s == null || s.all.getTotalCount() == 0 ? Double.NaN : s.all.getValueAtPercentile(95) / 1000.0;
  }

  double throughput(String system, int clients) {
    Series s = series(system, clients);
    return s == null ? Double.NaN : median(s.slices.stream().map(Slice::throughput).toList());
  }

  Series series(String system, int clients) {
    Map<Integer, Series> bySystem = search.get(system);
    return bySystem == null ? null : bySystem.get(clients);
  }

  private static String spread(List<Double> values, String format) {
    List<Double> v = values.stream().filter(d -> !Double.isNaN(d)).sorted().toList();
    if (v.size() < 2) {
      return "";
    }
    return " (" + String.format(format, v.get(0)) + "–" + String.format(format, v.get(v.size() - 1)) + ")";
  }

  private static String f(double v, String format) {
    return Double.isNaN(v) ? "–" : String.format(format, v);
  }

  // ---- output -------------------------------------------------------------------------------

  void write(Path out) throws IOException {
    Files.writeString(out.resolve("results.md"), markdown());
    Files.writeString(out.resolve("results.json"), Corpus.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json()));
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("<!-- Written by benchmarks/run-comparison --").append(mode).append("; do not edit by hand. -->\n\n");
    b.append("Mode `").append(mode).append("`, machine: ").append(machine).append(". Run took ")
        .append(String.format("%.0f", elapsedSeconds)).append(" s; load average (1/5/15 min) ").append(loadAtStart)
        .append(" at the start, ").append(loadAtEnd).append(" at the end. Answer check (counts of 40 queries, router vs one node): ")
        .append(answerMismatches < 0 ? "not run" : answerMismatches + " mismatches").append(".\n\n");

    if (!search.isEmpty()) {
      b.append("### Search latency and throughput\n\n");
      b.append("p50: median over repetitions (min–max in brackets); p95/p99: over every search of every repetition;"
          + " throughput: median searches/s. Router CPU and allocation: the router JVM's process CPU time and"
          + " allocated bytes per search served.\n\n");
      for (int clients : ClusterComparison.CLIENTS) {
        b.append("**").append(clients).append(clients == 1 ? " client" : " clients").append("**\n\n");
        b.append("| system | p50 ms | p95 ms | p99 ms | searches/s | router CPU ms/search | router alloc KB/search | errors |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (String system : search.keySet()) {
          Series s = series(system, clients);
          if (s == null) {
            continue;
          }
          List<Double> p50s = s.slices.stream().map(Slice::p50).toList();
          List<Double> tps = s.slices.stream().map(Slice::throughput).toList();
          double cpu = median(s.slices.stream().map(Slice::cpuMillisPerSearch).toList());
          double alloc = median(s.slices.stream().map(Slice::allocatedKbPerSearch).toList());
          long errors = s.slices.stream().mapToLong(Slice::errors).sum();
          b.append("| ").append(system).append(" | ").append(f(p50(system, clients), "%.2f")).append(spread(p50s, "%.2f"))
              .append(" | ").append(f(p95(system, clients), "%.2f"))
              .append(" | ").append(f(p99(system, clients), "%.2f"))
              .append(" | ").append(f(throughput(system, clients), "%.0f")).append(spread(tps, "%.0f"))
              .append(" | ").append(f(cpu, "%.2f")).append(" | ").append(f(alloc, "%.0f"))
              .append(" | ").append(errors).append(" |\n");
        }
        b.append('\n');
      }
      b.append("### Search ratios (same run)\n\n");
      b.append("| ratio | 1 client | 8 clients | 32 clients | goal |\n|---|---|---|---|---|\n");
      ratioRow(b, "router RF 1 p50 / floor RF 1 p50", "router RF 1", "floor RF 1", false, "≤ 1.1");
      ratioRow(b, "router RF 1 p99 / floor RF 1 p99", "router RF 1", "floor RF 1", true, "≤ 1.2");
      ratioRow(b, "router RF 2 p50 / floor RF 2 p50", "router RF 2", "floor RF 2", false, "≤ 1.1");
      ratioRow(b, "router RF 2 p99 / floor RF 2 p99", "router RF 2", "floor RF 2", true, "≤ 1.2");
      ratioRow(b, "router RF 1 p50 / remote federated p50", "router RF 1", "remote federated", false, "≤ 0.3");
      ratioRow(b, "router RF 2 p50 / remote federated p50", "router RF 2", "remote federated", false, "≤ 0.3");
      ratioRow(b, "router RF 1 p50 / one node p50", "router RF 1", "one node", false, "");
      ratioRow(b, "floor RF 1 p50 / client shape RF 1 p50 (node cost of the router's shape)", "floor RF 1",
          "client shape RF 1", false, "≤ 1.05");
      if (search.containsKey(ClusterComparison.BASELINE)) {
        ratioRow(b, "router RF 1 p50 / the baseline build's router RF 1 p50", "router RF 1", ClusterComparison.BASELINE,
            false, "before/after");
        ratioRow(b, "router RF 1 p99 / the baseline build's router RF 1 p99", "router RF 1", ClusterComparison.BASELINE,
            true, "before/after");
      }
      b.append("| router RF 1 searches/s / one node searches/s | ")
          .append(f(throughput("router RF 1", 1) / throughput("one node", 1), "%.2f")).append(" | ")
          .append(f(throughput("router RF 1", 8) / throughput("one node", 8), "%.2f")).append(" | ")
          .append(f(throughput("router RF 1", 32) / throughput("one node", 32), "%.2f")).append(" | |\n\n");
      b.append("Router resident memory at the end of each 32-client slice: ");
      for (String system : search.keySet()) {
        Series s = series(system, 32);
        if (s != null && s.slices.stream().anyMatch(x -> x.rssBytes() > 0)) {
          b.append(system).append(" ").append(String.format("%.0f MB",
              s.slices.stream().mapToLong(Slice::rssBytes).max().orElse(0) / 1e6)).append("; ");
        }
      }
      b.append("\n\n");
    }

    if (!acks.isEmpty()) {
      b.append("### Write acknowledgement (time to the 202)\n\n");
      b.append("| system | 1 doc p50 / p99 ms | 100 docs p50 / p99 ms | 10,000 docs p50 / p99 ms |\n|---|---|---|---|\n");
      for (String system : acks.keySet()) {
        b.append("| ").append(system);
        for (Histogram h : acks.get(system).values()) {
          b.append(" | ").append(String.format("%.2f / %.2f (n=%d)", h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0, h.getTotalCount()));
        }
        b.append(" |\n");
      }
      b.append("\n| ratio to one node (p50) | 1 doc | 100 docs | 10,000 docs | goal |\n|---|---|---|---|---|\n");
      for (String system : acks.keySet()) {
        if (system.equals("one node")) {
          continue;
        }
        b.append("| ").append(system);
        for (int size : acks.get(system).keySet()) {
          double base = acks.get("one node").get(size).getValueAtPercentile(50);
          b.append(" | ").append(String.format("%.2f", acks.get(system).get(size).getValueAtPercentile(50) / base));
        }
        b.append(system.startsWith("write floor") ? " | (the nodes' own cost of the split) |\n"
            : " | ≤ 1.5 (1 doc), ≤ 2 (100 docs) |\n");
      }
      b.append('\n');
      if (acks.containsKey("write floor RF 1")) {
        b.append("| router over its write floor (p50) | 1 doc | 100 docs | 10,000 docs |\n|---|---|---|---|\n");
        for (int rf = 1; rf <= 2; rf++) {
          Map<Integer, Histogram> router = acks.get("router RF " + rf);
          Map<Integer, Histogram> floor = acks.get("write floor RF " + rf);
          if (router == null || floor == null) {
            continue;
          }
          b.append("| router RF ").append(rf).append(" / write floor RF ").append(rf);
          for (int size : router.keySet()) {
            b.append(" | ").append(String.format("%.2f",
                (double) router.get(size).getValueAtPercentile(50) / floor.get(size).getValueAtPercentile(50)));
          }
          b.append(" |\n");
        }
        b.append('\n');
      }
    }

    if (!bulk.isEmpty()) {
      b.append("### Bulk indexing (").append(String.format("%,d", bulkDocuments))
          .append(" documents into a fresh index, batches sent one after the other, until every task succeeded)\n\n");
      b.append("| system | batches of 1,000: documents/s | ratio to one node | batches of 10,000: documents/s | ratio to one node | goal |\n|---|---|---|---|---|---|\n");
      for (String system : bulk.keySet()) {
        Map<Integer, Double> bySize = bulk.get(system);
        Map<Integer, Double> base = bulk.get("one node");
        b.append("| ").append(system);
        for (int batch : new int[] {1_000, 10_000}) {
          Double v = bySize.get(batch);
          Double o = base == null ? null : base.get(batch);
          b.append(" | ").append(v == null ? "–" : String.format("%,.0f", v))
              .append(" | ").append(v == null || o == null ? "–" : String.format("%.2f", v / o));
        }
        b.append(" | ").append(system.contains("RF 1") ? "≥ 1.3" : system.contains("RF 2") ? "≥ 0.8" : "").append(" |\n");
      }
      b.append('\n');
      b.append("Router resident memory, peak during its bulk loads: ");
      bulkPeakRss.forEach((k, v) -> b.append(k).append(" ").append(String.format("%.0f MB", v / 1e6)).append("; "));
      b.append("\n\n");
    }
    if (!mixed.isEmpty()) {
      b.append("### Router memory under a bulk load (batches of 10,000) with 32 searching clients\n\n");
      b.append("| router | peak resident memory | meanwhile | goal |\n|---|---|---|---|\n");
      mixed.forEach((k, v) -> b.append("| ").append(k).append(" | ")
          .append(String.format("%.0f MB", mixedPeakRss.get(k) / 1e6)).append(" | ").append(v).append(" | < 300 MB |\n"));
      b.append('\n');
    }
    rebalances.forEach(r -> rebalanceMarkdown(b, r));
    if (!profiles.isEmpty()) {
      b.append("### Router profiles (JFR, 8 clients)\n\n");
      profiles.forEach((k, v) -> b.append("**").append(k).append("**\n\n```\n").append(v).append("```\n\n"));
    }
    return b.toString();
  }

  private static void rebalanceMarkdown(StringBuilder b, Rebalance r) {
    b.append(String.format("### Rebalance under search load (%,d documents, %d shards, RF %d, %d concurrent moves)%n%n",
        r.documents(), r.shards(), r.replicationFactor(), r.concurrentMoves()));
    b.append(String.format("A router RF %d cluster of its own gains a fourth node and loses it again, the mover driven as"
        + " `./miroir local scale` drives it, while %d closed-loop clients search through the router (the query mix)"
        + " and one writer rewrites one corpus document at a time with its own content. Steady state: the same"
        + " clients just before the moves. Phase took %.0f s.%n%n", r.replicationFactor(), r.clients(), r.seconds()));
    b.append("| figure |");
    r.moves().forEach(m -> b.append(' ').append(m.label()).append(" |"));
    b.append("\n|---|");
    r.moves().forEach(m -> b.append("---|"));
    b.append('\n');
    row(b, r, "shard moves (rolled back)", m -> m.outcome().journal().progress().movesTotal() + " ("
        + m.outcome().journal().progress().rolledBack() + ")");
    row(b, r, "shard replicas moved / theoretical minimum", m -> m.outcome().journal().replicasToMove() + " / "
        + m.outcome().journal().theoreticalMinimum());
    row(b, r, "documents copied (pages + rewrites)", m -> String.format("%,d", m.outcome().documentsCopied()));
    row(b, r, "rebalance wall time", m -> String.format("%.1f s", m.outcome().seconds()));
    row(b, r, "copy rate, documents/s (copied / wall time)", m -> String.format("%,.0f", m.outcome().copyRate()));
    row(b, r, String.format("copy rate / one node's bulk indexing (%,.0f documents/s, same run)", r.bulkRate()),
        m -> String.format("%.1f %%", 100 * m.outcome().copyRate() / r.bulkRate()));
    row(b, r, String.format("search p50 / p99 during the moves (steady: %.2f / %.2f ms)", r.steady().p(50),
        r.steady().p(99)), m -> String.format("%.2f / %.2f ms", m.searches().p(50), m.searches().p(99)));
    row(b, r, "search p50 / p99 during ÷ steady", m -> String.format("%.2f / %.2f", m.searches().p(50) / r.steady().p(50),
        m.searches().p(99) / r.steady().p(99)));
    row(b, r, String.format("searches/s during the moves (steady: %.0f)", r.steady().throughput()),
        m -> String.format("%.0f", m.searches().throughput()));
    row(b, r, "search errors during the moves", m -> m.searches().errors() + (m.searches().errors() > 0
        ? " (" + m.searches().firstError() + ")" : ""));
    row(b, r, "**longest write fence** (raised to lifted)", m -> String.format("**%,d ms**", m.outcome().longestFenceMs()));
    row(b, r, "writes acknowledged: count, p50 / p99 / max", m -> m.writeMicros().getTotalCount() == 0 ? "–"
        : String.format("%d, %.1f / %.1f / %.1f ms", m.writeMicros().getTotalCount(),
            m.writeMicros().getValueAtPercentile(50) / 1000.0, m.writeMicros().getValueAtPercentile(99) / 1000.0,
            m.writeMicros().getMaxValue() / 1000.0));
    row(b, r, "write errors", m -> m.writeErrors() + (m.writeErrors() > 0 ? " (" + m.firstWriteError() + ")" : ""));
    b.append('\n');
    b.append(String.format("After the moves: answer check %d mismatching counts (%d before the moves); %,d documents"
        + " through the router (the corpus: %,d); left as found (every shard on its first owners, the counts the single node's): %s.%n%n", r.mismatchesAfter(),
        r.mismatchesBefore(), r.documentsAfter(), r.documents(), r.placementAsFound() ? "yes" : "no"));
    b.append("| step: time summed over moves |");
    r.moves().forEach(m -> b.append(' ').append(m.label()).append(" |"));
    b.append("\n|---|");
    r.moves().forEach(m -> b.append("---|"));
    b.append('\n');
    java.util.Set<dev.miroir.core.move.MoveStep> steps = new java.util.TreeSet<>();
    r.moves().forEach(m -> steps.addAll(m.outcome().stepMillis().keySet()));
    for (dev.miroir.core.move.MoveStep step : steps) {
      row(b, r, step.wireName(), m -> String.format("%.1f s", m.outcome().stepMillis().getOrDefault(step, 0L) / 1000.0));
    }
    b.append('\n');
  }

  private static void row(StringBuilder b, Rebalance r, String label,
      java.util.function.Function<RebalancePhase.Move, String> cell) {
    b.append("| ").append(label).append(" |");
    r.moves().forEach(m -> b.append(' ').append(cell.apply(m)).append(" |"));
    b.append('\n');
  }

  private void ratioRow(StringBuilder b, String label, String a, String base, boolean p99, String goal) {
    b.append("| ").append(label);
    for (int clients : ClusterComparison.CLIENTS) {
      double x = p99 ? p99(a, clients) / p99(base, clients) : p50(a, clients) / p50(base, clients);
      b.append(" | ").append(f(x, "%.2f"));
    }
    b.append(" | ").append(goal).append(" |\n");
  }

  ObjectNode json() {
    ObjectNode root = Corpus.JSON.createObjectNode();
    root.put("mode", mode);
    root.put("machine", machine);
    root.put("elapsedSeconds", elapsedSeconds);
    root.put("loadAverageAtStart", loadAtStart);
    root.put("loadAverageAtEnd", loadAtEnd);
    ArrayNode searches = root.putArray("search");
    search.forEach((system, byClients) -> byClients.forEach((clients, s) -> {
      ObjectNode o = searches.addObject();
      o.put("system", system);
      o.put("clients", clients);
      o.put("p50", p50(system, clients));
      o.put("p95", p95(system, clients));
      o.put("p99", p99(system, clients));
      o.put("throughput", throughput(system, clients));
      ArrayNode slices = o.putArray("slices");
      s.slices.forEach(sl -> slices.add(Corpus.JSON.valueToTree(sl)));
    }));
    ObjectNode ackNode = root.putObject("acks");
    acks.forEach((system, bySize) -> {
      ObjectNode o = ackNode.putObject(system);
      bySize.forEach((size, h) -> o.putObject(Integer.toString(size)).put("p50", h.getValueAtPercentile(50) / 1000.0)
          .put("p99", h.getValueAtPercentile(99) / 1000.0).put("n", h.getTotalCount()));
    });
    ObjectNode bulkNode = root.putObject("bulk");
    bulk.forEach((system, bySize) -> {
      ObjectNode o = bulkNode.putObject(system);
      bySize.forEach((batch, v) -> o.put(Integer.toString(batch), v));
    });
    ObjectNode rss = root.putObject("peakRss");
    bulkPeakRss.forEach((k, v) -> rss.put("bulk " + k, v));
    mixedPeakRss.forEach((k, v) -> rss.put("mixed " + k, v));
    ArrayNode rebalanceNode = root.putArray("rebalance");
    for (Rebalance r : rebalances) {
      ObjectNode o = rebalanceNode.addObject();
      o.put("documents", r.documents()).put("shards", r.shards()).put("replicationFactor", r.replicationFactor())
          .put("concurrentMoves", r.concurrentMoves()).put("clients", r.clients())
          .put("oneNodeBulkDocumentsPerSecond", r.bulkRate()).put("steadyP50", r.steady().p(50))
          .put("steadyP99", r.steady().p(99)).put("steadyThroughput", r.steady().throughput())
          .put("answerMismatchesBefore", r.mismatchesBefore()).put("answerMismatchesAfter", r.mismatchesAfter())
          .put("documentsAfter", r.documentsAfter()).put("placementAsFound", r.placementAsFound())
          .put("seconds", r.seconds());
      ArrayNode moves = o.putArray("moves");
      for (RebalancePhase.Move m : r.moves()) {
        var p = m.outcome().journal().progress();
        ObjectNode mo = moves.addObject();
        mo.put("label", m.label()).put("moves", p.movesTotal()).put("rolledBack", p.rolledBack())
            .put("replicasMoved", m.outcome().journal().replicasToMove())
            .put("theoreticalMinimum", m.outcome().journal().theoreticalMinimum())
            .put("documentsCopied", m.outcome().documentsCopied()).put("seconds", m.outcome().seconds())
            .put("copyRate", m.outcome().copyRate()).put("copyRateToBulk", m.outcome().copyRate() / r.bulkRate())
            .put("searchP50", m.searches().p(50)).put("searchP99", m.searches().p(99))
            .put("searchThroughput", m.searches().throughput()).put("searchErrors", m.searches().errors())
            .put("longestFenceMs", m.outcome().longestFenceMs()).put("writes", m.writeMicros().getTotalCount())
            .put("writeP50", m.writeMicros().getValueAtPercentile(50) / 1000.0)
            .put("writeP99", m.writeMicros().getValueAtPercentile(99) / 1000.0)
            .put("writeMax", m.writeMicros().getMaxValue() / 1000.0).put("writeErrors", m.writeErrors());
        ObjectNode steps = mo.putObject("stepMillis");
        m.outcome().stepMillis().forEach((step, ms) -> steps.put(step.wireName(), ms));
      }
    }
    return root;
  }
}
