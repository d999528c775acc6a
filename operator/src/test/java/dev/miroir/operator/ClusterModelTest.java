package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.model.ApiKeys;
import dev.miroir.operator.model.ClusterModel;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.Labels;
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
    // Reading the key list (the router authorises from it) is allowed; managing keys is not.
    assertThat(keys.get(1).actions()).contains("keys.get").noneMatch(a -> a.startsWith("keys") && !a.equals("keys.get"));
  }

  @Test
  void nodeAndRouterPodsAreRestrictedWithDefaultResources() throws Exception {
    ClusterModel model = new ClusterModel(sample("minimal"), "router:test");
    DesiredNode node = model.desiredNodes().get(0);
    var nodePod = model.nodeStatefulSet(node, model.meiliNode(node)).getSpec().getTemplate().getSpec();
    var routerPod = model.routerDeployment().getSpec().getTemplate().getSpec();
    for (var pod : java.util.List.of(nodePod, routerPod)) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      var container = pod.getContainers().get(0);
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(container.getResources().getLimits()).containsKey("memory");
    }
    // The official image runs as root by default and keeps its data in /meili_data: fsGroup makes the
    // volume writable for the non-root uid, /tmp is an emptyDir under a read-only root.
    assertThat(nodePod.getSecurityContext().getFsGroup()).isEqualTo(nodePod.getSecurityContext().getRunAsUser());
    assertThat(nodePod.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(nodePod.getContainers().get(0).getVolumeMounts()).extracting(m -> m.getMountPath())
        .contains("/meili_data", "/tmp");
    // The router writes its replica log (default file:/var/lib/miroir/replica-log) and temporary
    // files to emptyDirs; its root is read-only too.
    var router = routerPod.getContainers().get(0);
    assertThat(router.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(router.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder("/var/lib/miroir", "/tmp");
    for (var mount : router.getVolumeMounts()) {
      assertThat(routerPod.getVolumes()).filteredOn(v -> v.getName().equals(mount.getName()))
          .singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    }
    assertThat(router.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("MIROIR_CONSISTENCY_INTERVAL");
      assertThat(e.getValue()).isEqualTo("10m");
    });
    assertThat(nodePod.getContainers().get(0).getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("MEILI_EXPERIMENTAL_DUMPLESS_UPGRADE");
      assertThat(e.getValue()).isEqualTo("true");
    });
  }

  @Test
  void nodesRestartOnlyWhenTheOperatorDeletesTheirPodAndTemplatesCarryAStableHash() throws Exception {
    ClusterModel model = new ClusterModel(sample("minimal"), "router:test");
    DesiredNode node = model.desiredNodes().get(0);
    var sts = model.nodeStatefulSet(node, model.meiliNode(node));
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    String hash = sts.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.POD_TEMPLATE_HASH);
    assertThat(hash).hasSize(32)
        .isEqualTo(new ClusterModel(sample("minimal"), "router:test").nodeStatefulSet(node, model.meiliNode(node))
            .getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.POD_TEMPLATE_HASH));
    MeiliCluster changed = sample("minimal");
    changed.getSpec().getMeilisearch().setImage("mirror.example.org/getmeili/meilisearch:v1.21.0");
    ClusterModel other = new ClusterModel(changed, "router:test");
    assertThat(other.nodeStatefulSet(node, other.meiliNode(node)).getSpec().getTemplate().getMetadata()
        .getAnnotations().get(Labels.POD_TEMPLATE_HASH)).isNotEqualTo(hash);
    assertThat(Labels.nodeSelector("demo", "demo-0")).isInstanceOf(java.util.TreeMap.class);
  }

  @Test
  void routersLiveWithoutTheNodesHaveABudgetAndSpread() throws Exception {
    ClusterModel model = new ClusterModel(sample("minimal"), "router:test");
    var pod = model.routerDeployment().getSpec().getTemplate().getSpec();
    var router = pod.getContainers().get(0);
    assertThat(router.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/_miroir/live");
    assertThat(router.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
        .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
    var budget = model.routerDisruptionBudget();
    assertThat(budget.getMetadata().getName()).isEqualTo("demo-router");
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getSelector().getMatchLabels()).containsEntry(Labels.COMPONENT, "router");
    // Unready joiners hold no copy to protect: they must never block a drain.
    assertThat(model.nodeDisruptionBudget().getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
  }

  @Test
  void podTemplateOverridesLayOverTheDefaultsButKeepLabelsAndZonePins() throws Exception {
    MeiliCluster cluster = sample("ha");
    String yaml = """
        metadata:
          labels: {team: search, app.kubernetes.io/component: hijacked}
          annotations: {example.org/owner: search-team}
        spec:
          nodeSelector: {pool: search}
          tolerations: [{key: dedicated, operator: Equal, value: search, effect: NoSchedule}]
          priorityClassName: high
          imagePullSecrets: [{name: regcred}]
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms: [{matchExpressions: [{key: disk, operator: In, values: [ssd]}]}]
          containers:
            - name: meilisearch
              resources: {limits: {memory: 8Gi}}
              env: [{name: MEILI_LOG_LEVEL, value: WARN}]
            - name: log-shipper
              image: example.org/shipper:1
          volumes: [{name: extra, emptyDir: {}}]
        """;
    cluster.getSpec().getMeilisearch().setPodTemplate(
        Serialization.unmarshal(yaml, dev.miroir.operator.crd.PodTemplateOverride.class));
    ClusterModel model = new ClusterModel(cluster, "router:test");
    DesiredNode node = model.desiredNodes().get(1);
    var template = model.nodeStatefulSet(node, model.meiliNode(node)).getSpec().getTemplate();
    assertThat(template.getMetadata().getLabels()).containsEntry("team", "search")
        .containsEntry(Labels.COMPONENT, "node").containsEntry(Labels.NODE, node.id());
    assertThat(template.getMetadata().getAnnotations()).containsKey("example.org/owner").containsKey(Labels.POD_TEMPLATE_HASH);
    var pod = template.getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("pool", "search");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getPriorityClassName()).isEqualTo("high");
    assertThat(pod.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("regcred");
    assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchExpressions()).extracting(e -> e.getKey())
        .containsExactly("disk", "topology.kubernetes.io/zone");
    var main = pod.getContainers().get(0);
    assertThat(main.getResources().getLimits().get("memory").toString()).isEqualTo("8Gi");
    assertThat(main.getEnv()).extracting(e -> e.getName()).contains("MEILI_MASTER_KEY", "MEILI_LOG_LEVEL");
    assertThat(main.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getContainers()).extracting(c -> c.getName()).containsExactly("meilisearch", "log-shipper");
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).contains("tmp", "extra");
  }
}
