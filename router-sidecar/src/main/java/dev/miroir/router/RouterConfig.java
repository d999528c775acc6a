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
 * @param maxBodyBytesInFlight request-body bytes the router holds at once across requests (see
 *     {@link dev.miroir.router.admission.DocumentBytesBudget}); beyond it an upload is refused with a 503
 * @param metrics where {@code /metrics} is served: {@link Metrics#master()} (on the API port, master
 *     key or the router's key only), {@link Metrics#off()}, or {@link Metrics#port(int)} (open, on a
 *     separate port, for Prometheus scraping inside the cluster)
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
    WriteOptions writes,
    long maxBodyBytesInFlight,
    Metrics metrics) {

  /** Where the router's Prometheus metrics are served. */
  public record Metrics(String mode, int port) {
    public static Metrics master() {
      return new Metrics("master", 0);
    }

    public static Metrics off() {
      return new Metrics("off", 0);
    }

    /** Open, without credential, on its own port (0 picks a free one). */
    public static Metrics port(int port) {
      return new Metrics("port", port);
    }

    /** {@code master}, {@code off} or {@code port:N}, as {@code MIROIR_METRICS} takes it. */
    public static Metrics parse(String spec) {
      if (spec == null || spec.isBlank() || spec.equals("master")) {
        return master();
      }
      if (spec.equals("off")) {
        return off();
      }
      if (spec.startsWith("port:")) {
        try {
          int port = Integer.parseInt(spec.substring(5).trim());
          if (port >= 0 && port <= 65535) {
            return port(port);
          }
        } catch (NumberFormatException e) {
          // below
        }
      }
      throw new IllegalArgumentException("MIROIR_METRICS must be `master`, `off` or `port:N`, got `" + spec + "`");
    }
  }

  /**
   * One maximal upload at a time: a 95 MB JSON batch costs about 1.5 GB of heap while it is parsed and
   * split (measured, docs/benchmarks/upload-pressure.md), so two at once do not fit the 2 GiB heap local
   * mode runs with; the next upload gets a 503 with Retry-After instead of an out-of-memory. See {@link dev.miroir.router.admission.DocumentBytesBudget}. */
  public static final long DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 100_000_000L;

  public RouterConfig(String host, int port, String masterKey, TopologySource topologySource, TaskStore taskStore,
      long maxPayloadBytes, Duration nodeTimeout, List<RouteModule> extraRoutes) {
    this(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout, extraRoutes, null, 0, null);
  }

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
    maxBodyBytesInFlight = maxBodyBytesInFlight <= 0 ? DEFAULT_MAX_BODY_BYTES_IN_FLIGHT : maxBodyBytesInFlight;
    metrics = metrics == null ? Metrics.master() : metrics;
  }

  /** Without the admission options: defaults (see {@link #DEFAULT_MAX_BODY_BYTES_IN_FLIGHT}). */
  public RouterConfig(String host, int port, String masterKey, TopologySource topologySource, TaskStore taskStore,
      long maxPayloadBytes, Duration nodeTimeout, List<RouteModule> extraRoutes, WriteOptions writes) {
    this(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout, extraRoutes, writes, 0, null);
  }

  public RouterConfig withWrites(WriteOptions options) {
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout,
        extraRoutes, options, maxBodyBytesInFlight, metrics);
  }

  /** Local defaults: 127.0.0.1, in-process task store, 100 MB payloads, 30 s node timeout. */
  public static RouterConfig local(int port, String masterKey, TopologySource topologySource) {
    return new RouterConfig("127.0.0.1", port, masterKey, topologySource, null, 0, null, List.of());
  }

  public RouterConfig withExtraRoutes(List<RouteModule> modules) {
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout, modules,
        writes, maxBodyBytesInFlight, metrics);
  }

  public RouterConfig withTaskStore(TaskStore store) {
    return new RouterConfig(host, port, masterKey, topologySource, store, maxPayloadBytes, nodeTimeout, extraRoutes,
        writes, maxBodyBytesInFlight, metrics);
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
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, bytes, nodeTimeout, extraRoutes,
        writes, maxBodyBytesInFlight, metrics);
  }

  public RouterConfig withMaxBodyBytesInFlight(long bytes) {
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout, extraRoutes,
        writes, bytes, metrics);
  }

  public RouterConfig withMetrics(Metrics where) {
    return new RouterConfig(host, port, masterKey, topologySource, taskStore, maxPayloadBytes, nodeTimeout, extraRoutes,
        writes, maxBodyBytesInFlight, where);
  }

  @Override
  public String toString() {
    return "RouterConfig[host=" + host + ", port=" + port + ", masterKey=***, topology="
        + topologySource.describe() + ", maxPayloadBytes=" + maxPayloadBytes + ", nodeTimeout=" + nodeTimeout
        + ", writes=" + writes + ", maxBodyBytesInFlight=" + maxBodyBytesInFlight + ", metrics=" + metrics + "]";
  }
}
