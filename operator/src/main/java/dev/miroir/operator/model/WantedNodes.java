package dev.miroir.operator.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which nodes the cluster should have: {@code spec.replicas} of them, keeping the nodes that exist
 * (lowest ordinals first) except those marked for removal ({@link Labels#REMOVE_NODE}), and adding
 * new ordinals where that leaves too few. So on a scale-down the highest ordinal leaves unless nodes
 * are marked, a marked node leaves in their place, and a marked node with no scale-down is replaced
 * by a new one. A leaving node's shards move and verify before it is deleted (the rebalance).
 *
 * <p>With zones listed, a new node takes the lowest free ordinal of the zone that has the fewest
 * nodes (a node's zone is fixed by its ordinal), so replacing a marked node keeps the spread.
 *
 * <p>Refused, with the rule named, when the nodes that would remain cannot hold
 * {@code replicationFactor} copies of every shard on distinct nodes, or (zones listed) when they
 * would span fewer zones than placement spreads a shard's copies over and fewer than the nodes span
 * now: a zone's outage would then take every copy of some shards. Then nothing leaves.
 */
public final class WantedNodes {

  public static final String REASON_TOO_FEW_NODES = "TooFewNodesForReplicationFactor";
  public static final String REASON_TOO_FEW_ZONES = "TooFewZonesForReplicationFactor";

  /**
   * @param nodes the nodes to run and place shards on, by ordinal
   * @param leaving existing nodes that are not among them (they drain, then go)
   * @param refusal why the wanted set was refused (then {@code nodes} are the existing ones), or null
   * @param reason the refused rule's reason ({@link #REASON_TOO_FEW_NODES}, {@link #REASON_TOO_FEW_ZONES}), or null
   */
  public record Choice(List<DesiredNode> nodes, List<String> leaving, String refusal, String reason) {}

  private WantedNodes() {}

  /**
   * @param existing ids of the nodes that exist now (the published topology's, or the MeiliNodes')
   * @param marked ids of MeiliNodes annotated for removal
   */
  public static Choice choose(String cluster, int replicas, int replicationFactor, List<String> zones,
      Collection<String> existing, Set<String> marked) {
    List<DesiredNode> current = existing.stream().distinct()
        .map(id -> DesiredNode.of(cluster, DesiredNode.ordinalOf(cluster, id), zones))
        .sorted(Comparator.comparingInt(DesiredNode::ordinal)).toList();
    if (replicas < replicationFactor) {
      return new Choice(current, List.of(), replicas + " node(s) cannot hold " + replicationFactor
          + " copies of each shard on distinct nodes (spec.replicas must be at least spec.replicationFactor);"
          + " no node leaves", REASON_TOO_FEW_NODES);
    }
    List<DesiredNode> kept = new ArrayList<>();
    for (DesiredNode node : current) {
      if (!marked.contains(node.id()) && kept.size() < replicas) {
        kept.add(node);
      }
    }
    Set<Integer> taken = new TreeSet<>();
    current.forEach(n -> taken.add(n.ordinal()));
    while (kept.size() < replicas) {
      DesiredNode added = DesiredNode.of(cluster, nextOrdinal(kept, taken, zones), zones);
      taken.add(added.ordinal());
      kept.add(added);
    }
    kept.sort(Comparator.comparingInt(DesiredNode::ordinal));
    List<String> keptIds = kept.stream().map(DesiredNode::id).toList();
    List<String> leaving = current.stream().map(DesiredNode::id).filter(id -> !keptIds.contains(id)).toList();
    long spreadNow = zonesOf(current);
    long spreadAfter = zonesOf(kept);
    long spreadNeeded = Math.min(replicationFactor, zones.size());
    if (!zones.isEmpty() && !leaving.isEmpty() && spreadAfter < spreadNeeded && spreadAfter < spreadNow) {
      return new Choice(current, List.of(), "removing " + String.join(", ", leaving) + " would leave nodes in "
          + spreadAfter + " zone(s) only, so the " + replicationFactor + " copies of a shard could not be spread over "
          + spreadNeeded + " zones (spec.zoneAwareness.zones); unmark a node in another zone or mark one in a zone"
          + " that keeps others; no node leaves", REASON_TOO_FEW_ZONES);
    }
    return new Choice(List.copyOf(kept), leaving, null, null);
  }

  /**
   * The lowest free ordinal; with zones, the lowest free one among the zones with the fewest kept
   * nodes (ordinal {@code i} is in zone {@code zones[i % len]}). A new cluster is ordinals 0..n-1.
   */
  private static int nextOrdinal(List<DesiredNode> kept, Set<Integer> taken, List<String> zones) {
    int best = -1;
    long bestCount = Long.MAX_VALUE;
    // Past the highest taken ordinal every zone has a free ordinal within one round of the zones.
    int end = taken.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1 + Math.max(1, zones.size());
    for (int ordinal = 0; ordinal < end; ordinal++) {
      if (taken.contains(ordinal)) {
        continue;
      }
      if (zones.isEmpty()) {
        return ordinal;
      }
      String zone = zones.get(ordinal % zones.size());
      long count = kept.stream().filter(n -> zone.equals(n.zone())).count();
      if (count < bestCount) {
        best = ordinal;
        bestCount = count;
      }
    }
    return best;
  }

  private static long zonesOf(List<DesiredNode> nodes) {
    return nodes.stream().map(DesiredNode::zone).filter(Objects::nonNull).distinct().count();
  }
}
