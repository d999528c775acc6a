package dev.miroir.router;

import dev.miroir.router.topology.ConfigMapTopologySource;
import dev.miroir.router.topology.FileTopologySource;
import dev.miroir.router.topology.TopologySource;
import dev.miroir.router.write.WriteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a router from environment variables (the container's entry point). The names are the ones
 * the operator's router Deployment sets; the older names still work for {@code miroir local} and
 * hand-written manifests.
 *
 * <ul>
 *   <li>{@code MIROIR_TOPOLOGY_FILE} — path of a topology document, reloaded on change; or
 *   <li>{@code MIROIR_TOPOLOGY_CONFIGMAP} — the ConfigMap the operator publishes, watched through the
 *       Kubernetes API (in-cluster credentials, or the {@code KUBERNETES_*} variables of the Fabric8
 *       client): {@code name} in namespace {@code MIROIR_NAMESPACE}, or {@code namespace/name};
 *   <li>{@code MIROIR_NODE_API_KEY} — the key the router uses for its own node calls (settings, primary
 *       keys, document counts). The operator gives it the cluster's admin key, never the master key;
 *       {@code MIROIR_MASTER_KEY} is accepted when no node API key is set. One of them is required.
 *   <li>{@code MIROIR_TASK_STORE} — {@code memory} (default: in process, one router),
 *       {@code file:/dir} (one router, tasks kept on disk; {@link dev.miroir.router.task.FileTaskStore})
 *       or {@code redis://host:port} (shared by several router replicas; see
 *       {@link dev.miroir.router.task.RedisTaskStore});
 *   <li>{@code MIROIR_REPLICA_LOG} — where copies that nodes have not enqueued yet are kept (see
 *       {@code docs/design/writes.md}): {@code file:/dir} (one router; default
 *       {@code file:/var/lib/miroir/replica-log}, an {@code emptyDir} in Kubernetes; {@code ?fsync=true}
 *       to survive a machine crash), {@code redis} (the task store's Redis, for several routers: they
 *       elect one write sequencer), a {@code redis://} URL, or {@code memory} (nothing survives);
 *       {@code MIROIR_ADVERTISE_URL} — how the other routers reach this one when it sequences writes
 *       (default {@code http://<host name>:<port>}); {@code MIROIR_REPLICA_LOG_MAX_COPIES} and
 *       {@code MIROIR_REPLICA_LOG_MAX_BYTES} — per-node bounds (beyond them the node needs repair);
 *   <li>{@code MIROIR_HOST} (default {@code 0.0.0.0}); {@code MIROIR_HTTP_PORT}, or {@code MIROIR_PORT}
 *       (default 7700);
 *   <li>{@code MIROIR_MAX_PAYLOAD_BYTES} (default 100000000, Meilisearch's
 *       {@code --http-payload-size-limit}), {@code MIROIR_NODE_TIMEOUT_MS} (default 30000);
 *   <li>{@code MIROIR_MAX_BODY_BYTES_IN_FLIGHT} (default 100000000): request-body bytes held at once
 *       across requests; beyond it uploads get a 503 to retry;
 *   <li>{@code MIROIR_METRICS}: {@code master} (default: {@code /metrics} on the API port, master key
 *       or the router's key only), {@code off}, or {@code port:9464} (open, on its own port, for
 *       Prometheus scraping; what the operator sets).
 * </ul>
 *
 * <p>{@code MIROIR_CLUSTER} (the cluster's name, set by the operator) is informational.
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
      config = Settings.parse(System.getenv()).toConfig();
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

  /**
   * The environment, read and checked without side effects (no client is built until {@link
   * #toConfig()}). Exactly one of {@code topologyFile} and {@code configMapName} is set.
   */
  record Settings(
      String host,
      int port,
      String nodeApiKey,
      Path topologyFile,
      String configMapNamespace,
      String configMapName,
      String taskStore,
      long maxPayloadBytes,
      Duration nodeTimeout,
      WriteOptions writes,
      long maxBodyBytesInFlight,
      RouterConfig.Metrics metrics) {

    static Settings parse(Map<String, String> env) {
      String key = first(env, "MIROIR_NODE_API_KEY", "MIROIR_MASTER_KEY");
      if (key == null) {
        throw new IllegalArgumentException("MIROIR_NODE_API_KEY (or MIROIR_MASTER_KEY) is required");
      }
      String file = first(env, "MIROIR_TOPOLOGY_FILE");
      String configMap = first(env, "MIROIR_TOPOLOGY_CONFIGMAP");
      if (file != null && configMap != null) {
        throw new IllegalArgumentException("set MIROIR_TOPOLOGY_FILE or MIROIR_TOPOLOGY_CONFIGMAP, not both");
      }
      String namespace = null;
      String name = null;
      if (configMap != null) {
        String ownNamespace = first(env, "MIROIR_NAMESPACE");
        int slash = configMap.indexOf('/');
        namespace = slash < 0 ? ownNamespace : configMap.substring(0, slash);
        name = slash < 0 ? configMap : configMap.substring(slash + 1);
        if (namespace == null || namespace.isEmpty() || name.isEmpty() || name.contains("/")) {
          throw new IllegalArgumentException(
              "MIROIR_TOPOLOGY_CONFIGMAP must be `name` (with MIROIR_NAMESPACE) or `namespace/name`");
        }
        if (slash >= 0 && ownNamespace != null && !ownNamespace.equals(namespace)) {
          throw new IllegalArgumentException("MIROIR_TOPOLOGY_CONFIGMAP names namespace `" + namespace
              + "` but MIROIR_NAMESPACE is `" + ownNamespace + "`");
        }
      } else if (file == null) {
        throw new IllegalArgumentException("set MIROIR_TOPOLOGY_FILE=path or MIROIR_TOPOLOGY_CONFIGMAP=name "
            + "(with MIROIR_NAMESPACE) or namespace/name");
      }
      String taskStore = first(env, "MIROIR_TASK_STORE");
      if (taskStore != null && !RouterConfig.isTaskStoreSpec(taskStore)) {
        throw new IllegalArgumentException(RouterConfig.TASK_STORE_FORMS);
      }
      String portVariable = firstSet(env, "MIROIR_HTTP_PORT", "MIROIR_PORT");
      String maxPayload = first(env, "MIROIR_MAX_PAYLOAD_BYTES");
      String timeout = first(env, "MIROIR_NODE_TIMEOUT_MS");
      int port = portVariable == null ? 7700 : (int) number(portVariable, env.get(portVariable).trim(), 0, 65535);
      String replicaLog = first(env, "MIROIR_REPLICA_LOG");
      if (replicaLog == null) {
        replicaLog = DEFAULT_REPLICA_LOG;
      } else if (replicaLog.equals("redis")) {
        if (taskStore == null || !(taskStore.startsWith("redis://") || taskStore.startsWith("rediss://"))) {
          throw new IllegalArgumentException("MIROIR_REPLICA_LOG=redis needs MIROIR_TASK_STORE to be a redis:// URL");
        }
        replicaLog = taskStore;
      }
      String advertise = first(env, "MIROIR_ADVERTISE_URL");
      if (advertise == null) {
        advertise = "http://" + hostName() + ":" + port;
      }
      String maxCopies = first(env, "MIROIR_REPLICA_LOG_MAX_COPIES");
      String maxBytes = first(env, "MIROIR_REPLICA_LOG_MAX_BYTES");
      WriteOptions writes = new WriteOptions(replicaLog,
          maxCopies == null ? 0 : number("MIROIR_REPLICA_LOG_MAX_COPIES", maxCopies, 1, Long.MAX_VALUE),
          maxBytes == null ? 0 : number("MIROIR_REPLICA_LOG_MAX_BYTES", maxBytes, 1, Long.MAX_VALUE), advertise);
      String inFlight = first(env, "MIROIR_MAX_BODY_BYTES_IN_FLIGHT");
      RouterConfig.Metrics metrics = RouterConfig.Metrics.parse(first(env, "MIROIR_METRICS"));
      return new Settings(
          env.getOrDefault("MIROIR_HOST", "0.0.0.0"),
          port,
          key,
          file == null ? null : Path.of(file),
          namespace,
          name,
          taskStore,
          maxPayload == null ? RouterConfig.DEFAULT_MAX_PAYLOAD_BYTES
              : number("MIROIR_MAX_PAYLOAD_BYTES", maxPayload, 1, Long.MAX_VALUE),
          Duration.ofMillis(timeout == null ? 30_000 : number("MIROIR_NODE_TIMEOUT_MS", timeout, 1, Long.MAX_VALUE)),
          writes,
          inFlight == null ? RouterConfig.DEFAULT_MAX_BODY_BYTES_IN_FLIGHT
              : number("MIROIR_MAX_BODY_BYTES_IN_FLIGHT", inFlight, 1, Long.MAX_VALUE),
          metrics);
    }

    static final String DEFAULT_REPLICA_LOG = "file:/var/lib/miroir/replica-log";

    /**
     * The default log directory must be a volume (an {@code emptyDir}); a container without one gets
     * a temporary directory and a warning, rather than a router that does not start.
     */
    private static WriteOptions usable(WriteOptions writes) {
      if (!writes.replicaLog().equals(DEFAULT_REPLICA_LOG)) {
        return writes;
      }
      Path dir = Path.of(DEFAULT_REPLICA_LOG.substring("file:".length()));
      String problem;
      try {
        java.nio.file.Files.createDirectories(dir);
        if (!java.nio.file.Files.isWritable(dir)) {
          problem = "it is not writable";
        } else if (WriteOptions.fileLogInUse(dir)) {
          problem = "another router on this machine uses it";
        } else {
          return writes;
        }
      } catch (java.io.IOException | SecurityException e) {
        problem = e.toString();
      }
      Path fallback;
      try {
        fallback = java.nio.file.Files.createTempDirectory("miroir-replica-log-");
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("no directory for the replica log: set MIROIR_REPLICA_LOG", e);
      }
      org.slf4j.LoggerFactory.getLogger(RouterMain.class).warn("cannot keep the replica log in {} ({}): using {},"
          + " which a restarted router will not find; mount a volume there or set MIROIR_REPLICA_LOG", dir, problem,
          fallback);
      return new WriteOptions("file:" + fallback, writes.maxCopies(), writes.maxBytes(), writes.advertiseUrl());
    }

    RouterConfig toConfig() {
      TopologySource source = topologyFile != null
          ? new FileTopologySource(topologyFile)
          : ConfigMapTopologySource.inCluster(configMapNamespace, configMapName);
      return new RouterConfig(host, port, nodeApiKey, source, RouterConfig.taskStoreFrom(taskStore),
          maxPayloadBytes, nodeTimeout, List.of(), usable(writes), maxBodyBytesInFlight, metrics);
    }

    @Override
    public String toString() {
      return "Settings[host=" + host + ", port=" + port + ", nodeApiKey=***, topology="
          + (topologyFile != null ? "file:" + topologyFile : "configmap:" + configMapNamespace + "/" + configMapName)
          + ", taskStore=" + (taskStore == null ? "memory" : taskStore.replaceAll("//[^@/]*@", "//***@"))
          + ", maxPayloadBytes=" + maxPayloadBytes + ", nodeTimeout=" + nodeTimeout + ", writes=" + writes
          + ", maxBodyBytesInFlight=" + maxBodyBytesInFlight + ", metrics=" + metrics + "]";
    }

    private static String hostName() {
      try {
        return java.net.InetAddress.getLocalHost().getHostAddress();
      } catch (java.io.IOException e) {
        return "127.0.0.1";
      }
    }

    /** The value of the first of these variables that is set and not blank. */
    private static String first(Map<String, String> env, String... names) {
      String name = firstSet(env, names);
      return name == null ? null : env.get(name).trim();
    }

    /** The name of the first of these variables that is set and not blank. */
    private static String firstSet(Map<String, String> env, String... names) {
      for (String name : names) {
        String value = env.get(name);
        if (value != null && !value.isBlank()) {
          return name;
        }
      }
      return null;
    }

    private static long number(String variable, String value, long min, long max) {
      try {
        long n = Long.parseLong(value);
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(variable + " must be a number in [" + min + ", " + max + "], got `"
          + value + "`");
    }
  }
}
