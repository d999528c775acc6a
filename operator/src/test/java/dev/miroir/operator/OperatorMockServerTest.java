package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.crd.MeiliNode;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.model.Labels;
import dev.miroir.operator.reconcile.OperatorSettings;
import dev.miroir.operator.testing.Await;
import dev.miroir.operator.testing.FakeNodeAdmin;
import dev.miroir.operator.testing.LoopbackNodeUrls;
import dev.miroir.operator.testing.MockApiServer;
import dev.miroir.operator.testing.Repo;
import dev.miroir.operator.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator against the CRUD mock API server, with a test kubelet that makes pods ready. */
class OperatorMockServerTest {

  private static final Duration CONVERGE = Duration.ofSeconds(60);

  private static MockApiServer api;
  private static OperatorSettings settings;
  private static final FakeNodeAdmin NODES = new FakeNodeAdmin();
  private static final LoopbackNodeUrls URLS = new LoopbackNodeUrls();

  @BeforeAll
  static void startOperator() {
    api = new MockApiServer();
    settings = new OperatorSettings("example.org/miroir-router:test", Duration.ofMillis(500), Set.of(), URLS, NODES);
    api.startOperator(settings);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void minimalSampleBecomesReadyWithOwnedAndLabelledResources() {
    String ns = "minimal";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false).start()) {
      MeiliCluster cluster = api.apply(Repo.path("samples/minimal.yaml"), ns);
      MeiliClusterStatus status = awaitPhase(ns, "demo", "Ready");

      assertThat(status.getReplicas()).isEqualTo(3);
      assertThat(status.getReadyReplicas()).isEqualTo(3);
      assertThat(status.getNodes()).isEqualTo("3/3");
      assertThat(status.getSelector()).isEqualTo("miroir.dev/cluster=demo,app.kubernetes.io/component=node");
      assertThat(status.getEndpoint()).isEqualTo("http://demo.minimal.svc:7700");
      assertThat(status.getTopologyEpoch()).isEqualTo(1L);
      assertThat(status.getObservedGeneration()).isEqualTo(cluster.getMetadata().getGeneration());
      assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
      assertThat(condition(status, "Rebalancing").getStatus()).isEqualTo("False");
      assertThat(condition(status, "Degraded").getStatus()).isEqualTo("False");

      assertOwnedAndLabelled(ns, "demo", 3);
      assertThat(api.client().services().inNamespace(ns).withName("demo").get().getSpec().getPorts().get(0).getPort())
          .isEqualTo(7700);
      Role role = api.client().rbac().roles().inNamespace(ns).withName("demo-router").get();
      assertThat(role.getRules()).singleElement().satisfies(rule -> {
        assertThat(rule.getResources()).containsExactly("configmaps");
        assertThat(rule.getResourceNames()).containsExactly("demo-topology");
        assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
      });
      TopologyDocument doc = topology(ns, "demo");
      assertThat(doc.nodes()).extracting(n -> n.id()).containsExactly("demo-0", "demo-1", "demo-2");
      assertThat(doc.shards()).isEqualTo(16);
      Await.until("default keys created on every node", CONVERGE, () -> NODES.keysCreated().stream()
          .filter(k -> doc.nodes().stream().anyMatch(n -> k.startsWith(n.url() + " "))).count() == 6);
      assertNoSecretOutsideSecrets(ns);
      Await.until("domain metrics published", CONVERGE, () ->
          Long.valueOf(1).equals(api.metrics().value("miroir_topology_epoch", "namespace", ns, "cluster", "demo"))
              && Long.valueOf(3).equals(api.metrics().value("miroir_nodes", "namespace", ns, "cluster", "demo", "phase", "Active"))
              && Long.valueOf(3).equals(api.metrics().value("miroir_nodes_ready", "namespace", ns, "cluster", "demo")));
      assertThat(api.client().v1().events().inNamespace(ns).list().getItems())
          .extracting(e -> e.getReason()).contains("TopologyPublished", "AllNodesReady");
    }
  }

  @Test
  void haSampleSpreadsSixNodesOverThreeZonesWithTwoRouters() {
    String ns = "ha";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false).start()) {
      api.apply(Repo.path("samples/ha.yaml"), ns);
      MeiliClusterStatus status = awaitPhase(ns, "search", "Ready");
      assertThat(status.getNodes()).isEqualTo("6/6");
      assertOwnedAndLabelled(ns, "search", 6);

      TopologyDocument doc = topology(ns, "search");
      assertThat(doc.replicationFactor()).isEqualTo(2);
      assertThat(doc.nodes()).extracting(n -> n.zone()).containsOnly("zone-a", "zone-b", "zone-c");
      Map<String, String> zoneOf = doc.nodes().stream().collect(Collectors.toMap(n -> n.id(), n -> n.zone()));
      doc.placement().forEach(shard -> assertThat(shard.readOwners().stream().map(zoneOf::get).distinct())
          .as("shard %s owners in distinct zones", shard.shard()).hasSize(2));
      assertThat(api.client().apps().deployments().inNamespace(ns).withName("search-router").get()
          .getSpec().getReplicas()).isEqualTo(2);
      StatefulSet node = api.client().apps().statefulSets().inNamespace(ns).withName("search-4").get();
      assertThat(node.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
          .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0)
          .getMatchExpressions().get(0).getValues()).containsExactly("zone-b");
      assertThat(api.client().policy().v1().podDisruptionBudget().inNamespace(ns).withName("search-nodes").get()
          .getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }
  }

  @Test
  void scaleSubresourcePublishesAtOnceWhenEmptyAndRecordsPendingWhenDocumentsWouldMove() {
    String ns = "scale";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false).start()) {
      api.apply(Repo.path("samples/minimal.yaml"), ns);
      awaitPhase(ns, "demo", "Ready");
      NODES.documents(0);

      // Like `kubectl scale mc/demo --replicas=5`: goes through the /scale subresource. While a
      // joining node is not ready, routers must not be sent to it: the old placement stays.
      kubelet.hold("demo-4");
      api.client().resources(MeiliCluster.class).inNamespace(ns).withName("demo").scale(5);
      assertThat(cluster(ns, "demo").getSpec().getReplicas()).isEqualTo(5);
      Await.until("demo-3 ready, demo-4 held", CONVERGE, () -> {
        MeiliClusterStatus s = cluster(ns, "demo").getStatus();
        return s != null && s.getReadyReplicas() == 4 ? s : null;
      });
      assertThat(topology(ns, "demo").epoch()).isEqualTo(1L);
      assertThat(topology(ns, "demo").nodes()).hasSize(3);
      kubelet.release("demo-4");
      MeiliClusterStatus grown = Await.until("5 ready nodes at epoch 2", CONVERGE, () -> {
        MeiliClusterStatus s = cluster(ns, "demo").getStatus();
        return s != null && "Ready".equals(s.getPhase()) && s.getReadyReplicas() == 5 ? s : null;
      });
      assertThat(grown.getTopologyEpoch()).isEqualTo(2L);
      assertThat(topology(ns, "demo").nodes()).hasSize(5);
      assertThat(api.client().resources(MeiliNode.class).inNamespace(ns).list().getItems()).hasSize(5);

      // Documents present: the change is recorded, not applied.
      NODES.documents(1234);
      api.client().resources(MeiliCluster.class).inNamespace(ns).withName("demo").scale(4);
      MeiliClusterStatus pending = awaitPhase(ns, "demo", "ScalePending");
      assertThat(pending.getPendingChange().getFromReplicas()).isEqualTo(5);
      assertThat(pending.getPendingChange().getToReplicas()).isEqualTo(4);
      assertThat(pending.getPendingChange().getReason()).isEqualTo("DataMoveRequired");
      assertThat(pending.getPendingChange().getReplicasToMove()).isPositive();
      assertThat(pending.getPendingChange().getLosingNodes()).containsExactly("demo-4");
      assertThat(condition(pending, "Rebalancing").getStatus()).isEqualTo("True");
      assertThat(pending.getTopologyEpoch()).isEqualTo(2L);
      assertThat(topology(ns, "demo").nodes()).hasSize(5);
      assertThat(api.client().apps().statefulSets().inNamespace(ns).withName("demo-4").get()).isNotNull();
      MeiliNode draining = api.client().resources(MeiliNode.class).inNamespace(ns).withName("demo-4").get();
      Await.until("demo-4 draining", CONVERGE, () -> "Draining".equals(
          api.client().resources(MeiliNode.class).inNamespace(ns).withName("demo-4").get().getStatus().getPhase()));
      assertThat(draining).isNotNull();

      // Emptied again: the pending change is published and the surplus node goes.
      NODES.documents(0);
      Await.until("scale-down applied", CONVERGE, () -> {
        MeiliClusterStatus s = cluster(ns, "demo").getStatus();
        return "Ready".equals(s.getPhase()) && s.getPendingChange() == null && s.getReplicas() == 4;
      });
      assertThat(topology(ns, "demo").epoch()).isEqualTo(3L);
      Await.until("demo-4 removed", CONVERGE, () ->
          api.client().apps().statefulSets().inNamespace(ns).withName("demo-4").get() == null);
    }
  }

  @Test
  void restartingTheOperatorMidReconcileChangesNothingThatWasRight() {
    String ns = "restart";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false)) {
      for (int i = 0; i < 3; i++) {
        kubelet.hold("demo-" + i);
      }
      kubelet.start();
      api.apply(Repo.path("samples/minimal.yaml"), ns);
      Await.until("first pass done", CONVERGE, () -> {
        MeiliCluster c = cluster(ns, "demo");
        return c.getStatus() != null && "Provisioning".equals(c.getStatus().getPhase())
            && api.client().configMaps().inNamespace(ns).withName("demo-topology").get() != null;
      });
      // "Right" is the state the first operator settled on: the kubelet's pods and StatefulSet statuses
      // exist and a few requeues (500 ms) passed without a write. Stopping before the pass that sees the
      // pods would leave a status the restarted operator is right to rewrite (replicas 0 -> 3).
      Await.until("three pods of held nodes", CONVERGE, () -> api.client().pods().inNamespace(ns)
          .withLabel(Labels.COMPONENT, Labels.COMPONENT_NODE).list().getItems().size() == 3);
      awaitSettled(ns, "demo", Duration.ofSeconds(2));
      api.stopOperator();
      Map<String, String> before = versions(ns);
      MeiliCluster clusterBefore = cluster(ns, "demo");

      api.startOperator(settings);
      // The restarted operator reconciles the cluster at startup, and again on every requeue.
      sleep(Duration.ofSeconds(3));
      assertThat(versions(ns)).isEqualTo(before);
      MeiliCluster clusterAfter = cluster(ns, "demo");
      assertThat(clusterAfter.getMetadata().getResourceVersion())
          .as("the restarted operator rewrote the cluster:%nbefore: %s%nafter: %s",
              Serialization.asYaml(clusterBefore.getStatus()), Serialization.asYaml(clusterAfter.getStatus()))
          .isEqualTo(clusterBefore.getMetadata().getResourceVersion());

      for (int i = 0; i < 3; i++) {
        kubelet.release("demo-" + i);
      }
      awaitPhase(ns, "demo", "Ready");
      assertThat(topology(ns, "demo").epoch()).isEqualTo(1L);
    }
  }

  @Test
  void degradedWhenAnActiveNodeStopsBeingReady() {
    String ns = "degraded";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false).start()) {
      api.apply(Repo.path("samples/minimal.yaml"), ns);
      awaitPhase(ns, "demo", "Ready");
      kubelet.hold("demo-1");
      MeiliClusterStatus degraded = awaitPhase(ns, "demo", "Degraded");
      assertThat(condition(degraded, "Degraded").getReason()).isEqualTo("ShardsUnavailable");
      assertThat(condition(degraded, "Ready").getStatus()).isEqualTo("False");
      kubelet.release("demo-1");
      MeiliClusterStatus healed = awaitPhase(ns, "demo", "Ready");
      assertThat(condition(healed, "Degraded").getStatus()).isEqualTo("False");
    }
  }

  // ---- helpers ----

  private static void assertOwnedAndLabelled(String ns, String name, int nodes) {
    MeiliCluster cluster = cluster(ns, name);
    var owned = api.owned(ns);
    assertThat(owned).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).contains(
        "Secret/" + ClusterNames.masterKeySecret(name), "Secret/" + ClusterNames.apiKeysSecret(name),
        "ConfigMap/" + ClusterNames.topologyConfigMap(name), "Service/" + name,
        "Service/" + ClusterNames.headlessService(name), "Deployment/" + ClusterNames.router(name),
        "ServiceAccount/" + ClusterNames.routerServiceAccount(name), "Role/" + ClusterNames.router(name),
        "RoleBinding/" + ClusterNames.router(name), "PodDisruptionBudget/" + ClusterNames.nodesDisruptionBudget(name));
    for (int i = 0; i < nodes; i++) {
      String id = name + "-" + i;
      assertThat(owned).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
          .contains("MeiliNode/" + id, "StatefulSet/" + id, "Service/" + id);
    }
    Set<String> nodeUids = owned.stream().filter(o -> o instanceof MeiliNode)
        .map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
    for (HasMetadata o : owned) {
      assertThat(o.getMetadata().getOwnerReferences()).as("owner of %s", o.getMetadata().getName())
          .singleElement().satisfies(ref -> {
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getUid()).isIn(Set.copyOf(concat(nodeUids, cluster.getMetadata().getUid())));
          });
      assertThat(o.getMetadata().getLabels()).as("labels of %s", o.getMetadata().getName())
          .containsEntry(Labels.INSTANCE, name).containsEntry(Labels.MANAGED_BY, "miroir-operator")
          .containsEntry(Labels.PART_OF, "miroir").containsKeys(Labels.NAME, Labels.COMPONENT);
    }
  }

  private static Set<String> concat(Set<String> a, String b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.add(b);
    return all;
  }

  private static void assertNoSecretOutsideSecrets(String ns) {
    String masterKey = new String(java.util.Base64.getDecoder().decode(
        api.client().secrets().inNamespace(ns).withName("demo-master-key").get().getData().get("masterKey")));
    assertThat(masterKey).hasSizeGreaterThanOrEqualTo(32);
    for (ConfigMap cm : api.client().configMaps().inNamespace(ns).list().getItems()) {
      assertThat(String.valueOf(cm.getData())).doesNotContain(masterKey);
    }
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(cluster(ns, "demo"))).doesNotContain(masterKey);
    api.client().v1().events().inNamespace(ns).list().getItems()
        .forEach(e -> assertThat(e.getMessage()).doesNotContain(masterKey));
  }

  private static Map<String, String> versions(String ns) {
    Map<String, String> versions = new TreeMap<>();
    for (HasMetadata o : api.owned(ns)) {
      versions.put(o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }
    return versions;
  }

  /** Waits until neither the cluster nor any owned object changed for {@code quiet}. */
  private static void awaitSettled(String ns, String name, Duration quiet) {
    String[] last = {null};
    long[] since = {System.nanoTime()};
    Await.until(name + " settled for " + quiet, CONVERGE, () -> {
      String now = cluster(ns, name).getMetadata().getResourceVersion() + " " + versions(ns);
      if (!now.equals(last[0])) {
        last[0] = now;
        since[0] = System.nanoTime();
        return false;
      }
      return System.nanoTime() - since[0] >= quiet.toNanos();
    });
  }

  static MeiliCluster cluster(String ns, String name) {
    return api.client().resources(MeiliCluster.class).inNamespace(ns).withName(name).get();
  }

  private static MeiliClusterStatus awaitPhase(String ns, String name, String phase) {
    MeiliClusterStatus status = Await.until(name + " in phase " + phase, CONVERGE, () -> {
      MeiliCluster c = cluster(ns, name);
      return c != null && c.getStatus() != null && phase.equals(c.getStatus().getPhase()) ? c.getStatus() : null;
    });
    // The Argo CD health check over every status these tests wait for.
    MeiliCluster seen = new MeiliCluster();
    seen.getMetadata().setGeneration(status.getObservedGeneration());
    seen.setStatus(status);
    assertThat(dev.miroir.operator.testing.ArgoHealth.of(seen).status()).as("Argo CD health in phase %s", phase)
        .isEqualTo(argoHealthOf(phase));
    return status;
  }

  /** What Argo CD must say about a cluster in each phase the operator reports. */
  static String argoHealthOf(String phase) {
    return switch (phase) {
      case "Ready" -> "Healthy";
      case "Degraded", "Blocked" -> "Degraded";
      case "Provisioning", "ScalePending", "Updating" -> "Progressing";
      default -> throw new IllegalArgumentException("unknown phase " + phase);
    };
  }

  private static TopologyDocument topology(String ns, String name) {
    return TopologyCodec.decode(api.client().configMaps().inNamespace(ns)
        .withName(ClusterNames.topologyConfigMap(name)).get().getData().get(TopologyCodec.DATA_KEY));
  }

  static Condition condition(MeiliClusterStatus status, String type) {
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
