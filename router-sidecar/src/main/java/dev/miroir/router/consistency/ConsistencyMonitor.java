package dev.miroir.router.consistency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.http.Fleet;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.topology.RoutingSnapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies every index now and then and keeps the last result: for {@code GET /_miroir/consistency}
 * (which the operator's {@code ReplicasConsistent} condition reads) and the gauge
 * {@code miroir_replica_divergent_shards{index}}. It only reports; repair is asked for explicitly
 * ({@code POST /_miroir/indexes/{uid}/consistency}, {@code miroir repair}), because a repair of a
 * replica changed on purpose by hand would undo that change.
 *
 * <p>Runs are spaced by the interval from the end of one to the start of the next, so a slow check
 * never overlaps itself.
 */
public final class ConsistencyMonitor {

  /** Environment variable with the interval: {@code 10m}, {@code 30s}, {@code PT1H}, or {@code off}. */
  public static final String INTERVAL_VARIABLE = "MIROIR_CONSISTENCY_INTERVAL";
  /** The same as a system property, which wins (tests set it). */
  public static final String INTERVAL_PROPERTY = "miroir.consistency.interval";
  public static final String DIVERGENT_GAUGE = "miroir_replica_divergent_shards";

  private static final Logger LOG = LoggerFactory.getLogger(ConsistencyMonitor.class);

  private final Fleet fleet;
  private final ConsistencyChecker checker;
  private final MeterRegistry meters;
  private final Duration interval;
  private final Map<String, AtomicLong> divergentByIndex = new ConcurrentHashMap<>();
  private volatile ObjectNode lastRun;
  private volatile boolean stopped;

  public ConsistencyMonitor(Fleet fleet, ConsistencyChecker checker, MeterRegistry meters, Duration interval) {
    this.fleet = fleet;
    this.checker = checker;
    this.meters = meters;
    this.interval = interval;
  }

  /** The configured interval, or null when periodic checks are off (the default when unset). */
  public static Duration configuredInterval(Map<String, String> env) {
    String value = System.getProperty(INTERVAL_PROPERTY, env.get(INTERVAL_VARIABLE));
    return parseInterval(value);
  }

  /**
   * A positive whole-number setting: system property {@code miroir.<name in lower case, dots>} first,
   * then the environment variable, else {@code fallback}.
   */
  public static int intSetting(Map<String, String> env, String variable, int fallback) {
    String property = variable.toLowerCase(Locale.ROOT).replace('_', '.');
    String value = System.getProperty(property, env.get(variable));
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(variable + " must be a positive whole number, not `" + value + "`");
    }
  }

  static Duration parseInterval(String value) {
    if (value == null || value.isBlank() || value.equalsIgnoreCase("off") || value.equals("0")) {
      return null;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(INTERVAL_VARIABLE + " must be like 30s, 10m, 1h, PT10M or off, not `"
          + value + "`");
    }
  }

  public boolean enabled() {
    return interval != null;
  }

  public void start() {
    if (interval != null) {
      LOG.info("checking replica consistency every {}", interval);
      schedule();
    }
  }

  public void stop() {
    stopped = true;
  }

  private void schedule() {
    if (!stopped) {
      fleet.vertx().setTimer(Math.max(1, interval.toMillis()), id -> runOnce().onComplete(x -> schedule()));
    }
  }

  /** Verifies every index once; the result becomes {@link #report()}'s last run. */
  public Future<ObjectNode> runOnce() {
    Instant started = Instant.now();
    return indexes().compose(uids -> {
      List<IndexConsistency> results = new ArrayList<>();
      List<ObjectNode> failures = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (String uid : uids) {
        chain = chain.compose(x -> checker.verify(uid).transform(r -> {
          if (r.succeeded()) {
            record(r.result());
            results.add(r.result());
          } else {
            failures.add(JsonNodeFactory.instance.objectNode().put("indexUid", uid)
                .put("error", ConsistencyChecker.message(r.cause())));
          }
          return Future.succeededFuture();
        }));
      }
      return chain.map(x -> {
        // Indexes that are gone no longer have divergent shards.
        divergentByIndex.keySet().stream().filter(uid -> !uids.contains(uid)).forEach(uid -> divergentByIndex.get(uid).set(0));
        ObjectNode run = JsonNodeFactory.instance.objectNode();
        run.put("startedAt", started.toString());
        run.put("finishedAt", Instant.now().toString());
        long divergent = results.stream().mapToLong(IndexConsistency::divergentShards).sum();
        run.put("divergentShards", divergent);
        run.put("consistent", failures.isEmpty() && results.stream().allMatch(IndexConsistency::consistent));
        ArrayNode list = run.putArray("indexes");
        results.forEach(r -> list.add(r.summaryJson()));
        failures.forEach(list::add);
        lastRun = run;
        if (failures.isEmpty()) {
          clearRepairedFlags(results);
        }
        if (divergent > 0) {
          LOG.warn("replica consistency check: {} divergent shard(s): {}", divergent, results.stream()
              .filter(r -> r.divergentShards() > 0).map(r -> r.indexUid() + " " + r.divergentShardNumbers()).toList());
        }
        return run;
      });
    }).onFailure(e -> LOG.warn("replica consistency check failed: {}", ConsistencyChecker.message(e)));
  }

  /**
   * A node marked {@code needsRepair} (it refused a copy, or its log overflowed) is cleared once a
   * check of every index finds each shard it holds consistent: its copies are then provably equal
   * to their peers, whoever repaired them.
   */
  private void clearRepairedFlags(List<IndexConsistency> results) {
    for (String node : fleet.snapshot().nodes().keySet()) {
      if (!fleet.replicaStatus(node).needsRepair()) {
        continue;
      }
      boolean allEqual = results.stream().flatMap(r -> r.shards().stream())
          .filter(s -> s.replicas().stream().anyMatch(c -> c.nodeId().equals(node)))
          .allMatch(s -> s.verdict().status() == dev.miroir.core.digest.ReplicaJudgement.Status.CONSISTENT);
      if (allEqual) {
        LOG.info("node {} verified equal to its peers on every shard: clearing its needsRepair flag", node);
        fleet.writes().clearNeedsRepair(node);
      }
    }
  }

  /** Updates the gauge with a check, periodic or asked for. */
  public void record(IndexConsistency result) {
    divergentByIndex.computeIfAbsent(result.indexUid(), uid -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(DIVERGENT_GAUGE, value, AtomicLong::get)
          .description("Shards of an index whose replicas' digests differ, at the last consistency check")
          .tag("index", uid)
          .register(meters);
      return value;
    }).set(result.divergentShards());
  }

  /** What {@code GET /_miroir/consistency} answers. */
  public ObjectNode report() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("enabled", enabled());
    if (interval == null) {
      out.putNull("intervalSeconds");
    } else {
      out.put("intervalSeconds", interval.toSeconds());
    }
    ObjectNode run = lastRun;
    if (run == null) {
      out.putNull("lastRun");
    } else {
      out.set("lastRun", run);
    }
    return out;
  }

  /** Every index any node has (the master key lists them all). */
  private Future<List<String>> indexes() {
    RoutingSnapshot s = fleet.snapshot();
    return fleet.broadcast(s, new Fleet.NodeCall(HttpMethod.GET, "/indexes?limit=100000", null, null,
        fleet.masterAuthorization())).map(replies -> {
          TreeSet<String> uids = new TreeSet<>();
          for (NodeReply reply : replies.values()) {
            if (reply.isSuccess()) {
              for (JsonNode index : reply.json().path("results")) {
                uids.add(index.path("uid").asText());
              }
            }
          }
          return new ArrayList<>(uids);
        });
  }
}
