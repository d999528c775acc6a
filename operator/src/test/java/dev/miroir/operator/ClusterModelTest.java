package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.model.ApiKeys;
import dev.miroir.operator.model.ClusterModel;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.testing.Repo;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Objects built from a MeiliCluster without any API server. */
class ClusterModelTest {

  private static MeiliCluster sample(String name) throws Exception {
    MeiliCluster cluster = Serialization.unmarshal(Files.readString(Repo.path("samples/" + name + ".yaml")), MeiliCluster.class);
    cluster.getMetadata().setNamespace("ns");
    cluster.getMetadata().setUid("0b9c3c7e-1111-2222-3333-444455556666");
    return cluster;
  }

  @Test
  void nodeWorkloadRunsTheOfficialImageWithProbesVolumeAndMasterKeyFromTheSecret() throws Exception {
    ClusterModel model = new ClusterModel(sample("minimal"), "router:test");
    DesiredNode node = model.desiredNodes().get(1);
    var sts = model.nodeStatefulSet(node, model.meiliNode(node));
    var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("getmeili/meilisearch:v1.21.0");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
    assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement()
        .satisfies(pvc -> assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("10Gi"));
    assertThat(container.getEnv()).anySatisfy(env -> {
      assertThat(env.getName()).isEqualTo("MEILI_MASTER_KEY");
      assertThat(env.getValue()).isNull();
      assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("demo-master-key");
    });
    assertThat(sts.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()).isNotNull();
  }

  @Test
  void apiKeyUidsAreStableVersion4UuidsAndValuesDependOnTheMasterKey() throws Exception {
    ClusterModel model = new ClusterModel(sample("minimal"), "router:test");
    var keys = model.apiKeys();
    assertThat(keys).extracting(ApiKeys.KeySpec::uid)
        .allSatisfy(uid -> assertThat(uid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))
        .doesNotHaveDuplicates()
        .isEqualTo(new ClusterModel(sample("minimal"), "x").apiKeys().stream().map(ApiKeys.KeySpec::uid).toList());
    assertThat(ApiKeys.value("master-a", keys.get(0).uid())).isNotEqualTo(ApiKeys.value("master-b", keys.get(0).uid()));
    assertThat(keys.get(1).actions()).noneMatch(a -> a.startsWith("keys"));
  }
}
