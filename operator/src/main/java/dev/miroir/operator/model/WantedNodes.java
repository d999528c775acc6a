package dev.miroir.operator.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which nodes the cluster should have: {@code spec.replicas} of them, keeping the nodes that exist
 * (lowest ordinals first) except those marked for removal ({@link Labels#REMOVE_NODE}), and adding
 * new ordinals where that leaves too few. So on a scale-down the highest ordinal leaves unless nodes
 * are marked, a marked node leaves in their place, and a marked node with no scale-down is replaced
 * by a new one. A leaving node's shards move and verify before it is deleted (the rebalance).
 *
 * <p>Refused, with the rule named, when the nodes that would remain cannot hold
 * {@code replicationFactor} copies of every shard on distinct nodes; then nothing leaves.
 */
public final class WantedNodes {

  public static final String REASON_TOO_FEW_NODES = "TooFewNodesForReplicationFactor";

  /**
   * @param nodes the nodes to run and place shards on, by ordinal
   * @param leaving existing nodes that are not among them (they drain, then go)
   * @param refusal why the wanted set was refused (then {@code nodes} are the existing ones), or null
   */
  public record Choice(List<DesiredNode> nodes, List<String> leaving, String refusal) {}

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
          + " no node leaves");
    }
    List<DesiredNode> kept = new ArrayList<>();
    for (DesiredNode node : current) {
      if (!marked.contains(node.id()) && kept.size() < replicas) {
        kept.add(node);
      }
    }
    Set<Integer> taken = new TreeSet<>();
    current.forEach(n -> taken.add(n.ordinal()));
    for (int ordinal = 0; kept.size() < replicas; ordinal++) {
      if (!taken.contains(ordinal)) {
        kept.add(DesiredNode.of(cluster, ordinal, zones));
      }
    }
    kept.sort(Comparator.comparingInt(DesiredNode::ordinal));
    List<String> keptIds = kept.stream().map(DesiredNode::id).toList();
    List<String> leaving = current.stream().map(DesiredNode::id).filter(id -> !keptIds.contains(id)).toList();
    return new Choice(List.copyOf(kept), leaving, null);
  }
}
