package dev.miroir.operator.rebalance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.operator.model.ClusterModel;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.model.Labels;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The rebalance Job and what it runs as, built from the cluster without a client (pure, like
 * {@link ClusterModel}). The Job runs the mover ({@code dev.miroir.router.move.MoverMain}) from the
 * router image: the same code as {@code ./miroir local scale}. Its journal lives in a ConfigMap, so
 * a killed pod is rerun by the Job's backoff and resumes where it stopped.
 */
public final class RebalanceJobModel {

  public static final String COMPONENT = "rebalance";
  public static final String MOVER_CLASS = "dev.miroir.router.move.MoverMain";
  /** The router image's jar (router-sidecar/Dockerfile). */
  public static final String ROUTER_JAR = "/opt/miroir/miroir-router.jar";

  private static final ObjectMapper JSON = new ObjectMapper();

  private RebalanceJobModel() {}

  public static String journalConfigMap(String cluster) {
    return cluster + "-rebalance";
  }

  public static String serviceAccountName(String cluster) {
    return cluster + "-mover";
  }

  /** One Job per target node set: a new scale while one runs is a different Job, refused until it ends. */
  public static String jobName(String cluster, List<TopologyNode> target) {
    String ids = target.stream().map(TopologyNode::id).sorted().collect(Collectors.joining(","));
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(ids.getBytes(StandardCharsets.UTF_8));
      return cluster + "-rebalance-" + HexFormat.of().formatHex(hash).substring(0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectMeta meta(ClusterModel model, String name) {
    return new ObjectMetaBuilder().withName(name).withNamespace(model.namespace())
        .withLabels(Labels.of(model.name(), COMPONENT)).withOwnerReferences(model.ownerReference()).build();
  }

  public static ServiceAccount serviceAccount(ClusterModel model) {
    return new ServiceAccountBuilder().withMetadata(meta(model, serviceAccountName(model.name())))
        .withAutomountServiceAccountToken(true).build();
  }

  /**
   * Least privilege: the mover updates the topology ConfigMap, keeps its journal, and lists router
   * pods to ask each for its epoch. Creating a ConfigMap cannot be limited by name in RBAC, hence the
   * separate rule.
   */
  public static Role role(ClusterModel model) {
    String name = model.name();
    return new RoleBuilder().withMetadata(meta(model, serviceAccountName(name)))
        .addNewRule().withApiGroups("").withResources("configmaps")
          .withResourceNames(ClusterNames.topologyConfigMap(name), journalConfigMap(name), journalConfigMap(name) + "-last")
          .withVerbs("get", "update", "patch", "delete").endRule()
        .addNewRule().withApiGroups("").withResources("configmaps").withVerbs("create").endRule()
        .addNewRule().withApiGroups("").withResources("pods").withVerbs("list").endRule()
        .build();
  }

  public static RoleBinding roleBinding(ClusterModel model) {
    String name = serviceAccountName(model.name());
    return new RoleBindingBuilder().withMetadata(meta(model, name))
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name).endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(model.namespace()).endSubject()
        .build();
  }

  /**
   * @param image the router image the cluster runs (the mover must speak the same protocol)
   * @param target the nodes after the rebalance, with the URLs routers use
   */
  public static Job job(ClusterModel model, String image, List<TopologyNode> target, int maxConcurrentMoves) {
    return job(model, image, target, maxConcurrentMoves, java.util.Set.of());
  }

  /**
   * @param refill nodes that came back empty, to refill from their peers ({@code MIROIR_REFILL_NODES});
   *     the target is then the published nodes, so the Job has the name the rebalance step looks for
   */
  public static Job job(ClusterModel model, String image, List<TopologyNode> target, int maxConcurrentMoves,
      java.util.Set<String> refill) {
    String name = model.name();
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVarBuilder().withName("MIROIR_NAMESPACE").withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.namespace").endFieldRef().endValueFrom().build());
    env.add(new EnvVar("MIROIR_TOPOLOGY_CONFIGMAP", ClusterNames.topologyConfigMap(name), null));
    env.add(new EnvVar("MIROIR_REBALANCE_CONFIGMAP", journalConfigMap(name), null));
    env.add(new EnvVar("MIROIR_TARGET_NODES", targetJson(target), null));
    env.add(new EnvVar("MIROIR_MAX_CONCURRENT_MOVES", String.valueOf(maxConcurrentMoves), null));
    if (!refill.isEmpty()) {
      env.add(new EnvVar("MIROIR_REFILL_NODES", String.join(",", new java.util.TreeSet<>(refill)), null));
    }
    env.add(new EnvVar("MIROIR_ROUTER_SELECTOR", Labels.routerSelector(name).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(",")), null));
    env.add(new EnvVar("MIROIR_ROUTER_PORT", String.valueOf(ClusterNames.HTTP_PORT), null));
    // The routers' own node key (the admin key): the mover needs no more than a router does, and the
    // routers accept it for fences. From its Secret, never through the Job's spec or command line.
    env.add(new EnvVarBuilder().withName("MIROIR_NODE_API_KEY").withNewValueFrom().withNewSecretKeyRef()
        .withName(ClusterNames.apiKeysSecret(name)).withKey(ClusterNames.ADMIN_KEY).endSecretKeyRef().endValueFrom()
        .build());
    Map<String, String> labels = Labels.of(name, COMPONENT);
    return new JobBuilder().withMetadata(meta(model, jobName(name, target)))
        .withNewSpec()
          .withBackoffLimit(20)
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never")
              .withServiceAccountName(serviceAccountName(name))
              .addNewContainer()
                .withName("mover")
                .withImage(image)
                .withCommand("java", "-XX:+UseContainerSupport", "-cp", ROUTER_JAR, MOVER_CLASS)
                .withEnv(env)
              .endContainer()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  static String targetJson(List<TopologyNode> target) {
    try {
      return JSON.writeValueAsString(target.stream().map(n -> {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("id", n.id());
        m.put("url", n.url());
        if (n.zone() != null) {
          m.put("zone", n.zone());
        }
        return m;
      }).toList());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
