package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.model.ClusterStatusAggregator;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.MeilisearchUpgrade;
import dev.miroir.operator.model.PlacementDecision;
import dev.miroir.operator.model.RollingRestart;
import dev.miroir.operator.model.TopologyPlanner;
import dev.miroir.operator.model.VolumeResize;
import dev.miroir.operator.testing.ArgoHealth;
import dev.miroir.operator.testing.Repo;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The chart's Argo CD health check, run by a real Lua interpreter (luaj) over every status the
 * operator produces: each phase, each Ready reason, each in-progress condition. The mock server
 * tests also run it over every status they wait for ({@code OperatorMockServerTest#awaitPhase}).
 */
class ArgoHealthTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Set<String> ALL = Set.of("demo-0", "demo-1", "demo-2");

  private final PlacementDecision.Change initial =
      PlacementDecision.change(null, DesiredNode.forCount("demo", 3, List.of()), 8, 2);
  private final TopologyDocument doc =
      TopologyPlanner.next("demo", null, initial.wanted(), id -> "http://" + id + ":7700");
  private final PlacementDecision.Change grow =
      PlacementDecision.change(doc, DesiredNode.forCount("demo", 4, List.of()), 8, 2);

  @Test
  void everyStatusTheOperatorProducesMapsToTheExpectedHealth() {
    MeiliClusterStatus ready = status(null, ALL, UnaryOperator.identity());
    Map<String, MeiliClusterStatus> statuses = new LinkedHashMap<>();
    statuses.put("Progressing/TopologyNotPublished", new ClusterStatusAggregator(null, 1, T0)
        .placement(initial, PlacementDecision.decide(initial, OptionalLong.empty())).nodes(3, 3, Set.of()).build());
    statuses.put("Progressing/Provisioning", status(null, Set.of(), UnaryOperator.identity()));
    statuses.put("Healthy/Ready", ready);
    statuses.put("Degraded/ReplicasUnavailable", status(ready, Set.of("demo-0", "demo-1"), UnaryOperator.identity()));
    statuses.put("Degraded/ShardsUnavailable", status(ready, Set.of("demo-0"), UnaryOperator.identity()));
    statuses.put("Progressing/DataMoveRequired", pending(ready, OptionalLong.of(42)));
    statuses.put("Progressing/DocumentCountUnknown", pending(ready, OptionalLong.empty()));
    statuses.put("Degraded/Blocked", status(ready, ALL, a -> a.blocker("Secret mine has no key masterKey")));
    statuses.put("Degraded/ResourceConflict", status(ready, ALL,
        a -> a.blocker(ClusterStatusAggregator.REASON_RESOURCE_CONFLICT, "Service demo already exists")));
    statuses.put("Degraded/DowngradeRefused", status(ready, ALL,
        a -> a.blocker(MeilisearchUpgrade.REASON_DOWNGRADE, "refused")));
    statuses.put("Degraded/UpgradeNeedsDump", status(ready, ALL,
        a -> a.blocker(MeilisearchUpgrade.REASON_NEEDS_DUMP, "refused")));
    statuses.put("Degraded/VolumeExpansionUnsupported", status(ready, ALL,
        a -> a.volumeRefused(VolumeResize.REASON_UNSUPPORTED, "class fixed")));
    statuses.put("Degraded/VolumeShrinkRefused", status(ready, ALL,
        a -> a.volumeRefused(VolumeResize.REASON_SHRINK, "cannot shrink")));
    statuses.put("Progressing/VolumeExpansion", status(ready, ALL, a -> a.volumeExpanding("data-demo-0-0 has 10Gi")));
    MeiliClusterStatus rolling = status(ready, ALL, a -> a.rolling(decision(RollingRestart.REASON_ROLLING, true), true));
    statuses.put("Progressing/Rolling", rolling);
    statuses.put("Progressing/Rolling-node-down", status(rolling, Set.of("demo-0", "demo-1"),
        a -> a.rolling(decision(RollingRestart.REASON_WAITING_FOR_READY, true), false)));
    statuses.put("Progressing/AwaitingPermission", status(ready, ALL,
        a -> a.rolling(decision(RollingRestart.REASON_AWAITING_PERMISSION, true), true)));
    statuses.put("Progressing/LastRestartedNodeComingBack", status(rolling, Set.of("demo-0", "demo-1"),
        a -> a.rolling(decision(RollingRestart.REASON_UP_TO_DATE, false), false)));
    statuses.put("Healthy/RollingDone", status(rolling, ALL, a -> a.rolling(decision(RollingRestart.REASON_UP_TO_DATE, false), true)));
    statuses.put("Degraded/ReconcileError",
        ClusterStatusAggregator.withReconcileError(ready, 1, T0, "step nodes failed: KubernetesClientException"));

    for (Map.Entry<String, MeiliClusterStatus> e : statuses.entrySet()) {
      String expected = e.getKey().substring(0, e.getKey().indexOf('/'));
      ArgoHealth.Health health = ArgoHealth.of(cluster(1, e.getValue()));
      assertThat(health.status()).as("%s (phase %s, message %s)", e.getKey(), e.getValue().getPhase(), health.message())
          .isEqualTo(expected);
      // What kubectl shows (the phase) and what Argo CD shows never disagree.
      assertThat(OperatorMockServerTest.argoHealthOf(e.getValue().getPhase())).as("%s: health of its phase %s",
          e.getKey(), e.getValue().getPhase()).isEqualTo(expected);
      assertThat(e.getValue().getConditions()).as(e.getKey())
          .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L))
          .extracting(c -> c.getType()).doesNotHaveDuplicates();
    }
    assertThat(statuses.get("Progressing/Rolling").getPhase()).isEqualTo("Updating");
    assertThat(statuses.get("Progressing/VolumeExpansion").getPhase()).isEqualTo("Updating");
  }

  @Test
  void aSpecTheOperatorHasNotSeenIsProgressingWhateverTheStatusSays() {
    MeiliClusterStatus ready = status(null, ALL, UnaryOperator.identity());
    assertThat(ArgoHealth.of(cluster(2, ready)).status()).isEqualTo("Progressing");
    assertThat(ArgoHealth.of(cluster(1, null)).status()).isEqualTo("Progressing");
  }

  @Test
  void theValuesFileCarriesTheSameScript() throws Exception {
    var values = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
        .readTree(Repo.path("helm/miroir-operator/values.yaml").toFile());
    assertThat(values.path("argocdHealthCheck").asText()).isEqualTo(ArgoHealth.script());
    String readme = Files.readString(Repo.path("helm/miroir-operator/README.md"));
    ArgoHealth.script().lines().filter(l -> !l.isBlank())
        .forEach(line -> assertThat(readme).as("README carries the script").contains("    " + line));
  }

  private MeiliClusterStatus status(MeiliClusterStatus previous, Set<String> ready,
      UnaryOperator<ClusterStatusAggregator> facts) {
    return facts.apply(new ClusterStatusAggregator(previous, 1, T0)
        .placement(initial, PlacementDecision.decide(initial, OptionalLong.empty()))
        .nodes(3, 3, ready).published(doc).endpoint("sel", "http://demo.ns.svc:7700")).build();
  }

  private MeiliClusterStatus pending(MeiliClusterStatus previous, OptionalLong documents) {
    return new ClusterStatusAggregator(previous, 1, T0)
        .placement(grow, PlacementDecision.decide(grow, documents))
        .nodes(4, 4, Set.of("demo-0", "demo-1", "demo-2", "demo-3")).published(doc).build();
  }

  private static RollingRestart.Decision decision(String reason, boolean inProgress) {
    return new RollingRestart.Decision(null, inProgress, reason, reason + " message", 1, List.of());
  }

  private static MeiliCluster cluster(long generation, MeiliClusterStatus status) {
    MeiliCluster cluster = new MeiliCluster();
    cluster.getMetadata().setName("demo");
    cluster.getMetadata().setGeneration(generation);
    cluster.setStatus(status);
    return cluster;
  }
}
