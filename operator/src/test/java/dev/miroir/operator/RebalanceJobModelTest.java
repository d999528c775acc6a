package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.model.ClusterModel;
import dev.miroir.operator.rebalance.RebalanceJobModel;
import dev.miroir.operator.testing.Repo;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The rebalance Job runs the router image's mover with the env contract of MoverMain, and no secret in its spec. */
class RebalanceJobModelTest {

  static ClusterModel minimal() throws Exception {
    MeiliCluster cluster = Serialization.unmarshal(Files.readString(Repo.path("samples/minimal.yaml")), MeiliCluster.class);
    cluster.getMetadata().setNamespace("ns");
    cluster.getMetadata().setUid("uid-1");
    return new ClusterModel(cluster, "router:test");
  }

  @Test
  void jobRunsTheMoverFromTheRouterImageWithTheKeyFromItsSecret() throws Exception {
    ClusterModel model = minimal();
    List<TopologyNode> target = List.of(new TopologyNode("demo-0", "http://demo-0:7700", null, NodeState.ACTIVE),
        new TopologyNode("demo-1", "http://demo-1:7700", null, NodeState.ACTIVE));
    Job job = RebalanceJobModel.job(model, "router:test", target, 3);
    assertThat(job.getMetadata().getName()).isEqualTo(RebalanceJobModel.jobName("demo", target))
        .isNotEqualTo(RebalanceJobModel.jobName("demo", target.subList(0, 1)));
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("router:test");
    assertThat(c.getCommand()).endsWith(RebalanceJobModel.ROUTER_JAR, RebalanceJobModel.MOVER_CLASS);
    Map<String, EnvVar> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("MIROIR_TOPOLOGY_CONFIGMAP").getValue()).isEqualTo("demo-topology");
    assertThat(env.get("MIROIR_REBALANCE_CONFIGMAP").getValue()).isEqualTo(RebalanceJobModel.journalConfigMap("demo"));
    assertThat(env.get("MIROIR_MAX_CONCURRENT_MOVES").getValue()).isEqualTo("3");
    assertThat(env.get("MIROIR_TARGET_NODES").getValue()).contains("\"demo-1\"").contains("http://demo-1:7700");
    assertThat(env).doesNotContainKey("MIROIR_MASTER_KEY");
    assertThat(env.get("MIROIR_NODE_API_KEY").getValue()).as("never a literal key").isNull();
    assertThat(env.get("MIROIR_NODE_API_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("demo-api-keys");
    assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("demo-mover");
    assertThat(job.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(RebalanceJobModel.role(model).getRules()).anyMatch(r -> r.getResources().contains("pods"));
  }

  @Test
  void aRefillJobCarriesTheEmptyNodesAndTheNameTheRebalanceStepLooksFor() throws Exception {
    ClusterModel model = minimal();
    List<TopologyNode> published = List.of(new TopologyNode("demo-0", "http://demo-0:7700", null, NodeState.ACTIVE),
        new TopologyNode("demo-1", "http://demo-1:7700", null, NodeState.ACTIVE));
    Job refill = RebalanceJobModel.job(model, "router:test", published, 2, java.util.Set.of("demo-1"));
    assertThat(refill.getMetadata().getName()).as("one Job per journal: a resumed refill is not started twice")
        .isEqualTo(RebalanceJobModel.jobName("demo", published));
    Map<String, EnvVar> env = refill.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("MIROIR_REFILL_NODES").getValue()).isEqualTo("demo-1");
    assertThat(RebalanceJobModel.job(model, "router:test", published, 2).getSpec().getTemplate().getSpec()
        .getContainers().get(0).getEnv()).noneMatch(e -> e.getName().equals("MIROIR_REFILL_NODES"));
  }
}
