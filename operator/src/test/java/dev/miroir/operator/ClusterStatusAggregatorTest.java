package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.model.ClusterStatusAggregator;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.PlacementDecision;
import dev.miroir.operator.model.TopologyPlanner;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Conditions, phases and the "no patch when unchanged" property of the status aggregator. */
class ClusterStatusAggregatorTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final PlacementDecision.Change change =
      PlacementDecision.change(null, DesiredNode.forCount("demo", 3, List.of()), 8, 2);
  private final TopologyDocument doc =
      TopologyPlanner.next("demo", null, change.wanted(), id -> "http://" + id + ":7700");

  private MeiliClusterStatus status(MeiliClusterStatus previous, Instant now, Set<String> ready) {
    return new ClusterStatusAggregator(previous, 1, now)
        .placement(change, PlacementDecision.decide(change, OptionalLong.empty()))
        .nodes(3, 3, ready)
        .published(doc)
        .endpoint("sel", "http://demo.ns.svc:7700")
        .build();
  }

  @Test
  void provisioningThenReadyThenDegraded() {
    MeiliClusterStatus provisioning = status(null, T0, Set.of());
    assertThat(provisioning.getPhase()).isEqualTo("Provisioning");
    assertThat(cond(provisioning, "Degraded").getStatus()).isEqualTo("False");

    MeiliClusterStatus ready = status(provisioning, T0.plusSeconds(10), Set.of("demo-0", "demo-1", "demo-2"));
    assertThat(ready.getPhase()).isEqualTo("Ready");
    assertThat(cond(ready, "Ready").getLastTransitionTime()).isEqualTo(T0.plusSeconds(10).toString());

    MeiliClusterStatus degraded = status(ready, T0.plusSeconds(20), Set.of("demo-0", "demo-1"));
    assertThat(degraded.getPhase()).isEqualTo("Degraded");
    assertThat(cond(degraded, "Degraded").getReason()).isEqualTo("ReplicasUnavailable");
    assertThat(ClusterStatusAggregator.flipped(ready, degraded)).extracting(c -> c.getType())
        .containsExactlyInAnyOrder("Ready", "Degraded");
  }

  @Test
  void unchangedFactsGiveAnEqualStatusSoNothingIsPatched() {
    Set<String> all = Set.of("demo-0", "demo-1", "demo-2");
    MeiliClusterStatus first = status(null, T0, all);
    MeiliClusterStatus later = status(first, T0.plusSeconds(3600), all);
    assertThat(later).isEqualTo(first);
    assertThat(ClusterStatusAggregator.flipped(first, later)).isEmpty();
  }

  @Test
  void blockerKeepsReadyFalseWithTheReason() {
    MeiliClusterStatus blocked = new ClusterStatusAggregator(null, 1, T0)
        .placement(change, PlacementDecision.decide(change, OptionalLong.empty()))
        .nodes(3, 3, Set.of("demo-0", "demo-1", "demo-2")).published(doc)
        .blocker("Secret mine has no key masterKey").build();
    assertThat(blocked.getPhase()).isEqualTo("Blocked");
    assertThat(cond(blocked, "Ready").getMessage()).contains("Secret mine");
  }

  private static io.fabric8.kubernetes.api.model.Condition cond(MeiliClusterStatus s, String type) {
    return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }
}
