package dev.miroir.core.move;

import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.core.topology.TopologyValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The topology a rebalance's saved state calls for: a pure function of the journal, so that publishing
 * is "derive, and write if different" and a rerun after a crash can only publish what was already
 * decided (never an older placement).
 *
 * <ul>
 *   <li>planned, rolled back (and rolling back): the shard at rest on its old owners;
 *   <li>joining to fenced: moving, {@code readOwners = before}, {@code writeTargets = before ∪ after};
 *   <li>switching reads: moving, {@code readOwners = after}, {@code writeTargets = before ∪ after};
 *   <li>cutting over and after: at rest on its new owners.
 * </ul>
 *
 * Joining nodes are {@code joining} until a shard is cut over to them; leaving nodes are
 * {@code draining} while an assignment still names them, then leave the document.
 */
public final class RebalanceTopology {

  private RebalanceTopology() {}

  /** The document to publish, at epoch 0 (the store sets the epoch). */
  public static TopologyDocument derive(RebalanceJournal journal) {
    Placement target = Placement.compute(journal.nodes().stream().map(n -> new Node(n.id(), n.zone())).toList(),
        journal.shards(), journal.replicationFactor());
    Map<Integer, ShardMoveState> moves =
        journal.moves().stream().collect(Collectors.toMap(ShardMoveState::shard, Function.identity()));
    List<ShardAssignment> placement = new ArrayList<>(journal.shards());
    Set<String> named = new HashSet<>();
    for (int shard = 0; shard < journal.shards(); shard++) {
      ShardMoveState move = moves.get(shard);
      ShardAssignment a;
      if (move == null) {
        a = ShardAssignment.steady(shard, target.owners(shard));
      } else if (move.step().isCutOver()) {
        a = ShardAssignment.steady(shard, move.after());
      } else if (move.step() == MoveStep.SWITCHING_READS) {
        a = new ShardAssignment(shard, move.after(), move.writeTargetsWhileMoving());
      } else if (move.step().writesJoined()) {
        a = new ShardAssignment(shard, move.before(), move.writeTargetsWhileMoving());
      } else {
        a = ShardAssignment.steady(shard, move.before());
      }
      named.addAll(a.writeTargets());
      placement.add(a);
    }
    Set<String> before = journal.beforeNodes().stream().map(TopologyNode::id).collect(Collectors.toSet());
    Set<String> servedByNew = journal.moves().stream()
        .filter(m -> m.step().isCutOver() || m.step() == MoveStep.SWITCHING_READS)
        .flatMap(m -> m.gaining().stream()).collect(Collectors.toSet());
    List<TopologyNode> nodes = new ArrayList<>();
    for (TopologyNode n : journal.nodes()) {
      boolean joining = !before.contains(n.id()) && !servedByNew.contains(n.id());
      nodes.add(new TopologyNode(n.id(), n.url(), n.zone(), joining ? NodeState.JOINING : NodeState.ACTIVE));
    }
    for (TopologyNode n : journal.leaving()) {
      if (named.contains(n.id())) {
        nodes.add(new TopologyNode(n.id(), n.url(), n.zone(), NodeState.DRAINING));
      }
    }
    TopologyDocument doc = new TopologyDocument(TopologyDocument.SCHEMA_VERSION, journal.cluster(), 0,
        journal.shards(), journal.replicationFactor(), nodes, placement);
    TopologyValidator.requireValid(doc);
    return doc;
  }

  /**
   * What to write to the store: {@code current} itself when it already says what the journal calls
   * for (no new epoch), else the derived document at {@code current.epoch() + 1}.
   */
  public static TopologyDocument next(RebalanceJournal journal, TopologyDocument current) {
    TopologyDocument derived = derive(journal);
    if (derived.withEpoch(current.epoch()).equals(current)) {
      return current;
    }
    return derived.withEpoch(current.epoch() + 1);
  }
}
