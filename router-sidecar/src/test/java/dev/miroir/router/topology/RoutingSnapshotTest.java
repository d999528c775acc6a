package dev.miroir.router.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RoutingSnapshotTest {

  @Test
  void placedShardsAreEveryShardANodeWritesOrReadsAscending() {
    for (int rf : new int[] {1, 2, 3}) {
      RoutingSnapshot s = ThreeNodeSnapshots.of(rf);
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
