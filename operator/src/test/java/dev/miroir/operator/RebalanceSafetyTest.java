package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.crd.MeiliNode;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.reconcile.OperatorSettings;
import dev.miroir.operator.testing.Await;
import dev.miroir.operator.testing.FakeNodeAdmin;
import dev.miroir.operator.testing.LoopbackNodeUrls;
import dev.miroir.operator.testing.MockApiServer;
import dev.miroir.operator.testing.Repo;
import dev.miroir.operator.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The destructive path of issue 10: a scale-down pending over documents, then the topology ConfigMap
 * deleted or corrupted. The operator must fail closed: nothing published from the spec, no node
 * deleted, the rule named in the status, the last epoch kept as the guard.
 */
class RebalanceSafetyTest {

  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static MockApiServer api;
  private static final FakeNodeAdmin NODES = new FakeNodeAdmin();
  private static final LoopbackNodeUrls URLS = new LoopbackNodeUrls();

  @BeforeAll
  static void startOperator() {
    api = new MockApiServer();
    api.startOperator(new OperatorSettings("example.org/miroir-router:test", Duration.ofMillis(300), Set.of(), URLS,
        NODES));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void aDeletedOrCorruptedTopologyMidScaleDeletesNothingAndPublishesNothing() {
    String ns = "destructive";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false).start()) {
      api.apply(Repo.path("samples/minimal.yaml"), ns);
      await(ns, "Ready");
      long epoch = cluster(ns).getStatus().getTopologyEpoch();
      NODES.documents(1234);
      api.client().resources(MeiliCluster.class).inNamespace(ns).withName("demo").scale(2);
      await(ns, "ScalePending");

      String cmName = ClusterNames.topologyConfigMap("demo");
      api.client().configMaps().inNamespace(ns).withName(cmName).delete();
      MeiliClusterStatus held = Await.until("blocked on the missing topology", CONVERGE, () -> {
        MeiliClusterStatus s = cluster(ns).getStatus();
        return s != null && "Blocked".equals(s.getPhase()) && s.getConditions().stream()
            .anyMatch(c -> c.getMessage() != null && c.getMessage().contains("TopologyMissing")) ? s : null;
      });
      assertThat(held.getTopologyEpoch()).as("the published epoch stays the guard").isEqualTo(epoch);
      sleep(Duration.ofSeconds(2));
      assertThat(api.client().configMaps().inNamespace(ns).withName(cmName).get())
          .as("no placement is published from the spec over documents").isNull();
      assertThat(api.client().apps().statefulSets().inNamespace(ns).withName("demo-2").get())
          .as("the leaving node keeps its workload").isNotNull();
      assertThat(api.client().resources(MeiliNode.class).inNamespace(ns).list().getItems()).hasSize(3);

      api.client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(cmName)
          .endMetadata().withData(Map.of(TopologyCodec.DATA_KEY, "{not a topology")).build()).create();
      Await.until("blocked on the unreadable topology", CONVERGE, () -> {
        MeiliClusterStatus s = cluster(ns).getStatus();
        return s.getConditions().stream().anyMatch(c -> c.getMessage() != null
            && c.getMessage().contains("TopologyUnreadable"));
      });
      sleep(Duration.ofSeconds(2));
      assertThat(api.client().configMaps().inNamespace(ns).withName(cmName).get().getData().get(TopologyCodec.DATA_KEY))
          .as("the corrupted document is left for a person, not overwritten by a guess").isEqualTo("{not a topology");
      assertThat(api.client().apps().statefulSets().inNamespace(ns).withName("demo-2").get()).isNotNull();
      assertThat(cluster(ns).getStatus().getTopologyEpoch()).isEqualTo(epoch);
    } finally {
      NODES.documents(0);
    }
  }

  private static MeiliCluster cluster(String ns) {
    return api.client().resources(MeiliCluster.class).inNamespace(ns).withName("demo").get();
  }

  private static MeiliClusterStatus await(String ns, String phase) {
    return Await.until("demo in phase " + phase, CONVERGE, () -> {
      MeiliCluster c = cluster(ns);
      return c != null && c.getStatus() != null && phase.equals(c.getStatus().getPhase()) ? c.getStatus() : null;
    });
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
