package dev.miroir.router.search;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses, for one query, exactly one readable replica of every shard. Pure: the caller ranks the
 * replicas (recent latency, requests in flight) and says which nodes to avoid.
 *
 * <p>The rule: <b>fewest nodes first, then best preference.</b> Every request to a node costs a
 * round trip, a share of the node's CPU for the query itself, and one more list to merge, so a
 * node that already answers for some shards takes the others it holds. Greedily, the next node
 * chosen is the one that can answer for the most shards still uncovered; among those, the one with
 * the smallest sum of preference ranks over those shards (rank 0 = the caller's favourite for
 * that shard); then the smallest node id, so that equal inputs give equal plans. Greedy set cover
 * is within ln(S) of the optimum and exact for the placements rendezvous hashing produces in
 * practice (every node holds a similar number of shards). Load still spreads over replicas because
 * the caller's ranking changes with latency and in-flight counts, which moves the ties.
 *
 * <p>A replica the caller considers unacceptable (far slower, draining) should simply be left out
 * of its preference list: the planner treats every listed, non-avoided replica as acceptable.
 */
public final class CoveringSetPlanner {

  private CoveringSetPlanner() {}

  /**
   * @param shardCount the number of shards of the index
   * @param replicasByShard for each shard, its readable replicas best first; a missing entry means
   *     no readable replica
   * @param avoid nodes not to ask (failed in this request, or known down)
   */
  public static CoveringSet plan(
      int shardCount, Map<Integer, List<String>> replicasByShard, Set<String> avoid) {
    List<Integer> all = new ArrayList<>(shardCount);
    for (int shard = 0; shard < shardCount; shard++) {
      all.add(shard);
    }
    return cover(all, replicasByShard, avoid);
  }

  /**
   * Re-plans the shards a failed node was answering for over the remaining replicas, leaving the
   * requests already sent alone: the result holds only new requests (a node already asked for other
   * shards gets a second, separate request). {@code avoid} must include the failed node and every
   * node that failed before in this request.
   */
  public static CoveringSet failover(
      CoveringSet current,
      String failedNode,
      Map<Integer, List<String>> replicasByShard,
      Set<String> avoid) {
    Set<String> avoiding = new HashSet<>(avoid);
    avoiding.add(failedNode);
    return cover(current.shardsOf(failedNode), replicasByShard, avoiding);
  }

  /** Greedy set cover of {@code shards}; see the class comment for the rule. */
  static CoveringSet cover(
      Collection<Integer> shards, Map<Integer, List<String>> replicasByShard, Set<String> avoid) {
    // For each usable node: the uncovered shards it can serve, with its preference rank for each.
    Map<String, Map<Integer, Integer>> rankByShardByNode = new HashMap<>();
    Set<Integer> uncovered = new TreeSet<>();
    List<Integer> unavailable = new ArrayList<>();
    for (int shard : new TreeSet<>(shards)) {
      List<String> replicas = replicasByShard.getOrDefault(shard, List.of());
      boolean usable = false;
      int rank = 0;
      for (String node : replicas) {
        if (avoid.contains(node)) {
          continue;
        }
        rankByShardByNode.computeIfAbsent(node, n -> new HashMap<>()).putIfAbsent(shard, rank++);
        usable = true;
      }
      if (usable) {
        uncovered.add(shard);
      } else {
        unavailable.add(shard);
      }
    }

    Map<String, List<Integer>> chosen = new LinkedHashMap<>();
    while (!uncovered.isEmpty()) {
      String best = null;
      int bestCount = 0;
      long bestRankSum = 0;
      for (Map.Entry<String, Map<Integer, Integer>> candidate : rankByShardByNode.entrySet()) {
        if (chosen.containsKey(candidate.getKey())) {
          continue;
        }
        int count = 0;
        long rankSum = 0;
        for (Map.Entry<Integer, Integer> held : candidate.getValue().entrySet()) {
          if (uncovered.contains(held.getKey())) {
            count++;
            rankSum += held.getValue();
          }
        }
        if (count == 0) {
          continue;
        }
        if (best == null
            || count > bestCount
            || (count == bestCount && rankSum < bestRankSum)
            || (count == bestCount
                && rankSum == bestRankSum
                && candidate.getKey().compareTo(best) < 0)) {
          best = candidate.getKey();
          bestCount = count;
          bestRankSum = rankSum;
        }
      }
      List<Integer> answered = new ArrayList<>();
      for (int shard : rankByShardByNode.get(best).keySet()) {
        if (uncovered.contains(shard)) {
          answered.add(shard);
        }
      }
      answered.sort(null);
      uncovered.removeAll(answered);
      chosen.put(best, answered);
    }
    return new CoveringSet(chosen, unavailable);
  }
}
