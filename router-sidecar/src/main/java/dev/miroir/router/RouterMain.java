package dev.miroir.router;

import dev.miroir.router.topology.ConfigMapTopologySource;
import dev.miroir.router.topology.FileTopologySource;
import dev.miroir.router.topology.TopologySource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a router from environment variables (the container's entry point):
 *
 * <ul>
 *   <li>{@code MIROIR_TOPOLOGY_FILE} — path of a topology document, reloaded on change; or
 *   <li>{@code MIROIR_TOPOLOGY_CONFIGMAP} — {@code namespace/name} of the ConfigMap the operator
 *       publishes, watched through the Kubernetes API (in-cluster credentials or kubeconfig);
 *   <li>{@code MIROIR_MASTER_KEY} — the nodes' master key (required);
 *   <li>{@code MIROIR_TASK_STORE} — {@code memory} (default: in process, one router) or
 *       {@code redis://host:port} (shared by several router replicas; see
 *       {@link dev.miroir.router.task.RedisTaskStore});
 *   <li>{@code MIROIR_HOST} (default {@code 0.0.0.0}), {@code MIROIR_PORT} (default 7700);
 *   <li>{@code MIROIR_MAX_PAYLOAD_BYTES} (default 100000000), {@code MIROIR_NODE_TIMEOUT_MS}
 *       (default 30000).
 * </ul>
 */
public final class RouterMain {

  private RouterMain() {}

  public static void main(String[] args) throws InterruptedException {
    // Our logging defaults under a private name, so the router's jar never overrides the logging of
    // a program that embeds it (the CLI); set before the first logger exists.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "miroir-router-logback.xml");
    }
    RouterConfig config;
    try {
      config = configFrom(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    RouterHandle router = RouterServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      router.close();
      stopped.countDown();
    }, "miroir-router-shutdown"));
    stopped.await();
  }

  static RouterConfig configFrom(Map<String, String> env) {
    String masterKey = env.get("MIROIR_MASTER_KEY");
    if (masterKey == null || masterKey.isEmpty()) {
      throw new IllegalArgumentException("MIROIR_MASTER_KEY is required");
    }
    String file = env.get("MIROIR_TOPOLOGY_FILE");
    String configMap = env.get("MIROIR_TOPOLOGY_CONFIGMAP");
    TopologySource source;
    if (file != null && !file.isBlank()) {
      source = new FileTopologySource(Path.of(file));
    } else if (configMap != null && configMap.contains("/")) {
      String[] parts = configMap.split("/", 2);
      source = ConfigMapTopologySource.inCluster(parts[0], parts[1]);
    } else {
      throw new IllegalArgumentException(
          "set MIROIR_TOPOLOGY_FILE=path or MIROIR_TOPOLOGY_CONFIGMAP=namespace/name");
    }
    String taskStore = env.get("MIROIR_TASK_STORE");
    if (taskStore != null && !taskStore.isBlank() && !taskStore.equals("memory")
        && !taskStore.startsWith("redis://") && !taskStore.startsWith("rediss://")) {
      throw new IllegalArgumentException("MIROIR_TASK_STORE must be `memory` or a redis:// URL");
    }
    return new RouterConfig(
        env.getOrDefault("MIROIR_HOST", "0.0.0.0"),
        Integer.parseInt(env.getOrDefault("MIROIR_PORT", "7700")),
        masterKey,
        source,
        RouterConfig.taskStoreFrom(taskStore),
        Long.parseLong(env.getOrDefault("MIROIR_MAX_PAYLOAD_BYTES", Long.toString(RouterConfig.DEFAULT_MAX_PAYLOAD_BYTES))),
        Duration.ofMillis(Long.parseLong(env.getOrDefault("MIROIR_NODE_TIMEOUT_MS", "30000"))),
        List.of());
  }
}
