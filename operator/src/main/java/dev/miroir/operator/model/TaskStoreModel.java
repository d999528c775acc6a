package dev.miroir.operator.model;

import dev.miroir.operator.crd.RouterSpec;
import dev.miroir.operator.crd.TaskStoreSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store several routers share: router tasks (uids from one counter, so never reused across
 * routers or restarts) and the replica log with its write-sequencer lease. Pure, like {@link
 * ClusterModel}.
 *
 * <p>Which store: the external one that {@code spec.router.taskStore} names (a Secret holding the URL,
 * which may carry a password); else a Redis the operator runs when there is more than one router, or
 * has ever run for this cluster (its Secret exists: going back to one router must not forget the
 * tasks); else none, and the single router keeps tasks in process.
 *
 * <p>The Redis it runs: one pod of the official image in a StatefulSet with a volume, the append-only
 * file on ({@code appendfsync everysec}: a Redis crash loses at most the last second, and routers raise
 * the uid counter back above what they handed out), and a generated password. The whole
 * {@code redis.conf}, password included, is a file mounted from a Secret, so no password is on any
 * command line; the probe reads it from {@code REDISCLI_AUTH}.
 */
public final class TaskStoreModel {

  public static final String IMAGE = "redis:7.2-alpine";
  public static final int PORT = 6379;
  public static final String URL_KEY = "url";
  static final String PASSWORD_KEY = "password";
  static final String CONFIG_KEY = "redis.conf";
  static final String CONFIG_PATH = "/etc/miroir-redis";
  static final String COMPONENT = "task-store";
  static final String DATA_SIZE = "1Gi";

  /** How the routers reach their shared store, if they have one. */
  public enum Kind { NONE, OWN, EXTERNAL }

  private final ClusterModel cluster;
  private final String name;
  private final Kind kind;

  /**
   * @param ownStoreExists whether the Secret of a Redis the operator runs for this cluster exists
   */
  public TaskStoreModel(ClusterModel cluster, boolean ownStoreExists) {
    this.cluster = cluster;
    this.name = ClusterNames.taskStore(cluster.name());
    RouterSpec router = cluster.spec().getRouter() == null ? new RouterSpec() : cluster.spec().getRouter();
    int replicas = router.getReplicas() == null ? 1 : router.getReplicas();
    if (router.getTaskStore() != null && router.getTaskStore().getSecretName() != null) {
      kind = Kind.EXTERNAL;
    } else if (replicas > 1 || ownStoreExists) {
      kind = Kind.OWN;
    } else {
      kind = Kind.NONE;
    }
  }

  public Kind kind() {
    return kind;
  }

  public boolean runsOwnRedis() {
    return kind == Kind.OWN;
  }

  private Map<String, String> labels() {
    Map<String, String> labels = Labels.of(cluster.name(), COMPONENT);
    labels.put(Labels.NAME, "redis");
    return labels;
  }

  private Map<String, String> selector() {
    return Map.of(Labels.CLUSTER, cluster.name(), Labels.COMPONENT, COMPONENT);
  }

  /** Generated once (the reconciler only creates it when absent): a new password would lock routers out. */
  public Secret secret(String generatedPassword) {
    String url = "redis://:" + generatedPassword + "@" + name + "." + cluster.namespace() + ".svc:" + PORT;
    String config = String.join("\n",
        "port " + PORT,
        "dir /data",
        "appendonly yes",
        "appendfsync everysec",
        "save \"\"",
        "protected-mode no",
        "requirepass " + generatedPassword,
        "");
    Map<String, String> data = new LinkedHashMap<>();
    data.put(PASSWORD_KEY, generatedPassword);
    data.put(URL_KEY, url);
    data.put(CONFIG_KEY, config);
    Map<String, String> encoded = new LinkedHashMap<>();
    data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(cluster.namespace())
            .withLabels(labels()).withOwnerReferences(cluster.ownerReference()).build())
        .withType("Opaque")
        .withData(encoded)
        .build();
  }

  /** Headless: the StatefulSet's governing Service; with one pod, its name is the store's address. */
  public Service service() {
    return new ServiceBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(cluster.namespace())
            .withLabels(labels()).withOwnerReferences(cluster.ownerReference()).build())
        .withNewSpec()
          .withClusterIP("None")
          .withSelector(selector())
          .addNewPort().withName("redis").withPort(PORT).withTargetPort(new IntOrString("redis")).endPort()
        .endSpec()
        .build();
  }

  public StatefulSet statefulSet() {
    Map<String, String> labels = labels();
    return new StatefulSetBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(cluster.namespace())
            .withLabels(labels).withOwnerReferences(cluster.ownerReference()).build())
        .withNewSpec()
          .withReplicas(1)
          .withServiceName(name)
          .withNewSelector().withMatchLabels(selector()).endSelector()
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec()
              // The official image runs as the redis user (999); the volume must be writable by it.
              .withNewSecurityContext().withRunAsUser(999L).withRunAsGroup(999L).withFsGroup(999L)
                .withRunAsNonRoot(true).endSecurityContext()
              .addNewContainer()
                .withName("redis")
                .withImage(IMAGE)
                .withCommand("redis-server", CONFIG_PATH + "/" + CONFIG_KEY)
                .addNewPort().withName("redis").withContainerPort(PORT).endPort()
                .addNewEnv().withName("REDISCLI_AUTH")
                  .withNewValueFrom().withNewSecretKeyRef(PASSWORD_KEY, name, false).endValueFrom()
                .endEnv()
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_PATH).withReadOnly(true).endVolumeMount()
                .withNewReadinessProbe()
                  .withNewExec().withCommand("sh", "-c", "redis-cli ping | grep -q PONG").endExec()
                  .withPeriodSeconds(5).withTimeoutSeconds(3).withFailureThreshold(3)
                .endReadinessProbe()
                .withNewLivenessProbe()
                  .withNewTcpSocket().withPort(new IntOrString("redis")).endTcpSocket()
                  .withPeriodSeconds(10).withFailureThreshold(6)
                .endLivenessProbe()
                .withNewResources()
                  .addToRequests("cpu", new Quantity("50m"))
                  .addToRequests("memory", new Quantity("64Mi"))
                .endResources()
              .endContainer()
              .addNewVolume().withName("config")
                .withNewSecret().withSecretName(name).addNewItem().withKey(CONFIG_KEY).withPath(CONFIG_KEY).endItem()
                  .withDefaultMode(0400).endSecret()
              .endVolume()
            .endSpec()
          .endTemplate()
          .addNewVolumeClaimTemplate()
            .withNewMetadata().withName("data").withLabels(labels).endMetadata()
            .withNewSpec()
              .withAccessModes("ReadWriteOnce")
              .withNewResources().addToRequests("storage", new Quantity(DATA_SIZE)).endResources()
            .endSpec()
          .endVolumeClaimTemplate()
          // The tasks outlive a mistaken delete of the StatefulSet.
          .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Retain").withWhenScaled("Retain")
          .endPersistentVolumeClaimRetentionPolicy()
        .endSpec()
        .build();
  }

  /**
   * What every router needs to share the store: {@code MIROIR_TASK_STORE} from the Secret (never a
   * literal: the URL holds the password), the replica log in the same Redis (several routers elect one
   * write sequencer there), and an address the other routers can reach this one at (its pod IP).
   */
  public List<EnvVar> routerEnv() {
    if (kind == Kind.NONE) {
      return List.of();
    }
    String secret = kind == Kind.OWN ? name : external().getSecretName();
    String key = kind == Kind.OWN ? URL_KEY : Optional.ofNullable(external().getKey()).orElse(URL_KEY);
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("MIROIR_TASK_STORE")
        .withNewValueFrom().withNewSecretKeyRef(key, secret, false).endValueFrom().build());
    env.add(new EnvVarBuilder().withName("MIROIR_REPLICA_LOG").withValue("redis").build());
    env.add(new EnvVarBuilder().withName("MIROIR_POD_IP")
        .withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef().endValueFrom().build());
    env.add(new EnvVarBuilder().withName("MIROIR_ADVERTISE_URL")
        .withValue("http://$(MIROIR_POD_IP):" + ClusterNames.HTTP_PORT).build());
    return env;
  }

  /** The router Deployment of {@link ClusterModel#routerDeployment()}, with {@link #routerEnv()} added. */
  public Deployment wire(Deployment routerDeployment) {
    List<EnvVar> extra = routerEnv();
    if (extra.isEmpty()) {
      return routerDeployment;
    }
    return new DeploymentBuilder(routerDeployment)
        .editSpec().editTemplate().editSpec().editFirstContainer()
          .addAllToEnv(extra)
        .endContainer().endSpec().endTemplate().endSpec()
        .build();
  }

  private TaskStoreSpec external() {
    return cluster.spec().getRouter().getTaskStore();
  }
}
