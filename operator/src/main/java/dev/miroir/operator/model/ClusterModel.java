package dev.miroir.operator.model;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterSpec;
import dev.miroir.operator.crd.MeiliNode;
import dev.miroir.operator.crd.MeiliNodeSpec;
import dev.miroir.operator.crd.MeilisearchSpec;
import dev.miroir.operator.crd.RouterSpec;
import dev.miroir.operator.crd.SecretKeyRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Kubernetes object a cluster is made of, built from the MeiliCluster alone: no client, no
 * I/O, so each object can be asserted in a plain unit test. The reconciler only decides which of
 * these to apply and when.
 */
public final class ClusterModel {

  public static final String DATA_VOLUME = "data";
  public static final String DATA_PATH = "/meili_data";
  static final String NODE_CONTAINER = "meilisearch";
  static final String ROUTER_CONTAINER = "router";

  private final MeiliCluster cluster;
  private final String name;
  private final String namespace;
  private final MeiliClusterSpec spec;
  private final String defaultRouterImage;

  public ClusterModel(MeiliCluster cluster, String defaultRouterImage) {
    this.cluster = cluster;
    this.name = cluster.getMetadata().getName();
    this.namespace = cluster.getMetadata().getNamespace();
    this.spec = cluster.getSpec();
    this.defaultRouterImage = defaultRouterImage;
  }

  public String name() {
    return name;
  }

  public String namespace() {
    return namespace;
  }

  public MeiliClusterSpec spec() {
    return spec;
  }

  public List<DesiredNode> desiredNodes() {
    return DesiredNode.forSpec(name, spec);
  }

  /** Where the master key lives: the user's Secret when given, else the one the operator generates. */
  public SecretKeyRef masterKeyRef() {
    SecretKeyRef ref = spec.getMeilisearch() == null ? null : spec.getMeilisearch().getMasterKeySecretRef();
    if (ref != null && ref.getName() != null) {
      return new SecretKeyRef(
          ref.getName(), ref.getKey() == null ? ClusterNames.MASTER_KEY_SECRET_KEY : ref.getKey());
    }
    return new SecretKeyRef(ClusterNames.masterKeySecret(name), ClusterNames.MASTER_KEY_SECRET_KEY);
  }

  public boolean generatesMasterKey() {
    return masterKeyRef().getName().equals(ClusterNames.masterKeySecret(name));
  }

  public OwnerReference ownerReference() {
    return ownerOf(cluster);
  }

  static OwnerReference ownerOf(io.fabric8.kubernetes.api.model.HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private ObjectMeta meta(String objectName, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(objectName)
        .withNamespace(namespace)
        .withLabels(labels)
        .withOwnerReferences(ownerReference())
        .build();
  }

  // ---- credentials ----

  /** Generated once; the reconciler never overwrites an existing one (a new key would lock nodes out). */
  public Secret masterKeySecret(String generatedKey) {
    return new SecretBuilder()
        .withMetadata(meta(ClusterNames.masterKeySecret(name), Labels.of(name, Labels.COMPONENT_CREDENTIALS)))
        .withType("Opaque")
        .withData(base64(Map.of(ClusterNames.MASTER_KEY_SECRET_KEY, generatedKey)))
        .build();
  }

  /** The default keys' values and uids. Values derive from the master key, so this is stable too. */
  public Secret apiKeysSecret(String masterKey) {
    Map<String, String> data = new LinkedHashMap<>();
    for (ApiKeys.KeySpec key : apiKeys()) {
      data.put(key.secretKey(), ApiKeys.value(masterKey, key.uid()));
      data.put(key.uidSecretKey(), key.uid());
    }
    return new SecretBuilder()
        .withMetadata(meta(ClusterNames.apiKeysSecret(name), Labels.of(name, Labels.COMPONENT_CREDENTIALS)))
        .withType("Opaque")
        .withData(base64(data))
        .build();
  }

  /** Secrets carry base64 data, not stringData, so what we compare is what the API server stores. */
  private static Map<String, String> base64(Map<String, String> values) {
    Map<String, String> encoded = new LinkedHashMap<>();
    values.forEach((k, v) -> encoded.put(k,
        java.util.Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    return encoded;
  }

  public List<ApiKeys.KeySpec> apiKeys() {
    return ApiKeys.defaults(name, cluster.getMetadata().getUid());
  }

  // ---- nodes ----

  public MeiliNode meiliNode(DesiredNode node) {
    MeiliNode meiliNode = new MeiliNode();
    meiliNode.setMetadata(meta(ClusterNames.nodeResource(node.id()), Labels.ofNode(name, node.id())));
    meiliNode.setSpec(new MeiliNodeSpec(name, node.id(), node.ordinal(), node.zone()));
    meiliNode.setStatus(null);
    return meiliNode;
  }

  /**
   * One StatefulSet per node rather than one for the cluster: a node's identity (its id, hence its
   * shards) must survive any scale operation, and removing a chosen node from the middle is
   * impossible with a single StatefulSet. Owned by the MeiliNode, so deleting the node removes it.
   */
  public StatefulSet nodeStatefulSet(DesiredNode node, MeiliNode owner) {
    MeilisearchSpec meili = spec.getMeilisearch() == null ? new MeilisearchSpec() : spec.getMeilisearch();
    Map<String, String> labels = Labels.ofNode(name, node.id());
    SecretKeyRef masterKey = masterKeyRef();
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("MEILI_MASTER_KEY")
        .withNewValueFrom().withNewSecretKeyRef(masterKey.getKey(), masterKey.getName(), false).endValueFrom()
        .build());
    env.add(new EnvVar("MEILI_ENV", "production", null));
    env.add(new EnvVar("MEILI_NO_ANALYTICS", "true", null));
    env.add(new EnvVar("MEILI_HTTP_ADDR", "0.0.0.0:" + ClusterNames.HTTP_PORT, null));
    env.add(new EnvVar("MEILI_DB_PATH", DATA_PATH + "/data.ms", null));
    env.add(new EnvVar("MEILI_DUMP_DIR", DATA_PATH + "/dumps", null));
    env.add(new EnvVar("MEILI_SNAPSHOT_DIR", DATA_PATH + "/snapshots", null));
    if (meili.getEnv() != null) {
      env.addAll(meili.getEnv());
    }
    MeilisearchSpec.StorageSpec storage =
        meili.getStorage() == null ? new MeilisearchSpec.StorageSpec() : meili.getStorage();

    var podSpec = new PodSpecBuilder()
        .addNewContainer()
          .withName(NODE_CONTAINER)
          .withImage(meili.getImage() == null ? MeilisearchSpec.DEFAULT_IMAGE : meili.getImage())
          .withEnv(env)
          .addNewPort().withName("http").withContainerPort(ClusterNames.HTTP_PORT).endPort()
          .withResources(meili.getResources() == null ? new ResourceRequirements() : meili.getResources())
          .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(DATA_PATH).endVolumeMount()
          // Startup can replay a large task queue: give it minutes before liveness may kill it.
          .withStartupProbe(healthProbe(5, 120))
          .withReadinessProbe(healthProbe(5, 3))
          .withLivenessProbe(healthProbe(10, 6))
        .endContainer()
        .withTerminationGracePeriodSeconds(60L)
        .withNewAffinity()
          .withNewPodAntiAffinity()
            // Preferred, not required: a small cluster must still schedule on few hosts.
            .addNewPreferredDuringSchedulingIgnoredDuringExecution()
              .withWeight(100)
              .withPodAffinityTerm(spreadTerm("kubernetes.io/hostname"))
            .endPreferredDuringSchedulingIgnoredDuringExecution()
          .endPodAntiAffinity()
        .endAffinity()
        .withTopologySpreadConstraints(spreadConstraints());
    if (node.zone() != null) {
      // Pinned: placement already counted on this zone when it chose the node's shards.
      podSpec.editAffinity()
          .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
              .addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey(zoneKey()).withOperator("In").withValues(node.zone()).endMatchExpression()
              .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
          .endNodeAffinity()
        .endAffinity();
    }

    var claim = new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(DATA_VOLUME).withLabels(labels).endMetadata()
        .withNewSpec()
          .withAccessModes("ReadWriteOnce")
          .withStorageClassName(storage.getStorageClassName())
          .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
        .endSpec()
        .build();

    return new StatefulSetBuilder()
        .withNewMetadata()
          .withName(ClusterNames.nodeResource(node.id()))
          .withNamespace(namespace)
          .withLabels(labels)
          .withOwnerReferences(ownerOf(owner))
        .endMetadata()
        .withNewSpec()
          .withReplicas(1)
          .withServiceName(ClusterNames.headlessService(name))
          .withPodManagementPolicy("Parallel")
          .withNewSelector().withMatchLabels(Labels.nodeSelector(name, node.id())).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withSpec(podSpec.build())
          .endTemplate()
          .withVolumeClaimTemplates(claim)
          // Keep the data when the StatefulSet goes: a mistaken scale-down must be recoverable.
          .withNewPersistentVolumeClaimRetentionPolicy()
            .withWhenDeleted("Retain").withWhenScaled("Retain")
          .endPersistentVolumeClaimRetentionPolicy()
        .endSpec()
        .build();
  }

  private String zoneKey() {
    return spec.getZoneAwareness() == null || spec.getZoneAwareness().getTopologyKey() == null
        ? "topology.kubernetes.io/zone"
        : spec.getZoneAwareness().getTopologyKey();
  }

  private PodAffinityTerm spreadTerm(String topologyKey) {
    return new PodAffinityTermBuilder()
        .withTopologyKey(topologyKey)
        .withNewLabelSelector().withMatchLabels(Labels.nodeSelector(name)).endLabelSelector()
        .build();
  }

  private List<TopologySpreadConstraint> spreadConstraints() {
    if (spec.getZoneAwareness() == null) {
      return List.of();
    }
    return List.of(new TopologySpreadConstraintBuilder()
        .withMaxSkew(1)
        .withTopologyKey(zoneKey())
        .withWhenUnsatisfiable("ScheduleAnyway")
        .withNewLabelSelector().withMatchLabels(Labels.nodeSelector(name)).endLabelSelector()
        .build());
  }

  private static Probe healthProbe(int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath("/health").withPort(new IntOrString("http")).endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(3)
        .build();
  }

  /** Stable DNS name for one node, whatever pod currently backs it. Routers use it. */
  public Service nodeService(DesiredNode node, MeiliNode owner) {
    return new ServiceBuilder()
        .withNewMetadata()
          .withName(ClusterNames.nodeResource(node.id()))
          .withNamespace(namespace)
          .withLabels(Labels.ofNode(name, node.id()))
          .withOwnerReferences(ownerOf(owner))
        .endMetadata()
        .withNewSpec()
          .withSelector(Labels.nodeSelector(name, node.id()))
          .addNewPort().withName("http").withPort(ClusterNames.HTTP_PORT).withTargetPort(new IntOrString("http")).endPort()
        .endSpec()
        .build();
  }

  /** Governing Service of the node StatefulSets; unready pods published so peers can find a joiner. */
  public Service headlessService() {
    return new ServiceBuilder()
        .withMetadata(meta(ClusterNames.headlessService(name), Labels.of(name, Labels.COMPONENT_NODE)))
        .withNewSpec()
          .withClusterIP("None")
          .withPublishNotReadyAddresses(true)
          .withSelector(Labels.nodeSelector(name))
          .addNewPort().withName("http").withPort(ClusterNames.HTTP_PORT).withTargetPort(new IntOrString("http")).endPort()
        .endSpec()
        .build();
  }

  /**
   * At most RF-1 nodes down by voluntary disruption, so every shard keeps a copy. With RF 1 any
   * eviction hides shards; the budget still allows one, because zero would block node drains forever
   * and the data survives on the volume.
   */
  public PodDisruptionBudget nodeDisruptionBudget() {
    int rf = spec.getReplicationFactor() == null ? 1 : spec.getReplicationFactor();
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(ClusterNames.nodesDisruptionBudget(name), Labels.of(name, Labels.COMPONENT_NODE)))
        .withNewSpec()
          .withMaxUnavailable(new IntOrString(Math.max(1, rf - 1)))
          .withNewSelector().withMatchLabels(Labels.nodeSelector(name)).endSelector()
        .endSpec()
        .build();
  }

  // ---- router ----

  public ServiceAccount routerServiceAccount() {
    return new ServiceAccountBuilder()
        .withMetadata(meta(ClusterNames.routerServiceAccount(name), Labels.of(name, Labels.COMPONENT_ROUTER)))
        .withAutomountServiceAccountToken(true)
        .build();
  }

  /** Least privilege: the router reads its one topology ConfigMap and nothing else. */
  public Role routerRole() {
    return new RoleBuilder()
        .withMetadata(meta(ClusterNames.router(name), Labels.of(name, Labels.COMPONENT_ROUTER)))
        .addNewRule()
          .withApiGroups("")
          .withResources("configmaps")
          .withResourceNames(ClusterNames.topologyConfigMap(name))
          .withVerbs("get", "list", "watch")
        .endRule()
        .build();
  }

  public RoleBinding routerRoleBinding() {
    return new RoleBindingBuilder()
        .withMetadata(meta(ClusterNames.router(name), Labels.of(name, Labels.COMPONENT_ROUTER)))
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(ClusterNames.router(name)).endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(ClusterNames.routerServiceAccount(name)).withNamespace(namespace).endSubject()
        .build();
  }

  /**
   * The router contract (env): it watches {@code MIROIR_TOPOLOGY_CONFIGMAP} in {@code
   * MIROIR_NAMESPACE}, listens on 7700 and talks to nodes with the admin key, never the master key.
   */
  public Deployment routerDeployment() {
    RouterSpec router = spec.getRouter() == null ? new RouterSpec() : spec.getRouter();
    Map<String, String> labels = Labels.of(name, Labels.COMPONENT_ROUTER);
    return new DeploymentBuilder()
        .withMetadata(meta(ClusterNames.router(name), labels))
        .withNewSpec()
          .withReplicas(router.getReplicas() == null ? 1 : router.getReplicas())
          .withNewSelector().withMatchLabels(Labels.routerSelector(name)).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec()
              .withServiceAccountName(ClusterNames.routerServiceAccount(name))
              .addNewContainer()
                .withName(ROUTER_CONTAINER)
                .withImage(router.getImage() == null ? defaultRouterImage : router.getImage())
                .addNewEnv().withName("MIROIR_CLUSTER").withValue(name).endEnv()
                .addNewEnv().withName("MIROIR_TOPOLOGY_CONFIGMAP").withValue(ClusterNames.topologyConfigMap(name)).endEnv()
                .addNewEnv().withName("MIROIR_NAMESPACE").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("MIROIR_HTTP_PORT").withValue(Integer.toString(ClusterNames.HTTP_PORT)).endEnv()
                .addNewEnv().withName("MIROIR_NODE_API_KEY")
                  .withNewValueFrom().withNewSecretKeyRef(ClusterNames.ADMIN_KEY, ClusterNames.apiKeysSecret(name), false).endValueFrom()
                .endEnv()
                .addNewPort().withName("http").withContainerPort(ClusterNames.HTTP_PORT).endPort()
                .withResources(router.getResources() == null ? new ResourceRequirements() : router.getResources())
                .withReadinessProbe(healthProbe(5, 3))
                .withLivenessProbe(healthProbe(10, 6))
              .endContainer()
              .withNewAffinity()
                .withNewPodAntiAffinity()
                  .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                    .withWeight(100)
                    .withNewPodAffinityTerm()
                      .withTopologyKey("kubernetes.io/hostname")
                      .withNewLabelSelector().withMatchLabels(Labels.routerSelector(name)).endLabelSelector()
                    .endPodAffinityTerm()
                  .endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
              .endAffinity()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  /** The in-cluster search endpoint: named after the cluster, port 7700, backed by the routers. */
  public Service searchService() {
    return new ServiceBuilder()
        .withMetadata(meta(ClusterNames.searchService(name), Labels.of(name, Labels.COMPONENT_SEARCH)))
        .withNewSpec()
          .withSelector(Labels.routerSelector(name))
          .addNewPort().withName("http").withPort(ClusterNames.HTTP_PORT).withTargetPort(new IntOrString("http")).endPort()
        .endSpec()
        .build();
  }

  // ---- topology ----

  public ConfigMap topologyConfigMap(String documentJson) {
    return new ConfigMapBuilder()
        .withMetadata(meta(ClusterNames.topologyConfigMap(name), Labels.of(name, Labels.COMPONENT_TOPOLOGY)))
        .addToData(dev.miroir.core.topology.TopologyCodec.DATA_KEY, documentJson)
        .build();
  }

  public String endpoint() {
    return ClusterNames.searchEndpoint(name, namespace);
  }
}
