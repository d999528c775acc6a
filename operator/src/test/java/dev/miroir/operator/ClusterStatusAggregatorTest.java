package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.model.ClusterStatusAggregator;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.PlacementDecision;
import dev.miroir.operator.model.ReplicaConsistency;
import dev.miroir.operator.model.TopologyPlanner;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Conditions, phases and the "no patch when unchanged" property of the status aggregator, and the
 * ReplicasConsistent condition fed from the routers' last periodic replica check.
 */
class ClusterStatusAggregatorTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final PlacementDecision.Change change =
      PlacementDecision.change(null, DesiredNode.forCount("demo", 3, List.of()), 8, 2);
  private final TopologyDocument doc =
      TopologyPlanner.next("demo", null, change.wanted(), id -> "http://" + id + ":7700");

  private static final Set<String> ALL = Set.of("demo-0", "demo-1", "demo-2");
  private static final String RC = ClusterStatusAggregator.REPLICAS_CONSISTENT;

  private MeiliClusterStatus status(MeiliClusterStatus previous, Instant now, Set<String> ready) {
    return status(previous, now, ready, null);
  }

  private MeiliClusterStatus status(MeiliClusterStatus previous, Instant now, Set<String> ready,
      ReplicaConsistency consistency) {
    return new ClusterStatusAggregator(previous, 1, now)
        .placement(change, PlacementDecision.decide(change, OptionalLong.empty()))
        .nodes(3, 3, ready)
        .published(doc)
        .endpoint("sel", "http://demo.ns.svc:7700")
        .replicaConsistency(consistency)
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

  @Test
  void unknownUntilTheRoutersReportThenTrueThenFalseNamingTheShards() {
    MeiliClusterStatus none = status(null, T0, ALL, null);
    assertThat(cond(none, RC).getStatus()).isEqualTo("Unknown");
    assertThat(ClusterStatusAggregator.flipped(null, none)).extracting(Condition::getType)
        .doesNotContain(ClusterStatusAggregator.REPLICAS_CONSISTENT);
    assertThat(cond(status(null, T0, ALL, new ReplicaConsistency(false, null, false, 0, List.of())), RC).getReason())
        .isEqualTo("CheckDisabled");

    MeiliClusterStatus equal = status(none, T0.plusSeconds(60), ALL,
        new ReplicaConsistency(true, "2026-01-01T00:01:00Z", true, 0, List.of()));
    assertThat(cond(equal, RC).getStatus()).isEqualTo("True");
    assertThat(cond(equal, RC).getReason()).isEqualTo("AllReplicasEqual");

    MeiliClusterStatus divergent = status(equal, T0.plusSeconds(120), ALL,
        new ReplicaConsistency(true, "2026-01-01T00:02:00Z", false, 2, List.of("movies [3,17]")));
    assertThat(cond(divergent, RC).getStatus()).isEqualTo("False");
    assertThat(cond(divergent, RC).getReason()).isEqualTo("DivergentShards");
    assertThat(cond(divergent, RC).getMessage()).contains("2 divergent shard(s)").contains("movies [3,17]");
    assertThat(cond(divergent, RC).getLastTransitionTime()).isEqualTo(T0.plusSeconds(120).toString());
    assertThat(ClusterStatusAggregator.flipped(equal, divergent)).extracting(Condition::getType)
        .containsExactly(ClusterStatusAggregator.REPLICAS_CONSISTENT);
    // Divergent replicas are reported, they do not make the cluster un-Ready: searches still answer.
    assertThat(divergent.getPhase()).isEqualTo("Ready");
  }

  @Test
  void theRoutersReportBecomesTheObservation() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    ReplicaConsistency none = ReplicaConsistency.fromReport(json.readTree(
        "{\"enabled\":true,\"intervalSeconds\":600,\"lastRun\":null}"));
    assertThat(none.enabled()).isTrue();
    assertThat(none.checkedAt()).isNull();

    ReplicaConsistency divergent = ReplicaConsistency.fromReport(json.readTree("""
        {"enabled":true,"intervalSeconds":600,"lastRun":{"startedAt":"2026-01-01T00:00:00Z",
         "finishedAt":"2026-01-01T00:00:02Z","divergentShards":2,"consistent":false,"indexes":[
          {"indexUid":"books","divergentShards":2,"divergentShardList":[3,17]},
          {"indexUid":"films","divergentShards":0,"divergentShardList":[]},
          {"indexUid":"songs","error":"node n-2 did not answer"}]}}
        """));
    assertThat(divergent.consistent()).isFalse();
    assertThat(divergent.divergentShards()).isEqualTo(2);
    assertThat(divergent.checkedAt()).isEqualTo("2026-01-01T00:00:02Z");
    assertThat(divergent.divergent()).containsExactly("books [3,17]", "songs not checked (node n-2 did not answer)");

    MeiliClusterStatus status = status(null, T0, ALL, divergent);
    assertThat(cond(status, RC).getReason()).isEqualTo(ClusterStatusAggregator.REASON_DIVERGENT_SHARDS);
    assertThat(cond(status, RC).getMessage()).contains("books [3,17]");
  }

  private static io.fabric8.kubernetes.api.model.Condition cond(MeiliClusterStatus s, String type) {
    return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }
}
