package dev.miroir.router.http;

import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.CoveringSet;
import dev.miroir.router.search.CoveringSetPlanner;
import dev.miroir.router.search.ReplicaPreference;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Sends one read to exactly one readable replica of every shard, and fails over within the same
 * request: the shards of a node that errors (unreachable, timed out, 5xx) are re-planned over the
 * remaining replicas by {@link CoveringSetPlanner#failover}, until they are answered or no replica
 * is left. A 4xx is an answer: the request is wrong on every node alike.
 *
 * <p>Answers come back in covering-set order, failover answers last, which is the order the
 * mergers expect.
 */
final class ShardScatter {

  /** Header naming the shards no replica answered for in a partial result. */
  static final String MISSING_SHARDS_HEADER = "X-Miroir-Missing-Shards";
  /** Request header by which a client refuses partial results: {@code X-Miroir-Strict: true}. */
  static final String STRICT_HEADER = "X-Miroir-Strict";

  /** One node's answer for some shards, with the request that produced it. */
  record Answer<R>(String node, List<Integer> shards, R request, NodeReply reply) {}

  /**
   * @param answers successful answers, covering-set order then failovers
   * @param missing shards no replica answered for, ascending
   * @param refusal the first 4xx a node gave, or null
   */
  record Outcome<R>(List<Answer<R>> answers, List<Integer> missing, NodeReply refusal) {

    /** Shard number to header value, e.g. {@code 3,17}. */
    Map<String, String> missingHeader() {
      return missing.isEmpty() ? Map.of()
          : Map.of(MISSING_SHARDS_HEADER, missing.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }
  }

  private final Fleet fleet;
  private final ReplicaLoad load;

  ShardScatter(Fleet fleet, ReplicaLoad load) {
    this.fleet = fleet;
    this.load = load;
  }

  /**
   * @param only the shards to read, or null for every shard
   * @param perShard one request per shard instead of one per node (document listings count and
   *     page shard by shard)
   * @param requestFor the request for a node answering for some shards
   * @param callOf the HTTP call of a request
   */
  <R> Future<Outcome<R>> scatter(
      RoutingSnapshot s,
      Set<Integer> only,
      boolean perShard,
      BiFunction<String, List<Integer>, R> requestFor,
      Function<R, NodeCall> callOf) {
    return scatter(s, only, perShard, requestFor, callOf, null);
  }

  /**
   * @param affinity when non-null ({@link ReplicaPreference#affinity}), replicas are chosen by it
   *     rather than by load, so the same query is answered by the same replicas
   */
  <R> Future<Outcome<R>> scatter(
      RoutingSnapshot s,
      Set<Integer> only,
      boolean perShard,
      BiFunction<String, List<Integer>, R> requestFor,
      Function<R, NodeCall> callOf,
      Long affinity) {
    Set<String> coolingDown = load.coolingDown();
    // A replica that misses acknowledged writes (late or needing repair) would answer with stale
    // documents: read its shards from a current peer when one exists.
    Set<String> stale = fleet.behindNodes(s);
    Planned planned;
    if (affinity != null) {
      planned = plan(s, replicasByShard(s, load.snapshot(), affinity), coolingDown, stale);
    } else {
      Map<String, ReplicaPreference.Load> loads = load.snapshot();
      PlanKey key = new PlanKey(ReplicaPreference.orderKey(new ArrayList<>(s.nodes().keySet()), loads),
          coolingDown, stale);
      PlanCache cache = plans;
      if (cache == null || cache.snapshot != s) {
        cache = new PlanCache(s);
        plans = cache;
      }
      planned = cache.plans.get(key);
      if (planned == null) {
        planned = plan(s, replicasByShard(s, loads, null), coolingDown, stale);
        if (cache.plans.size() >= PLANS_KEPT) {
          cache.plans.clear();
        }
        cache.plans.put(key, planned);
      }
    }
    Map<Integer, List<String>> replicas = planned.replicas();
    CoveringSet plan = planned.plan();
    Map<String, List<Integer>> first = restrict(plan.shardsByNode(), only);
    List<Integer> unavailable = new ArrayList<>(plan.unavailable());
    if (only != null) {
      unavailable.retainAll(only);
    }
    List<Answer<R>> answers = new ArrayList<>();
    return round(s, first, perShard, requestFor, callOf, replicas, new HashSet<>(), answers, unavailable, null);
  }

  private <R> Future<Outcome<R>> round(
      RoutingSnapshot s,
      Map<String, List<Integer>> shardsByNode,
      boolean perShard,
      BiFunction<String, List<Integer>, R> requestFor,
      Function<R, NodeCall> callOf,
      Map<Integer, List<String>> replicas,
      Set<String> failed,
      List<Answer<R>> answers,
      List<Integer> unavailable,
      NodeReply refusal) {
    List<String> nodes = new ArrayList<>();
    List<List<Integer>> shardLists = new ArrayList<>();
    shardsByNode.forEach((node, shards) -> {
      if (perShard) {
        shards.forEach(shard -> {
          nodes.add(node);
          shardLists.add(List.of(shard));
        });
      } else {
        nodes.add(node);
        shardLists.add(shards);
      }
    });
    List<R> requests = new ArrayList<>();
    List<Future<NodeReply>> sent = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      R request = requestFor.apply(nodes.get(i), shardLists.get(i));
      requests.add(request);
      sent.add(timed(s, nodes.get(i), callOf.apply(request)));
    }
    return Future.join(sent).transform(ignored -> {
      NodeReply firstRefusal = refusal;
      Map<String, List<Integer>> failedShards = new TreeMap<>();
      for (int i = 0; i < nodes.size(); i++) {
        NodeReply reply = sent.get(i).result();
        if (isFailure(reply)) {
          failed.add(nodes.get(i));
          failedShards.computeIfAbsent(nodes.get(i), n -> new ArrayList<>()).addAll(shardLists.get(i));
        } else if (reply.isClientError()) {
          firstRefusal = firstRefusal == null ? reply : firstRefusal;
        } else {
          answers.add(new Answer<>(nodes.get(i), shardLists.get(i), requests.get(i), reply));
        }
      }
      if (failedShards.isEmpty() || firstRefusal != null) {
        List<Integer> missing = new ArrayList<>(new TreeSet<>(unavailable));
        if (firstRefusal == null) {
          failedShards.values().forEach(missing::addAll);
        }
        return Future.succeededFuture(new Outcome<>(List.copyOf(answers), List.copyOf(new TreeSet<>(missing)), firstRefusal));
      }
      Map<String, List<Integer>> next = new LinkedHashMap<>();
      failedShards.forEach((node, shards) -> {
        CoveringSet fo = CoveringSetPlanner.failover(
            new CoveringSet(Map.of(node, new ArrayList<>(new TreeSet<>(shards))), List.of()), node, replicas, failed);
        fo.shardsByNode().forEach((n, sh) -> next.computeIfAbsent(n, k -> new ArrayList<>()).addAll(sh));
        unavailable.addAll(fo.unavailable());
      });
      next.values().forEach(list -> list.sort(null));
      return round(s, next, perShard, requestFor, callOf, replicas, failed, answers, unavailable, null);
    });
  }

  private Future<NodeReply> timed(RoutingSnapshot s, String node, NodeCall call) {
    long started = load.started(node);
    return fleet.send(s, node, call).map(reply -> {
      load.finished(node, started, isFailure(reply));
      return reply;
    });
  }

  static boolean isFailure(NodeReply reply) {
    return reply.status() == 0 || reply.status() >= 500;
  }

  /**
   * The covering set of one topology, replica order and set of nodes to avoid. A search used to
   * plan it afresh (a sorted replica list per shard, then the greedy cover); it changes only when
   * one of those does, so it is kept per topology snapshot, keyed by the order of the nodes' loads
   * ({@link ReplicaPreference#orderKey}) and the nodes avoided. Read-only once made.
   */
  private record Planned(Map<Integer, List<String>> replicas, CoveringSet plan) {}

  private record PlanKey(String loadOrder, Set<String> coolingDown, Set<String> stale) {}

  /** The plans of one snapshot; replaced when the topology changes. */
  private static final class PlanCache {
    final RoutingSnapshot snapshot;
    final Map<PlanKey, Planned> plans = new java.util.concurrent.ConcurrentHashMap<>();

    PlanCache(RoutingSnapshot snapshot) {
      this.snapshot = snapshot;
    }
  }

  /** Bound on the plans kept: one per order of the nodes' loads seen lately (3 nodes: 13 orders). */
  private static final int PLANS_KEPT = 64;

  private volatile PlanCache plans;

  private static Planned plan(RoutingSnapshot s, Map<Integer, List<String>> replicas, Set<String> coolingDown,
      Set<String> stale) {
    Set<String> avoid = new HashSet<>(coolingDown);
    avoid.addAll(stale);
    CoveringSet plan = CoveringSetPlanner.plan(s.shards(), replicas, avoid);
    if (!plan.complete() && !stale.isEmpty()) {
      plan = CoveringSetPlanner.plan(s.shards(), replicas, coolingDown);
    }
    if (!plan.complete() && !coolingDown.isEmpty()) {
      // A node that failed a moment ago is still better than no answer for its shards.
      plan = CoveringSetPlanner.plan(s.shards(), replicas, Set.of());
    }
    return new Planned(Map.copyOf(replicas), plan); // a CoveringSet is immutable
  }

  /** Readable owners of every shard, best first by recent load. */
  private static Map<Integer, List<String>> replicasByShard(RoutingSnapshot s, Map<String, ReplicaPreference.Load> loads,
      Long affinity) {
    Map<Integer, List<String>> out = new HashMap<>();
    for (int shard = 0; shard < s.shards(); shard++) {
      List<String> readable = new ArrayList<>();
      for (String owner : s.readOwners(shard)) {
        TopologyNode node = s.nodes().get(owner);
        if (node != null && node.state().isReadable()) {
          readable.add(owner);
        }
      }
      out.put(shard, List.copyOf(affinity == null ? ReplicaPreference.order(readable, loads)
          : ReplicaPreference.sticky(readable, affinity, shard)));
    }
    return out;
  }

  private static Map<String, List<Integer>> restrict(Map<String, List<Integer>> shardsByNode, Set<Integer> only) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    shardsByNode.forEach((node, shards) -> {
      List<Integer> kept = only == null ? shards : shards.stream().filter(only::contains).toList();
      if (!kept.isEmpty()) {
        out.put(node, kept);
      }
    });
    return out;
  }

  /**
   * What to do with shards nobody answered for: nothing when complete; a 503 when the client is
   * strict or when no shard at all answered (an empty result would look like a real one); else the
   * partial result goes out with {@link #MISSING_SHARDS_HEADER}.
   */
  static void requireAnswerable(Outcome<?> outcome, boolean strict) {
    if (outcome.missing().isEmpty()) {
      return;
    }
    if (strict || outcome.answers().isEmpty()) {
      String shards = outcome.missing().stream().map(String::valueOf).collect(Collectors.joining(", "));
      throw new dev.miroir.router.ApiException(new MeiliError(503,
          "No replica of shard(s) " + shards + " could answer; "
              + (strict ? "a strict request (`" + STRICT_HEADER + ": true`) refuses partial results."
                  : "no shard answered at all."),
          "miroir_shards_unavailable", "system"), outcome.missingHeader());
    }
  }
}
