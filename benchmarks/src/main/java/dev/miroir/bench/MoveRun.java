package dev.miroir.bench;

import dev.miroir.core.move.MoveStep;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalancePlanner;
import dev.miroir.core.move.ShardMoveState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.move.FileStores;
import dev.miroir.router.move.Mover;
import dev.miroir.router.move.MoverRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One rebalance of a router's topology file to a new node set, driven as {@code ./miroir local scale}
 * drives it (the planner, then {@link MoverRuntime}'s mover with its default options over the file
 * stores), timed: wall time, the longest write fence (raised to lifted) and the time moves spent in
 * each step. The benchmarks' single home for driving the mover ({@link RebalanceHarness} and the
 * comparison harness's rebalance phase); whatever load runs meanwhile is the caller's.
 */
public final class MoveRun {

  /** What one rebalance did and how long its parts took. */
  public record Outcome(RebalanceJournal journal, double seconds, long longestFenceMs, Map<MoveStep, Long> stepMillis,
      FenceBreakdown fences) {

    public long documentsCopied() {
      return journal.progress().documentsCopied();
    }

    /** Documents copied (pages and rewrites) per second of wall time. */
    public double copyRate() {
      return documentsCopied() / seconds;
    }
  }

  /**
   * Where the fences' time went ({@link Mover.Listener#fenced}): per phase of the fenced step, the sum
   * and the longest over all fences; "lift" is the rest of a fence (the save of the verification, the
   * lift and the save after it). {@code longest} is the phases of the longest fence, with what its
   * drains found queued when {@code -Dmiroir.mover.traceFence=true}.
   */
  public record FenceBreakdown(int fences, Map<String, Long> sumMillis, Map<String, Long> maxMillis, String longest) {

    public String table() {
      StringBuilder out = new StringBuilder("| fenced phase (" + fences + " fences) | summed | longest |\n|---|---|---|\n");
      sumMillis.forEach((phase, sum) -> out.append(String.format("| %s | %d ms | %d ms |%n", phase, sum,
          maxMillis.getOrDefault(phase, 0L))));
      return out.append("\nlongest fence: ").append(longest).append('\n').toString();
    }
  }

  private MoveRun() {}

  /**
   * Plans the move of {@code topology} (the file the routers read) to {@code target} and runs it to
   * the end; the journal is kept in {@code journal}.
   */
  public static Outcome run(String masterKey, String routerUrl, Path topology, Path journal, List<TopologyNode> target,
      int concurrency) throws Exception {
    RebalanceJournal plan = RebalancePlanner.plan(TopologyCodec.decode(Files.readString(topology)), target, concurrency,
        "bench");
    Map<Integer, Long> fencedAt = new ConcurrentHashMap<>();
    // Per shard: the step it is in and since when; per step: the time moves spent in it.
    Map<Integer, Map.Entry<MoveStep, Long>> inStep = new ConcurrentHashMap<>();
    Map<MoveStep, Long> stepMillis = new ConcurrentHashMap<>();
    long[] longest = {0};
    Map<Integer, Map<String, Long>> phases = new ConcurrentHashMap<>();
    Map<Integer, List<String>> notes = new ConcurrentHashMap<>();
    Map<Integer, Long> liftedAt = new ConcurrentHashMap<>();
    Map<String, Long> sum = new java.util.concurrent.ConcurrentSkipListMap<>();
    Map<String, Long> max = new java.util.concurrent.ConcurrentSkipListMap<>();
    String[] longestBreakdown = {"none"};
    int[] fences = {0};
    long t0 = System.nanoTime();
    RebalanceJournal done;
    try (MoverRuntime rt = new MoverRuntime(masterKey, () -> List.of(routerUrl))) {
      done = rt.mover(new FileStores.Topology(topology), new FileStores.Journal(journal), Mover.Options.defaults(),
          new Mover.Listener() {
            @Override
            public void fenced(ShardMoveState move, Map<String, Long> phaseMillis, List<String> queued) {
              phases.put(move.shard(), phaseMillis);
              notes.put(move.shard(), queued);
              if (phaseMillis.containsKey("lift")) {
                // The mover lifted the fence itself, before saving the verified state.
                liftedAt.put(move.shard(), System.nanoTime());
              }
            }

            @Override
            public void saved(RebalanceJournal journal, ShardMoveState move) {
              long now = System.nanoTime();
              Map.Entry<MoveStep, Long> was = inStep.put(move.shard(), Map.entry(move.step(), now));
              if (was != null && was.getKey() != move.step()) {
                stepMillis.merge(was.getKey(), (now - was.getValue()) / 1_000_000, Long::sum);
              } else if (was != null) {
                inStep.put(move.shard(), was);
              }
              // Raised (saved as fenced) to lifted (the mover's own lift, or the first save without the fence id).
              if (move.step() == MoveStep.FENCED) {
                fencedAt.putIfAbsent(move.shard(), now);
              } else if (move.fenceId() == null) {
                Long at = fencedAt.remove(move.shard());
                Long lifted = liftedAt.remove(move.shard());
                if (at != null) {
                  long fence = ((lifted != null ? lifted : now) - at) / 1_000_000;
                  Map<String, Long> p = new java.util.LinkedHashMap<>(phases.getOrDefault(move.shard(), Map.of()));
                  // Without a lift of its own, the rest is the save of the verification, the lift and the save after.
                  p.put(p.containsKey("lift") ? "rest" : "lift", fence - p.values().stream().mapToLong(Long::longValue).sum());
                  synchronized (longest) {
                    fences[0]++;
                    p.forEach((k, v) -> {
                      sum.merge(k, v, Long::sum);
                      max.merge(k, v, Math::max);
                    });
                    if (fence > longest[0]) {
                      longest[0] = fence;
                      longestBreakdown[0] = "shard " + move.shard() + " " + fence + " ms " + p + " "
                          + notes.getOrDefault(move.shard(), List.of());
                    }
                  }
                }
              }
            }
          }).run(plan);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Outcome(done, seconds, longest[0], stepMillis, new FenceBreakdown(fences[0], sum, max,
        longestBreakdown[0]));
  }
}
