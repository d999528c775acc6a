package dev.miroir.operator.model;

import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.List;
import java.util.function.Function;

/**
 * Builds the topology document to publish. The epoch moves only when what routers act on (owners,
 * nodes, URLs) changes: routers treat a new epoch as a cutover, so a spurious bump on every reconcile
 * would be noise at best.
 */
public final class TopologyPlanner {

  private TopologyPlanner() {}

  /**
   * @param previous the published document or null
   * @param placement the placement to publish (the previous one while a change is pending)
   * @param urlOf URL routers must use for a node id
   */
  public static TopologyDocument next(
      String cluster, TopologyDocument previous, Placement placement, Function<String, String> urlOf) {
    List<TopologyNode> nodes =
        placement.nodes().stream()
            .map(n -> new TopologyNode(n.id(), urlOf.apply(n.id()), zone(n), NodeState.ACTIVE))
            .toList();
    TopologyDocument candidate = TopologyDocument.steadyState(cluster, 0, nodes, placement);
    if (previous == null) {
      return candidate.withEpoch(1);
    }
    if (candidate.equals(previous.withEpoch(0))) {
      return previous;
    }
    return candidate.withEpoch(previous.epoch() + 1);
  }

  private static String zone(Node node) {
    return node.zone();
  }
}
