package dev.miroir.router.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RoutingSnapshotTest {

  private static RoutingSnapshot snapshot(int rf) {
    List<TopologyNode> nodes = new ArrayList<>();
    for (String id : List.of("n0", "n1", "n2")) {
      nodes.add(new TopologyNode(id, "http://127.0.0.1:1/" + id, null, NodeState.ACTIVE));
    }
    return new RoutingSnapshot(TopologyDocument.steadyState("t", 1, nodes,
        Placement.compute(List.of("n0", "n1", "n2"), 16, rf)));
  }

  @Test
  void placedShardsAreEveryShardANodeWritesOrReadsAscending() {
    for (int rf : new int[] {1, 2, 3}) {
      RoutingSnapshot s = snapshot(rf);
      Map<String, List<Integer>> placed = s.placedShards();
      int copies = 0;
      for (var e : placed.entrySet()) {
        assertThat(e.getValue()).isSorted();
        for (int shard : e.getValue()) {
          assertThat(s.writeTargets(shard)).as("rf %d: %s holds shard %d", rf, e.getKey(), shard).contains(e.getKey());
        }
        copies += e.getValue().size();
      }
      assertThat(copies).as("every replica once, rf %d", rf).isEqualTo(16 * rf);
      TreeSet<Integer> all = new TreeSet<>();
      placed.values().forEach(all::addAll);
      assertThat(all).hasSize(16);
      assertThat(s.placedShards()).as("computed once per snapshot").isSameAs(placed);
    }
  }
}
