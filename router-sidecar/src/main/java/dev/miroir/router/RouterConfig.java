package dev.miroir.router;

import dev.miroir.router.http.RouteModule;
import dev.miroir.router.task.FileTaskStore;
import dev.miroir.router.task.InMemoryTaskStore;
import dev.miroir.router.task.RedisTaskStore;
import dev.miroir.router.task.TaskStore;
import dev.miroir.router.topology.TopologySource;
import dev.miroir.router.write.WriteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a router needs to start.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1} locally or {@code 0.0.0.0} in a pod
 * @param port port to bind; 0 picks a free one ({@link RouterHandle#port()} tells which)
 * @param masterKey the nodes' master key, used only for the router's own bookkeeping (the
 *     {@code _miroir_shard} setting, primary-key lookups, stats counts); clients' requests carry their
 *     own keys. Never logged.
 * @param topologySource where the topology document comes from; the router owns and closes it
 * @param taskStore where router tasks live; the router owns and closes it
 * @param maxPayloadBytes largest request body accepted (Meilisearch's default is 100 MB)
 * @param nodeTimeout how long one node call may take before it counts as failed
 * @param extraRoutes more route modules, mounted after the router's own (search: issue 4)
 * @param writes where the replica log lives and how this router takes part in sequencer election
 *     (see {@code docs/design/writes.md}); in memory when null
 */
public record RouterConfig(
    String host,
    int port,
    String masterKey,
    TopologySource topologySource,
    TaskStore taskStore,
    long maxPayloadBytes,
    Duration nodeTimeout,
    List<RouteModule> extraRoutes,
    WriteOptions writes) {

  public static final long DEFAULT_MAX_PAYLOAD_BYTES = 100_000_000L;
  public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(30);
  public static final long DEFAULT_TASK_CAPACITY = 100_000;

  public RouterConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(masterKey, "masterKey");
    Objects.requireNonNull(topologySource, "topologySource");
    taskStore = taskStore == null ? new InMemoryTaskStore(DEFAULT_TASK_CAPACITY) : taskStore;
    nodeTimeout = nodeTimeout == null ? DEFAULT_NODE_TIMEOUT : nodeTimeout;
    maxPayloadBytes = maxPayloadBytes <= 0 ? DEFAULT_MAX_PAYLOAD_BYTES : maxPayloadBytes;
    extraRoutes = extraRoutes == null ? List.of() : List.copyOf(extraRoutes);
    writes = writes == null ? WriteOptions.inMemory() : writes;
  }

  /** Without write options: the replica log in memory (tests, throwaway routers). */
  public RouterConfig(String host, int port, String masterKey, TopologySource topologySource, TaskStore taskStore,
      long maxPayloadBytes, Duration nodeTimeout, List<RouteModule> extraRoutes) {
    this(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout, extraRoutes, null);
  }

  public RouterConfig withWrites(WriteOptions options) {
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout,
        extraRoutes, options);
  }

  /** Local defaults: 127.0.0.1, in-process task store, 100 MB payloads, 30 s node timeout. */
  public static RouterConfig local(int port, String masterKey, TopologySource topologySource) {
    return new RouterConfig("127.0.0.1", port, masterKey, topologySource, null, 0, null, List.of());
  }

  public RouterConfig withExtraRoutes(List<RouteModule> modules) {
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout, modules, writes);
  }

  public RouterConfig withTaskStore(TaskStore store) {
    return new RouterConfig(host, port, masterKey, topologySource, store, maxPayloadBytes, nodeTimeout, extraRoutes, writes);
  }

  /**
   * The task store named by {@code MIROIR_TASK_STORE}: absent, empty or {@code memory} for the
   * in-process store (one router); {@code file:/path/to/dir} for the durable store of one router
   * (local mode's); {@code redis://[user:password@]host:port[/db]} (or {@code rediss://}) for the
   * Redis-backed store that several router replicas share.
   */
  public static TaskStore taskStoreFrom(String spec) {
    if (spec == null || spec.isBlank() || spec.equals("memory")) {
      return new InMemoryTaskStore(DEFAULT_TASK_CAPACITY);
    }
    if (spec.startsWith("redis://") || spec.startsWith("rediss://")) {
      return RedisTaskStore.connect(spec);
    }
    if (spec.startsWith(FILE_PREFIX) && spec.length() > FILE_PREFIX.length()) {
      return new FileTaskStore(Path.of(spec.substring(FILE_PREFIX.length())), DEFAULT_TASK_CAPACITY);
    }
    throw new IllegalArgumentException(TASK_STORE_FORMS);
  }

  static final String FILE_PREFIX = "file:";
  static final String TASK_STORE_FORMS = "MIROIR_TASK_STORE must be `memory`, `file:/dir` or a redis:// URL";

  static boolean isTaskStoreSpec(String spec) {
    return spec.equals("memory") || spec.startsWith("redis://") || spec.startsWith("rediss://")
        || (spec.startsWith(FILE_PREFIX) && spec.length() > FILE_PREFIX.length());
  }

  public RouterConfig withMaxPayloadBytes(long bytes) {
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, bytes, nodeTimeout, extraRoutes, writes);
  }

  @Override
  public String toString() {
    return "RouterConfig[host=" + host + ", port=" + port + ", masterKey=***, topology="
        + topologySource.describe() + ", maxPayloadBytes=" + maxPayloadBytes + ", nodeTimeout=" + nodeTimeout + ", writes=" + writes + "]";
  }
}
