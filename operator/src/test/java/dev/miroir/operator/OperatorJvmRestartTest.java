package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliNode;
import dev.miroir.operator.testing.Await;
import dev.miroir.operator.testing.LoopbackNodeUrls;
import dev.miroir.operator.testing.MockApiServer;
import dev.miroir.operator.testing.Repo;
import dev.miroir.operator.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operator process ({@link Main}) run twice in a row, each time in its own JVM, against the
 * same API server: the second one must find every child as the first left it and write nothing.
 * In one JVM this cannot fail for the reason it failed before: a {@code Map.of} iterates in an
 * order that changes only from one JVM to the next, and it was inside the applied hash.
 */
class OperatorJvmRestartTest {

  private static final String NS = "jvm-restart";
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @Test
  void aSecondOperatorJvmPatchesNoChild() throws Exception {
    try (MockApiServer api = new MockApiServer();
        TestKubelet kubelet = new TestKubelet(api.client(), NS, new LoopbackNodeUrls(), false)) {
      // Nodes stay unready: the operator then never calls a node (whose in-cluster URL this test
      // cannot serve), and keeps requeueing, which is when a spurious write would show.
      for (int i = 0; i < 3; i++) {
        kubelet.hold("demo-" + i);
      }
      kubelet.start();
      api.apply(Repo.path("samples/minimal.yaml"), NS);

      Process first = operatorJvm(api, "operator-jvm-1.log");
      try {
        Await.until("first operator JVM built the cluster", CONVERGE, () -> {
          MeiliCluster c = cluster(api);
          return c.getStatus() != null && "Provisioning".equals(c.getStatus().getPhase())
              && api.client().resources(MeiliNode.class).inNamespace(NS).list().getItems().stream()
                  .filter(n -> n.getStatus() != null).count() == 3
              && api.client().pods().inNamespace(NS).list().getItems().size() == 3;
        });
        Thread.sleep(2000);
      } finally {
        stop(first);
      }
      Map<String, String> before = versions(api);

      Process second = operatorJvm(api, "operator-jvm-2.log");
      try {
        Await.until("second operator JVM started", CONVERGE,
            () -> log("operator-jvm-2.log").contains("miroir operator started"));
        // It reconciles at startup and again every second (nothing converges while nodes are held).
        Thread.sleep(3000);
        assertThat(versions(api)).isEqualTo(before);

        // And it is really at work, watching Deployments: a deleted router comes back at once.
        api.client().apps().deployments().inNamespace(NS).withName("demo-router").delete();
        Await.until("router Deployment recreated by the second JVM", CONVERGE,
            () -> api.client().apps().deployments().inNamespace(NS).withName("demo-router").get() != null);
      } finally {
        stop(second);
      }
    }
  }

  private static Process operatorJvm(MockApiServer api, String logName) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("MIROIR_") || k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG"));
    env.putAll(Map.of(
        "KUBERNETES_MASTER", api.masterUrl(),
        "KUBERNETES_NAMESPACE", NS,
        "KUBERNETES_TRUST_CERTIFICATES", "true",
        "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
        "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false"));
    env.putAll(Map.of(
        "MIROIR_WATCH_NAMESPACES", NS,
        "MIROIR_LEADER_ELECTION", "false",
        "MIROIR_PROBE_PORT", "0",
        "MIROIR_REQUEUE_SECONDS", "1",
        "MIROIR_STATUS_SERVER_SIDE_APPLY", "false",
        "MIROIR_ROUTER_IMAGE", "example.org/miroir-router:test"));
    Path log = Path.of("target", logName);
    Files.createDirectories(log.getParent());
    return builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String log(String name) {
    try {
      return Files.readString(Path.of("target", name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MeiliCluster cluster(MockApiServer api) {
    return api.client().resources(MeiliCluster.class).inNamespace(NS).withName("demo").get();
  }

  private static Map<String, String> versions(MockApiServer api) {
    Map<String, String> versions = new TreeMap<>();
    for (HasMetadata o : api.owned(NS)) {
      versions.put(o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }
    versions.put("MeiliCluster/demo", cluster(api).getMetadata().getResourceVersion());
    assertThat(versions).hasSizeGreaterThan(15);
    return versions;
  }
}
