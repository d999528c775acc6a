package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.reconcile.OperatorSettings;
import dev.miroir.operator.testing.Await;
import dev.miroir.operator.testing.FakeNodeAdmin;
import dev.miroir.operator.testing.LoopbackNodeUrls;
import dev.miroir.operator.testing.MockApiServer;
import dev.miroir.operator.testing.Repo;
import dev.miroir.operator.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against the mock API server: a cluster with two routers gets a Redis StatefulSet and Service for its
 * shared task store, and every router is pointed at it through a Secret; one router gets none.
 */
class TaskStoreMockServerTest {

  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static MockApiServer api;
  private static final LoopbackNodeUrls URLS = new LoopbackNodeUrls();

  @BeforeAll
  static void startOperator() {
    api = new MockApiServer();
    api.startOperator(new OperatorSettings("example.org/miroir-router:test", Duration.ofMillis(500), Set.of(), URLS,
        new FakeNodeAdmin()));
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void twoRoutersShareTheRedisTheOperatorRuns() {
    String ns = "shared-tasks";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false).start()) {
      MeiliCluster cluster = api.apply(Repo.path("samples/ha.yaml"), ns);
      String store = ClusterNames.taskStore("search");
      StatefulSet sts = Await.until("task store StatefulSet", CONVERGE,
          () -> api.client().apps().statefulSets().inNamespace(ns).withName(store).get());
      assertThat(sts.getSpec().getVolumeClaimTemplates()).hasSize(1);
      assertThat(sts.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(cluster.getMetadata().getUid()));
      assertThat(api.client().services().inNamespace(ns).withName(store).get().getSpec().getPorts().get(0).getPort())
          .isEqualTo(6379);
      Secret secret = api.client().secrets().inNamespace(ns).withName(store).get();
      assertThat(secret.getData()).containsKeys("url", "password", "redis.conf");

      Deployment router = Await.until("routers pointed at the store", CONVERGE, () -> {
        Deployment d = api.client().apps().deployments().inNamespace(ns).withName(ClusterNames.router("search")).get();
        return d != null && env(d.getSpec().getTemplate().getSpec().getContainers().get(0), "MIROIR_TASK_STORE") != null
            ? d : null;
      });
      assertThat(router.getSpec().getReplicas()).isEqualTo(2);
      Container container = router.getSpec().getTemplate().getSpec().getContainers().get(0);
      EnvVar taskStore = env(container, "MIROIR_TASK_STORE");
      assertThat(taskStore.getValue()).isNull();
      assertThat(taskStore.getValueFrom().getSecretKeyRef().getName()).isEqualTo(store);
      assertThat(env(container, "MIROIR_REPLICA_LOG").getValue()).isEqualTo("redis");

      // The password generated once is kept across reconciles (a new one would lock the routers out).
      String password = secret.getData().get("password");
      String version = secret.getMetadata().getResourceVersion();
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Secret later = api.client().secrets().inNamespace(ns).withName(store).get();
      assertThat(later.getData().get("password")).isEqualTo(password);
      assertThat(later.getMetadata().getResourceVersion()).isEqualTo(version);
    }
  }

  @Test
  void oneRouterRunsNoRedis() {
    String ns = "single-router";
    try (TestKubelet kubelet = new TestKubelet(api.client(), ns, URLS, false).start()) {
      api.apply(Repo.path("samples/minimal.yaml"), ns);
      Deployment router = Await.until("router", CONVERGE,
          () -> api.client().apps().deployments().inNamespace(ns).withName(ClusterNames.router("demo")).get());
      assertThat(env(router.getSpec().getTemplate().getSpec().getContainers().get(0), "MIROIR_TASK_STORE")).isNull();
      assertThat(api.client().apps().statefulSets().inNamespace(ns).withName(ClusterNames.taskStore("demo")).get())
          .isNull();
    }
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv() == null ? null : c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElse(null);
  }
}
