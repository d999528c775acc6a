package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.TaskStoreSpec;
import dev.miroir.operator.model.ClusterModel;
import dev.miroir.operator.model.TaskStoreModel;
import dev.miroir.operator.testing.Repo;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which task store the routers share, and the Redis the operator runs for it, without an API server. */
class TaskStoreModelTest {

  private static MeiliCluster sample(String name) throws Exception {
    MeiliCluster cluster = Serialization.unmarshal(Files.readString(Repo.path("samples/" + name + ".yaml")), MeiliCluster.class);
    cluster.getMetadata().setNamespace("ns");
    cluster.getMetadata().setUid("0b9c3c7e-1111-2222-3333-444455556666");
    return cluster;
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
  }

  @Test
  void oneRouterKeepsTasksInProcessUnlessItsClusterAlreadyHadARedis() throws Exception {
    ClusterModel minimal = new ClusterModel(sample("minimal"), "router:test");
    TaskStoreModel none = new TaskStoreModel(minimal, false);
    assertThat(none.kind()).isEqualTo(TaskStoreModel.Kind.NONE);
    assertThat(env(none.wire(minimal.routerDeployment()).getSpec().getTemplate().getSpec().getContainers().get(0),
        "MIROIR_TASK_STORE")).isNull();
    // Back from two routers to one: the tasks stay where they are.
    assertThat(new TaskStoreModel(minimal, true).kind()).isEqualTo(TaskStoreModel.Kind.OWN);
  }

  @Test
  void severalRoutersShareARedisWithAppendOnlyPersistenceAndNoPasswordOnACommandLine() throws Exception {
    ClusterModel ha = new ClusterModel(sample("ha"), "router:test");
    TaskStoreModel store = new TaskStoreModel(ha, false);
    assertThat(store.kind()).isEqualTo(TaskStoreModel.Kind.OWN);

    Secret secret = store.secret("s3cret-password");
    String config = new String(Base64.getDecoder().decode(secret.getData().get("redis.conf")), StandardCharsets.UTF_8);
    assertThat(config).contains("appendonly yes", "appendfsync everysec", "dir /data", "requirepass s3cret-password");
    assertThat(new String(Base64.getDecoder().decode(secret.getData().get("url")), StandardCharsets.UTF_8))
        .isEqualTo("redis://:s3cret-password@search-task-store.ns.svc:6379");

    StatefulSet sts = store.statefulSet();
    Container redis = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(redis.getImage()).startsWith("redis:");
    assertThat(redis.getCommand()).containsExactly("redis-server", "/etc/miroir-redis/redis.conf");
    assertThat(String.join(" ", redis.getCommand()) + redis.getArgs() + redis.getReadinessProbe().getExec().getCommand())
        .doesNotContain("s3cret");
    assertThat(env(redis, "REDISCLI_AUTH").getValueFrom().getSecretKeyRef().getName()).isEqualTo("search-task-store");
    assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement()
        .satisfies(pvc -> assertThat(pvc.getSpec().getResources().getRequests()).containsKey("storage"));
    assertThat(redis.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/data");
    assertThat(sts.getSpec().getServiceName()).isEqualTo(store.service().getMetadata().getName());
    assertThat(store.service().getSpec().getSelector())
        .isEqualTo(sts.getSpec().getTemplate().getMetadata().getLabels().entrySet().stream()
            .filter(e -> store.service().getSpec().getSelector().containsKey(e.getKey()))
            .collect(java.util.stream.Collectors.toMap(e -> e.getKey(), e -> e.getValue())));

    Container router = store.wire(ha.routerDeployment()).getSpec().getTemplate().getSpec().getContainers().get(0);
    EnvVar taskStore = env(router, "MIROIR_TASK_STORE");
    assertThat(taskStore.getValue()).isNull();
    assertThat(taskStore.getValueFrom().getSecretKeyRef().getName()).isEqualTo("search-task-store");
    assertThat(taskStore.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("url");
    assertThat(env(router, "MIROIR_REPLICA_LOG").getValue()).isEqualTo("redis");
    assertThat(env(router, "MIROIR_ADVERTISE_URL").getValue()).isEqualTo("http://$(MIROIR_POD_IP):7700");
    List<String> names = router.getEnv().stream().map(EnvVar::getName).toList();
    assertThat(names.indexOf("MIROIR_POD_IP")).isLessThan(names.indexOf("MIROIR_ADVERTISE_URL"));
    // Exactly the names the router reads (a renamed variable would silently leave each router its own log).
    String routerMain = java.nio.file.Files.readString(dev.miroir.operator.testing.Repo.path(
        "router-sidecar/src/main/java/dev/miroir/router/RouterMain.java"));
    for (String variable : List.of("MIROIR_TASK_STORE", "MIROIR_REPLICA_LOG", "MIROIR_ADVERTISE_URL")) {
      assertThat(names).contains(variable);
      assertThat(routerMain).contains("first(env, \"" + variable + "\")");
    }
    // With several routers the log lives in Redis; the root is read-only either way.
    assertThat(router.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(router.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/var/lib/miroir", "/tmp");
  }

  @Test
  void anExternalStoreIsTakenFromItsSecretAndNoRedisIsRun() throws Exception {
    MeiliCluster cluster = sample("ha");
    TaskStoreSpec external = new TaskStoreSpec();
    external.setSecretName("my-redis");
    external.setKey("connection");
    cluster.getSpec().getRouter().setTaskStore(external);
    ClusterModel model = new ClusterModel(cluster, "router:test");
    TaskStoreModel store = new TaskStoreModel(model, false);
    assertThat(store.kind()).isEqualTo(TaskStoreModel.Kind.EXTERNAL);
    assertThat(store.runsOwnRedis()).isFalse();
    Container router = store.wire(model.routerDeployment()).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(router, "MIROIR_TASK_STORE").getValueFrom().getSecretKeyRef())
        .satisfies(ref -> {
          assertThat(ref.getName()).isEqualTo("my-redis");
          assertThat(ref.getKey()).isEqualTo("connection");
        });
  }
}
