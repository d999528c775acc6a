package dev.miroir.core.move;

import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.plan.MovePlanner;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plans a rebalance from the topology routers serve now to a new node set. Pure. The moves come from
 * the published assignments (not from a recomputed old placement), so a rebalance that was rolled back
 * in part is planned again from what is really where.
 */
public final class RebalancePlanner {

  private RebalancePlanner() {}

  /** Why a rebalance cannot be planned; {@link #rule} names the safety rule for conditions. */
  public static final class Refused extends RuntimeException {
    private final String rule;

    public Refused(String rule, String message) {
      super(message);
      this.rule = rule;
    }

    public String rule() {
      return rule;
    }
  }

  public static final String RULE_MOVE_IN_FLIGHT = "MoveInFlightWithoutJournal";
  public static final String RULE_TOO_FEW_NODES = "TooFewNodesForReplicationFactor";
  public static final String RULE_NO_NODES = "NoNodes";

  /**
   * @param current the document routers serve now
   * @param nodes the nodes after the rebalance (ids, URLs, zones); states are set by the topology
   * @throws Refused when moving is not safe or not possible
   */
  public static RebalanceJournal plan(TopologyDocument current, List<TopologyNode> nodes, int maxConcurrentMoves, String id) {
    if (nodes.isEmpty()) {
      throw new Refused(RULE_NO_NODES, "a cluster needs at least one node");
    }
    if (nodes.size() < current.replicationFactor()) {
      throw new Refused(RULE_TOO_FEW_NODES, "the remaining " + nodes.size() + " node(s) cannot hold "
          + current.replicationFactor() + " copies of every shard (replication factor "
          + current.replicationFactor() + "); keep at least " + current.replicationFactor() + " nodes");
    }
    List<Integer> moving = current.placement().stream().filter(ShardAssignment::isMoving)
        .map(ShardAssignment::shard).toList();
    if (!moving.isEmpty()) {
      throw new Refused(RULE_MOVE_IN_FLIGHT, "shards " + moving + " are moving in epoch " + current.epoch()
          + " but no rebalance journal describes them; not safe to plan over them");
    }
    Placement target = Placement.compute(nodes.stream().map(n -> new Node(n.id(), n.zone())).toList(),
        current.shards(), current.replicationFactor());
    List<ShardMoveState> moves = new ArrayList<>();
    int replicas = 0;
    for (ShardAssignment a : current.placement()) {
      List<String> before = a.readOwners();
      List<String> after = target.owners(a.shard());
      if (!new HashSet<>(before).equals(new HashSet<>(after))) {
        ShardMoveState move = ShardMoveState.planned(a.shard(), before, after);
        moves.add(move);
        replicas += move.gaining().size();
      }
    }
    Placement published = Placement.compute(current.placementNodes(), current.shards(), current.replicationFactor());
    int minimum = MovePlanner.theoreticalMinimum(published, target);
    return new RebalanceJournal(id, current.cluster(), current.shards(), current.replicationFactor(),
        current.epoch(), current.epoch(), current.nodes(), nodes, maxConcurrentMoves, replicas, minimum, moves);
  }

  /** Node ids in {@code current} that are not in {@code nodes}. */
  public static Set<String> leaving(TopologyDocument current, List<TopologyNode> nodes) {
    Set<String> ids = new HashSet<>();
    current.nodes().forEach(n -> ids.add(n.id()));
    nodes.forEach(n -> ids.remove(n.id()));
    return ids;
  }
}
