package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoveringSetPlannerTest {

  @Test
  void rf1AsksEveryOwnerForItsShards() {
    Map<Integer, List<String>> replicas =
        Map.of(0, List.of("a"), 1, List.of("b"), 2, List.of("c"), 3, List.of("a"));
    CoveringSet set = CoveringSetPlanner.plan(4, replicas, Set.of());
    assertThat(set.shardsByNode())
        .containsExactly(Map.entry("a", List.of(0, 3)), Map.entry("b", List.of(1)), Map.entry("c", List.of(2)));
    assertThat(set.complete()).isTrue();
  }

  @Test
  void rf2OnThreeNodesNeedsTwoNodesAndPrefersTheFavourite() {
    // Six shards, each on two of three nodes; "b" is ranked first wherever it holds a shard.
    Map<Integer, List<String>> replicas = new HashMap<>();
    replicas.put(0, List.of("a", "c"));
    replicas.put(1, List.of("b", "a"));
    replicas.put(2, List.of("b", "c"));
    replicas.put(3, List.of("a", "c"));
    replicas.put(4, List.of("b", "a"));
    replicas.put(5, List.of("b", "c"));
    CoveringSet set = CoveringSetPlanner.plan(6, replicas, Set.of());
    assertThat(set.shardsByNode()).hasSize(2);
    assertThat(set.shardsByNode().keySet()).first().isEqualTo("b");
    assertThat(set.shardsOf("b")).containsExactly(1, 2, 4, 5);
    assertThat(set.shardsOf("a")).containsExactly(0, 3);
  }

  @Test
  void avoidedNodesAreNotAskedAndShardsWithoutReplicaAreReported() {
    Map<Integer, List<String>> replicas =
        Map.of(0, List.of("a", "b"), 1, List.of("a"), 2, List.of("b", "c"));
    CoveringSet set = CoveringSetPlanner.plan(4, replicas, Set.of("a"));
    assertThat(set.shardsByNode()).containsOnlyKeys("b");
    assertThat(set.shardsOf("b")).containsExactly(0, 2);
    assertThat(set.unavailable()).containsExactly(1, 3);
    assertThat(set.complete()).isFalse();
  }

  @Test
  void failoverReplansOnlyTheFailedNodesShards() {
    Map<Integer, List<String>> replicas =
        Map.of(0, List.of("a", "b"), 1, List.of("a", "c"), 2, List.of("b", "c"));
    CoveringSet set = CoveringSetPlanner.plan(3, replicas, Set.of());
    String failed = set.shardsByNode().keySet().iterator().next();
    CoveringSet again = CoveringSetPlanner.failover(set, failed, replicas, Set.of());
    Set<Integer> replanned = new HashSet<>();
    again.shardsByNode().values().forEach(replanned::addAll);
    assertThat(replanned).containsExactlyInAnyOrderElementsOf(set.shardsOf(failed));
    assertThat(again.shardsByNode()).doesNotContainKey(failed);
  }

  /** Laws over random placements: each shard once, on one of its replicas, deterministic. */
  @Test
  void everyShardIsAnsweredExactlyOnceByOneOfItsReplicas() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      int nodes = 1 + random.nextInt(6);
      int shards = 1 + random.nextInt(24);
      int rf = 1 + random.nextInt(Math.min(3, nodes));
      Map<Integer, List<String>> replicas = new HashMap<>();
      for (int shard = 0; shard < shards; shard++) {
        List<String> all = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
          all.add("n" + n);
        }
        Collections.shuffle(all, random);
        replicas.put(shard, all.subList(0, rf));
      }
      Set<String> avoid = random.nextInt(3) == 0 ? Set.of("n0") : Set.of();
      CoveringSet set = CoveringSetPlanner.plan(shards, replicas, avoid);
      assertThat(CoveringSetPlanner.plan(shards, replicas, avoid)).isEqualTo(set);
      Map<Integer, Integer> answered = new HashMap<>();
      set.shardsByNode()
          .forEach(
              (node, list) -> {
                assertThat(avoid).doesNotContain(node);
                assertThat(list).isNotEmpty();
                for (int shard : list) {
                  assertThat(replicas.get(shard)).contains(node);
                  answered.merge(shard, 1, Integer::sum);
                }
              });
      for (int shard = 0; shard < shards; shard++) {
        boolean usable = replicas.get(shard).stream().anyMatch(n -> !avoid.contains(n));
        if (usable) {
          assertThat(answered.get(shard)).isEqualTo(1);
        } else {
          assertThat(set.unavailable()).contains(shard);
        }
      }
      // Never more nodes than there are usable nodes, and one node when one holds everything.
      assertThat(set.shardsByNode().size()).isLessThanOrEqualTo(nodes);
    }
  }
}
