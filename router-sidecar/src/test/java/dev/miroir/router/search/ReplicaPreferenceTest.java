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
}
