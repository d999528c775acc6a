package dev.miroir.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's domain metrics, per cluster (tags {@code namespace}, {@code cluster}):
 *
 * <ul>
 *   <li>{@code miroir_topology_epoch}: epoch of the published topology;
 *   <li>{@code miroir_nodes{phase}}: MeiliNodes by phase (Joining, Active, Draining) and
 *       {@code miroir_nodes_ready};
 *   <li>{@code miroir_nodes_outdated}: node pods waiting for their rolling restart;
 *   <li>{@code miroir_shard_moves{state}}: shard moves of the current rebalance not started
 *       ({@code pending}), in progress ({@code running}) and finished ({@code done}), from the mover's
 *       journal (before the mover starts, the planned moves are pending);
 *   <li>{@code miroir_node_documents{node}}: documents on each node when last asked;
 *   <li>{@code miroir_replica_divergent_shards}: shards whose replicas disagreed at the routers' last
 *       replica check (absent until a check has finished);
 *   <li>{@code miroir_reconcile_errors_total{step}}: failed reconciles by the step that failed.
 * </ul>
 *
 * Gauges read values held here, so a scrape never calls the API server or a node.
 */
public final class ClusterMetrics {

  public static final String STATE_PENDING = "pending";
  public static final String STATE_RUNNING = "running";
  public static final String STATE_DONE = "done";

  private final MeterRegistry registry;
  private final Map<Tags, AtomicLong> values = new ConcurrentHashMap<>();

  public ClusterMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void topologyEpoch(String namespace, String cluster, long epoch) {
    gauge("miroir_topology_epoch", "Epoch of the published topology", base(namespace, cluster)).set(epoch);
  }

  public void nodesByPhase(String namespace, String cluster, Map<String, Integer> byPhase) {
    for (String phase : Set.of("Joining", "Active", "Draining")) {
      gauge("miroir_nodes", "MeiliNodes by phase", base(namespace, cluster).and("phase", phase))
          .set(byPhase.getOrDefault(phase, 0));
    }
  }

  public void nodesReady(String namespace, String cluster, int ready) {
    gauge("miroir_nodes_ready", "Nodes whose pod is ready", base(namespace, cluster)).set(ready);
  }

  public void nodesOutdated(String namespace, String cluster, int outdated) {
    gauge("miroir_nodes_outdated", "Node pods waiting for their rolling restart", base(namespace, cluster))
        .set(outdated);
  }

  public void shardMoves(String namespace, String cluster, String state, long moves) {
    gauge("miroir_shard_moves", "Shard moves of the current rebalance by state (pending, running, done)",
        base(namespace, cluster).and("state", state)).set(moves);
  }

  public void nodeDocuments(String namespace, String cluster, String node, long documents) {
    gauge("miroir_node_documents", "Documents on a node when last asked",
        base(namespace, cluster).and("node", node)).set(documents);
  }

  public void divergentShards(String namespace, String cluster, long shards) {
    gauge("miroir_replica_divergent_shards", "Shards whose replicas disagreed at the routers' last check",
        base(namespace, cluster)).set(shards);
  }

  public void reconcileError(String namespace, String cluster, String step) {
    Counter.builder("miroir_reconcile_errors")
        .description("Failed reconciles by the step that failed")
        .tags(base(namespace, cluster).and("step", step))
        .register(registry)
        .increment();
  }

  /** The current value of a gauge, for tests and logs; null when never set. */
  public Long value(String name, String... tags) {
    AtomicLong value = values.get(Tags.of(tags).and("__name", name));
    return value == null ? null : value.get();
  }

  private static Tags base(String namespace, String cluster) {
    return Tags.of("namespace", namespace, "cluster", cluster);
  }

  private AtomicLong gauge(String name, String help, Tags tags) {
    return values.computeIfAbsent(tags.and("__name", name), k -> {
      AtomicLong holder = new AtomicLong(-1);
      Gauge.builder(name, holder, AtomicLong::get).description(help).tags(tags).register(registry);
      return holder;
    });
  }
}
