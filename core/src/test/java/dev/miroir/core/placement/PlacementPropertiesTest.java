package dev.miroir.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.plan.MovePlan;
import dev.miroir.core.plan.MovePlanner;
import dev.miroir.core.plan.ShardMove;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Laws of rendezvous placement, checked over generated node sets. */
class PlacementPropertiesTest {

  record Cluster(List<Node> nodes, int shards, int rf) {}

  @Provide
  Arbitrary<Cluster> clusters() {
    Arbitrary<List<String>> ids =
        Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(12)
            .set().ofMinSize(4).ofMaxSize(24).map(ArrayList::new);
    return Combinators.combine(ids, Arbitraries.of(16, 64, 100, 256), Arbitraries.integers().between(1, 3))
        .as((list, shards, rf) -> new Cluster(list.stream().map(Node::of).toList(), shards, rf));
  }

  @Property(tries = 50)
  void placementIsAFunctionOfTheNodeSetAlone(@ForAll("clusters") Cluster c) {
    List<Node> reversed = new ArrayList<>(c.nodes());
    java.util.Collections.reverse(reversed);
    Placement a = Placement.compute(c.nodes(), c.shards(), c.rf());
    Placement b = Placement.compute(reversed, c.shards(), c.rf());
    for (int shard = 0; shard < c.shards(); shard++) {
      assertThat(a.owners(shard)).isEqualTo(b.owners(shard)).hasSize(c.rf()).doesNotHaveDuplicates();
    }
  }

  @Property(tries = 50)
  void addingANodeMovesReplicasOnlyOntoTheNewNode(@ForAll("clusters") Cluster c) {
    Node added = Node.of("new-node");
    List<Node> grown = new ArrayList<>(c.nodes());
    grown.add(added);
    MovePlan plan =
        MovePlanner.plan(
            Placement.compute(c.nodes(), c.shards(), c.rf()),
            Placement.compute(grown, c.shards(), c.rf()));
    for (ShardMove move : plan.moves()) {
      // Never a replica between two old nodes: the only gain is the new node, one loser per shard.
      assertThat(move.gaining()).containsExactly(added.id());
      assertThat(move.losing()).hasSize(1);
    }
  }

  @Property(tries = 50)
  void removingANodeMovesOnlyThatNodesReplicas(@ForAll("clusters") Cluster c) {
    Node removed = c.nodes().get(0);
    List<Node> shrunk = c.nodes().subList(1, c.nodes().size());
    Placement before = Placement.compute(c.nodes(), c.shards(), c.rf());
    MovePlan plan = MovePlanner.plan(before, Placement.compute(shrunk, c.shards(), c.rf()));
    assertThat(plan.moves()).allSatisfy(move -> assertThat(move.losing()).containsExactly(removed.id()));
    assertThat(plan.replicasMoved()).isEqualTo(before.shardsOf(removed.id()).size());
    assertThat(plan.replicasMoved()).isEqualTo(plan.theoreticalMinimum());
  }

  @Property(tries = 30)
  void addingANodeMovesAboutItsFairShare(
      @ForAll @IntRange(min = 3, max = 31) int nodes, @ForAll @IntRange(min = 1, max = 3) int rf) {
    int shards = 1024;
    Placement before = Placement.compute(ids(nodes), shards, rf);
    Placement after = Placement.compute(ids(nodes + 1), shards, rf);
    MovePlan plan = MovePlanner.plan(before, after);
    double expected = (double) shards * rf / (nodes + 1);
    // The new node wins each shard independently with probability rf/(N+1): a binomial count. Five
    // standard deviations keeps this a law, not a coin toss, for every generated size.
    double sd = Math.sqrt(shards * ((double) rf / (nodes + 1)) * (1 - (double) rf / (nodes + 1)));
    assertThat((double) plan.replicasMoved()).isBetween(expected - 5 * sd, expected + 5 * sd);
  }

  @Test
  void balanceStaysWithinWhatWasMeasured() throws Exception {
    // balance-measured.csv is the output of benchmarks' BalanceReport (published in docs/placement.md).
    int rows = 0;
    try (var in =
        new BufferedReader(
            new InputStreamReader(
                getClass().getResourceAsStream("/balance-measured.csv"), StandardCharsets.UTF_8))) {
      in.readLine();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split(",");
        int rf = Integer.parseInt(f[0]);
        int shards = Integer.parseInt(f[1]);
        int nodes = Integer.parseInt(f[2]);
        double measured = Double.parseDouble(f[3]);
        double imbalance = Placement.compute(ids(nodes), shards, rf).imbalance();
        assertThat(imbalance)
            .as("rf=%d shards=%d nodes=%d", rf, shards, nodes)
            .isLessThanOrEqualTo(measured + 0.00005);
        rows++;
      }
    }
    assertThat(rows).isEqualTo(3 * 5 * 12);
  }

  @Test
  void enoughShardsKeepTheBusiestNodeNearTheMean() {
    // The advice in docs/placement.md: about 32 shards per node keeps RF 2 within 1.25x.
    assertThat(Placement.compute(ids(8), 256, 2).imbalance()).isLessThan(1.25);
    assertThat(Placement.compute(ids(16), 512, 2).imbalance()).isLessThan(1.25);
    assertThat(Placement.compute(ids(32), 1024, 2).imbalance()).isLessThan(1.25);
  }

  static List<String> ids(int n) {
    return IntStream.range(0, n).mapToObj(i -> "n" + i).toList();
  }

  static Set<String> asSet(List<String> list) {
    return new HashSet<>(list);
  }
}
