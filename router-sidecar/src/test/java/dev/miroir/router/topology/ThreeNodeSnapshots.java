package dev.miroir.router.topology;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.ArrayList;
import java.util.List;

/** Unit-test routing snapshots: three active nodes n0..n2 (unreachable URLs), 16 shards. */
public final class ThreeNodeSnapshots {

  private ThreeNodeSnapshots() {}

  public static RoutingSnapshot of(int rf) {
    List<TopologyNode> nodes = new ArrayList<>();
    for (String id : List.of("n0", "n1", "n2")) {
      nodes.add(new TopologyNode(id, "http://127.0.0.1:1/" + id, null, NodeState.ACTIVE));
    }
    return new RoutingSnapshot(TopologyDocument.steadyState("t", 1, nodes,
        Placement.compute(List.of("n0", "n1", "n2"), 16, rf)));
  }
}
