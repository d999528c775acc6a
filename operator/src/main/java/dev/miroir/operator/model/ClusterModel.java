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
import io.fabric8.kubernetes.api.model.PodSpec;
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
  static final String TMP_VOLUME = "tmp";
  /** The router's replica log directory (its default {@code MIROIR_REPLICA_LOG=file:/var/lib/miroir/replica-log}). */
  static final String ROUTER_STATE_VOLUME = "state";
  public static final String ROUTER_STATE_PATH = "/var/lib/miroir";
  /** How often routers compare replica digests; the operator shows the last result as ReplicasConsistent. */
  public static final String CONSISTENCY_INTERVAL = "10m";
  /** Answered by the router itself, whatever the nodes' state (router-sidecar ClusterRoutes). */
  public static final String ROUTER_LIVENESS_PATH = "/_miroir/live";

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
    return nodeStatefulSet(node, owner, nodeImage(), null);
  }

  /** The image the spec asks nodes to run. */
  public String nodeImage() {
    MeilisearchSpec meili = spec.getMeilisearch() == null ? new MeilisearchSpec() : spec.getMeilisearch();
    return meili.getImage() == null ? MeilisearchSpec.DEFAULT_IMAGE : meili.getImage();
  }

  /** The volume size the spec asks for. */
  public String storageSize() {
    MeilisearchSpec meili = spec.getMeilisearch() == null ? new MeilisearchSpec() : spec.getMeilisearch();
    return meili.getStorage() == null || meili.getStorage().getSize() == null
        ? new MeilisearchSpec.StorageSpec().getSize() : meili.getStorage().getSize();
  }

  /**
   * A node's StatefulSet.
   *
   * <p>{@code updateStrategy: OnDelete}: a template change (image, env, resources, podTemplate)
   * restarts nothing by itself. The operator deletes one outdated pod at a time, once the previous
   * one is ready again and every shard keeps a readable copy; see the rolling restart step. The pod
   * template carries its own hash ({@link Labels#POD_TEMPLATE_HASH}), which is how a pod is known
   * to be outdated.
   *
   * @param image the image to run: the spec's, or the running one while an upgrade is refused
   * @param existingClaims the claim templates of the live StatefulSet, kept as they are (they are
   *     immutable; a volume expansion recreates the StatefulSet instead), null for a new one
   */
  public StatefulSet nodeStatefulSet(DesiredNode node, MeiliNode owner, String image,
      List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> existingClaims) {
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
    // A newer image opens an older database (from v1.12) in place instead of refusing to start; a
    // no-op when the versions match. Downgrades never reach a node: the operator refuses them.
    env.add(new EnvVar("MEILI_EXPERIMENTAL_DUMPLESS_UPGRADE", "true", null));
    if (meili.getEnv() != null) {
      env.addAll(meili.getEnv());
    }
    MeilisearchSpec.StorageSpec storage =
        meili.getStorage() == null ? new MeilisearchSpec.StorageSpec() : meili.getStorage();

    var podSpec = new PodSpecBuilder()
        .addNewContainer()
          .withName(NODE_CONTAINER)
          .withImage(image)
          .withEnv(env)
          .addNewPort().withName("http").withContainerPort(ClusterNames.HTTP_PORT).endPort()
          .withResources(meili.getResources() == null ? PodSecurity.defaultNodeResources() : meili.getResources())
          .withSecurityContext(PodSecurity.restrictedContainer())
          .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(DATA_PATH).endVolumeMount()
          .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount()
          // Startup can replay a large task queue: give it minutes before liveness may kill it.
          .withStartupProbe(healthProbe(5, 120))
          .withReadinessProbe(healthProbe(5, 3))
          .withLivenessProbe(healthProbe(10, 6))
        .endContainer()
        .withTerminationGracePeriodSeconds(60L)
        .withSecurityContext(PodSecurity.restrictedPod(PodSecurity.NODE_UID))
        .addNewVolume().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
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

    List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> claims = existingClaims != null
        ? existingClaims
        : List.of(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
            .withNewMetadata().withName(DATA_VOLUME).withLabels(labels).endMetadata()
            .withNewSpec()
              .withAccessModes("ReadWriteOnce")
              .withStorageClassName(storage.getStorageClassName())
              .withNewResources().addToRequests("storage", new Quantity(storageSize())).endResources()
            .endSpec()
            .build());

    PodSpec pod = podSpec.build();
    ObjectMeta podMeta = new ObjectMetaBuilder().withLabels(labels).build();
    PodTemplateOverlay.apply(meili.getPodTemplate(), podMeta, pod, NODE_CONTAINER, zonePin(node));
    withTemplateHash(podMeta, pod);

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
          .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
          .withNewTemplate()
            .withMetadata(podMeta)
            .withSpec(pod)
          .endTemplate()
          .withVolumeClaimTemplates(claims)
          // Keep the data when the StatefulSet goes: a mistaken scale-down must be recoverable.
          .withNewPersistentVolumeClaimRetentionPolicy()
            .withWhenDeleted("Retain").withWhenScaled("Retain")
          .endPersistentVolumeClaimRetentionPolicy()
        .endSpec()
        .build();
  }

  private io.fabric8.kubernetes.api.model.NodeSelectorRequirement zonePin(DesiredNode node) {
    if (node.zone() == null) {
      return null;
    }
    return new io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder()
        .withKey(zoneKey()).withOperator("In").withValues(node.zone()).build();
  }

  /** The template's own hash, on the template: pods made from it carry it, so outdated pods show. */
  private static void withTemplateHash(ObjectMeta meta, PodSpec pod) {
    Map<String, String> annotations = new java.util.TreeMap<>();
    if (meta.getAnnotations() != null) {
      annotations.putAll(meta.getAnnotations());
    }
    annotations.remove(Labels.POD_TEMPLATE_HASH);
    ObjectMeta unhashed = new ObjectMetaBuilder(meta).withAnnotations(annotations).build();
    annotations.put(Labels.POD_TEMPLATE_HASH, CanonicalHash.of(List.of(unhashed, pod)));
    meta.setAnnotations(annotations);
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
    return probe("/health", periodSeconds, failureThreshold);
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withPort(new IntOrString("http")).endHttpGet()
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
          // A pod that is not ready (a joining node, a crashed one) holds no readable copy to
          // protect: evicting it must not count against the budget, or it blocks node drains.
          .withUnhealthyPodEvictionPolicy("AlwaysAllow")
        .endSpec()
        .build();
  }

  /** Routers are stateless, but a drain must not take every one of them at once. */
  public PodDisruptionBudget routerDisruptionBudget() {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(meta(ClusterNames.routerDisruptionBudget(name), Labels.of(name, Labels.COMPONENT_ROUTER)))
        .withNewSpec()
          .withMaxUnavailable(new IntOrString(1))
          .withNewSelector().withMatchLabels(Labels.routerSelector(name)).endSelector()
          .withUnhealthyPodEvictionPolicy("AlwaysAllow")
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
    Deployment deployment = new DeploymentBuilder()
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
                .addNewEnv().withName("MIROIR_CONSISTENCY_INTERVAL").withValue(CONSISTENCY_INTERVAL).endEnv()
                .addNewPort().withName("http").withContainerPort(ClusterNames.HTTP_PORT).endPort()
                .withResources(router.getResources() == null ? PodSecurity.defaultRouterResources() : router.getResources())
                // The router writes only its replica log (one router; several share Redis) and the
                // JVM's and Vert.x's temporary files: two emptyDirs under a read-only root.
                .withSecurityContext(PodSecurity.restrictedContainer())
                .addNewVolumeMount().withName(ROUTER_STATE_VOLUME).withMountPath(ROUTER_STATE_PATH).endVolumeMount()
                .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount()
                // Ready only while it can serve every shard; alive as long as its own event loop
                // answers. A node outage must take routers out of the Service, never restart them.
                .withReadinessProbe(healthProbe(5, 3))
                .withLivenessProbe(probe(ROUTER_LIVENESS_PATH, 10, 6))
              .endContainer()
              .addNewVolume().withName(ROUTER_STATE_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
              .addNewVolume().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().endVolume()
              .withSecurityContext(PodSecurity.restrictedPod(PodSecurity.ROUTER_UID))
              .withTopologySpreadConstraints(routerSpread())
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
    var template = deployment.getSpec().getTemplate();
    PodTemplateOverlay.apply(router.getPodTemplate(), template.getMetadata(), template.getSpec(), ROUTER_CONTAINER, null);
    return deployment;
  }

  /** Routers spread over zones and hosts, best effort: a zone outage leaves routers elsewhere. */
  private List<TopologySpreadConstraint> routerSpread() {
    List<TopologySpreadConstraint> spread = new ArrayList<>();
    for (String key : List.of(zoneKey(), "kubernetes.io/hostname")) {
      spread.add(new TopologySpreadConstraintBuilder()
          .withMaxSkew(1)
          .withTopologyKey(key)
          .withWhenUnsatisfiable("ScheduleAnyway")
          .withNewLabelSelector().withMatchLabels(Labels.routerSelector(name)).endLabelSelector()
          .build());
    }
    return spread;
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
