package dev.miroir.router.http;

import dev.miroir.router.search.ReplicaPreference;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What the router measures of each node while searching: an exponentially weighted moving average
 * of answer latency, requests in flight, and when it last failed. {@link ReplicaPreference} turns
 * these into an order; this class only keeps the numbers.
 *
 * <p>A failure counts as a slow answer (the node timeout), so a failing node sinks in the order
 * and climbs back as it answers again. For a short cool-down after a failure the node is also
 * avoided altogether when other replicas can serve, so that a dead node does not cost every
 * request a connection attempt and a failover.
 */
public final class ReplicaLoad {

  /** Weight of the newest sample: about the last ten requests matter. */
  static final double ALPHA = 0.2;
  static final long COOL_DOWN_NANOS = 5_000_000_000L;

  private static final class NodeLoad {
    double latencyMillis;
    boolean measured;
    int inFlight;
    long failedAtNanos = Long.MIN_VALUE;
  }

  private final Map<String, NodeLoad> loads = new ConcurrentHashMap<>();
  private final double failurePenaltyMillis;
  private final LongSupplier clock;

  public ReplicaLoad(double failurePenaltyMillis) {
    this(failurePenaltyMillis, System::nanoTime);
  }

  ReplicaLoad(double failurePenaltyMillis, LongSupplier clock) {
    this.failurePenaltyMillis = failurePenaltyMillis;
    this.clock = clock;
  }

  /** Call when a request leaves for a node; returns the start time to pass to {@link #finished}. */
  public long started(String node) {
    NodeLoad load = loads.computeIfAbsent(node, n -> new NodeLoad());
    synchronized (load) {
      load.inFlight++;
    }
    return clock.getAsLong();
  }

  /** Call when the node answered ({@code failed}: unreachable, timed out, or 5xx). */
  public void finished(String node, long startedNanos, boolean failed) {
    NodeLoad load = loads.computeIfAbsent(node, n -> new NodeLoad());
    long now = clock.getAsLong();
    double sample = failed ? failurePenaltyMillis : (now - startedNanos) / 1e6;
    synchronized (load) {
      load.inFlight = Math.max(0, load.inFlight - 1);
      load.latencyMillis = load.measured ? load.latencyMillis + ALPHA * (sample - load.latencyMillis) : sample;
      load.measured = true;
      if (failed) {
        load.failedAtNanos = now;
      }
    }
  }

  /** A copy of the current numbers, for one plan. */
  public Map<String, ReplicaPreference.Load> snapshot() {
    Map<String, ReplicaPreference.Load> out = new HashMap<>();
    loads.forEach((node, load) -> {
      synchronized (load) {
        out.put(node, new ReplicaPreference.Load(load.latencyMillis, load.inFlight));
      }
    });
    return out;
  }

  /** Nodes that failed within the cool-down. */
  public Set<String> coolingDown() {
    long now = clock.getAsLong();
    Set<String> out = new TreeSet<>();
    loads.forEach((node, load) -> {
      synchronized (load) {
        if (load.failedAtNanos != Long.MIN_VALUE && now - load.failedAtNanos < COOL_DOWN_NANOS) {
          out.add(node);
        }
      }
    });
    return out;
  }
}
