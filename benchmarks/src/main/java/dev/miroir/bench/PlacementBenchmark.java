package dev.miroir.bench;

import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.placement.Rendezvous;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.plan.MovePlan;
import dev.miroir.core.plan.MovePlanner;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Placement hot paths: every routed document pays shardOf; every topology change pays a plan. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PlacementBenchmark {

  @Param({"1024"})
  int shards;

  @Param({"32"})
  int nodes;

  @Param({"2"})
  int rf;

  private String[] keys;
  private List<Node> nodeList;
  private Rendezvous rendezvous;
  private List<Node> grownNodeList;
  private Placement before;
  private Placement after;
  private int next;

  @Setup
  public void setUp() {
    keys = IntStream.range(0, 4096).mapToObj(i -> "product:" + (i * 7919L)).toArray(String[]::new);
    nodeList = IntStream.range(0, nodes).mapToObj(i -> Node.of("node-" + i)).toList();
    grownNodeList = IntStream.range(0, nodes + 1).mapToObj(i -> Node.of("node-" + i)).toList();
    rendezvous = new Rendezvous(nodeList);
    before = Placement.compute(nodeList, shards, rf);
    after = Placement.compute(grownNodeList, shards, rf);
  }

  @Benchmark
  public int shardOfKey() {
    next = (next + 1) & 4095;
    return ShardHash.shardOf(keys[next], shards);
  }

  @Benchmark
  public List<String> ownersOfShard() {
    next = (next + 1) % shards;
    return rendezvous.owners(next, rf);
  }

  /** Planning from placements already at hand (what the operator does on every reconcile). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public MovePlan planMovesFromPlacements() {
    return MovePlanner.plan(before, after);
  }

  /** The whole job for a 32 -> 33 scale-up: compute the new placement, then plan. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public MovePlan planScaleUp() {
    return MovePlanner.plan(before, Placement.compute(grownNodeList, shards, rf));
  }
}
