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
  public record Outcome(RebalanceJournal journal, double seconds, long longestFenceMs, Map<MoveStep, Long> stepMillis) {

    public long documentsCopied() {
      return journal.progress().documentsCopied();
    }

    /** Documents copied (pages and rewrites) per second of wall time. */
    public double copyRate() {
      return documentsCopied() / seconds;
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
    long t0 = System.nanoTime();
    RebalanceJournal done;
    try (MoverRuntime rt = new MoverRuntime(masterKey, () -> List.of(routerUrl))) {
      done = rt.mover(new FileStores.Topology(topology), new FileStores.Journal(journal), Mover.Options.defaults(),
          new Mover.Listener() {
            @Override
            public void saved(RebalanceJournal journal, ShardMoveState move) {
              long now = System.nanoTime();
              Map.Entry<MoveStep, Long> was = inStep.put(move.shard(), Map.entry(move.step(), now));
              if (was != null && was.getKey() != move.step()) {
                stepMillis.merge(was.getKey(), (now - was.getValue()) / 1_000_000, Long::sum);
              } else if (was != null) {
                inStep.put(move.shard(), was);
              }
              // Raised (saved as fenced) to lifted (the first save without the fence id).
              if (move.step() == MoveStep.FENCED) {
                fencedAt.putIfAbsent(move.shard(), now);
              } else if (move.fenceId() == null) {
                Long at = fencedAt.remove(move.shard());
                if (at != null) {
                  synchronized (longest) {
                    longest[0] = Math.max(longest[0], (now - at) / 1_000_000);
                  }
                }
              }
            }
          }).run(plan);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Outcome(done, seconds, longest[0], stepMillis);
  }
}
