package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaPreferenceTest {

  @Test
  void fasterAndLessBusyFirstUnmeasuredFirstTiesKeepPlacementOrder() {
    Map<String, ReplicaPreference.Load> loads = Map.of(
        "a", new ReplicaPreference.Load(10, 3),
        "b", new ReplicaPreference.Load(30, 0),
        "c", new ReplicaPreference.Load(5, 0));
    assertThat(ReplicaPreference.order(List.of("a", "b", "c", "d"), loads)).containsExactly("d", "c", "b", "a");
    assertThat(ReplicaPreference.order(List.of("x", "y"), Map.of())).containsExactly("x", "y");
  }

  @Test
  void frequencyQueriesAlwaysGetTheSameReplicasOthersGoByLoad() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    Long key = ReplicaPreference.affinity(json.readTree("{\"q\":\"red shoes\",\"matchingStrategy\":\"frequency\"}"));
    assertThat(key).isNotNull();
    assertThat(ReplicaPreference.affinity(json.readTree("{\"q\":\"red shoes\",\"matchingStrategy\":\"frequency\"}")))
        .isEqualTo(key);
    assertThat(ReplicaPreference.affinity(json.readTree("{\"q\":\"red shoes\"}"))).isNull();
    assertThat(ReplicaPreference.affinity(json.readTree("{\"q\":\"frequency\",\"matchingStrategy\":\"last\"}")))
        .isNull();
    assertThat(ReplicaPreference.affinity(json.readTree(
        "{\"queries\":[{\"indexUid\":\"a\",\"matchingStrategy\":\"frequency\"}]}"))).isNotNull();
    java.util.Set<String> firstChoices = new java.util.HashSet<>();
    for (int shard = 0; shard < 64; shard++) {
      List<String> once = ReplicaPreference.sticky(List.of("a", "b", "c"), key, shard);
      assertThat(ReplicaPreference.sticky(List.of("c", "a", "b"), key, shard)).isEqualTo(once);
      firstChoices.add(once.get(0));
    }
    assertThat(firstChoices).as("spread over replicas across shards").hasSize(3);
  }

  @Test
  void loadsWithTheSameOrderKeyOrderEverySubsetAlike() {
    List<String> nodes = List.of("a", "b", "c");
    java.util.Random random = new java.util.Random(7);
    Map<String, List<List<String>>> ordersByKey = new java.util.HashMap<>();
    for (int round = 0; round < 2_000; round++) {
      Map<String, ReplicaPreference.Load> loads = new java.util.HashMap<>();
      for (String node : nodes) {
        if (random.nextInt(4) > 0) { // some unmeasured; few latencies and in-flight counts, so ties
          loads.put(node, new ReplicaPreference.Load(random.nextInt(3) * 5, random.nextInt(3)));
        }
      }
      List<List<String>> orders = new java.util.ArrayList<>();
      for (List<String> subset : List.of(nodes, List.of("a", "b"), List.of("b", "c"), List.of("c", "a"))) {
        orders.add(ReplicaPreference.order(subset, loads));
      }
      List<List<String>> seen = ordersByKey.putIfAbsent(ReplicaPreference.orderKey(nodes, loads), orders);
      assertThat(seen == null ? orders : seen).as(loads.toString()).isEqualTo(orders);
    }
    assertThat(ordersByKey).as("different orders get different keys").hasSizeGreaterThan(5);
    assertThat(ReplicaPreference.orderKey(nodes, Map.of("a", new ReplicaPreference.Load(1, 0))))
        .isEqualTo("b=c<a");
  }
}
