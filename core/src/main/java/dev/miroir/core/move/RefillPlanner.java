package dev.miroir.core.move;

import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plans the refill of nodes that came back empty (a lost volume) as ordinary shard moves, so that the
 * move protocol of {@code docs/design/rebalance.md} does the copy, the catch-up, the fenced
 * verification and the cut-over. Pure.
 *
 * <p>For every shard an empty node {@code E} owns, the move goes from {@code before = owners \ E} to
 * {@code after = owners}: {@code E} is the only gaining node and nobody loses. While the move runs,
 * {@code E} is a write target (it receives every write sequenced from then on) but no read owner, so no
 * search is answered from it until its copy is verified; the cut-over gives it back its reads.
 *
 * <p>Unlike a scale, every move is created already begun ({@code JOINING}): the first publication of
 * the journal takes {@code E} out of the read owners of <em>every</em> shard at once (a planned move
 * would still show the shard at rest, i.e. read from {@code E}). The bound on concurrent moves still
 * holds for the work (the mover's workers), not for that first epoch.
 */
public final class RefillPlanner {

  /** Journal ids of refills start with this, so status lines can say "refilling". */
  public static final String ID_PREFIX = "refill-";

  public static final String RULE_NO_COPY_LEFT = "NoCopyLeftToRefillFrom";
  public static final String RULE_NOT_AT_REST = "PlacementNotAtRest";
  public static final String RULE_UNKNOWN_NODE = "UnknownNode";

  private RefillPlanner() {}

  /**
   * Nodes that came back empty: named in the published placement (so they held documents and keys
   * once) but without their marker now. A node absent from {@code markerPresent} could not be asked (it
   * is down, say) and is never judged empty: a refill starts only on evidence.
   *
   * @param markerPresent per node id, whether its marker (the cluster's fixed-uid keys) is there
   */
  public static Set<String> cameBackEmpty(TopologyDocument current, Map<String, Boolean> markerPresent) {
    Set<String> named = new TreeSet<>();
    current.placement().forEach(a -> named.addAll(a.writeTargets()));
    Set<String> empty = new TreeSet<>();
    for (String id : named) {
      if (Boolean.FALSE.equals(markerPresent.get(id))) {
        empty.add(id);
      }
    }
    return empty;
  }

  /** Whether a journal is a refill (rather than a scale). */
  public static boolean isRefill(RebalanceJournal journal) {
    return journal.id().startsWith(ID_PREFIX);
  }

  /** The nodes a refill journal fills again. */
  public static Set<String> refilling(RebalanceJournal journal) {
    Set<String> out = new TreeSet<>();
    if (isRefill(journal)) {
      journal.moves().forEach(m -> out.addAll(m.gaining()));
    }
    return out;
  }

  /**
   * @param current the document routers serve now; must be at rest on its computed placement
   * @param empty nodes that came back empty
   * @throws RebalancePlanner.Refused when a refill is not possible or not safe
   */
  public static RebalanceJournal plan(TopologyDocument current, Set<String> empty, int maxConcurrentMoves) {
    for (String id : empty) {
      if (current.node(id).isEmpty()) {
        throw new RebalancePlanner.Refused(RULE_UNKNOWN_NODE, "node `" + id + "` is not in the published topology");
      }
    }
    List<TopologyNode> nodes = current.nodes();
    Placement computed = Placement.compute(nodes.stream().map(n -> new Node(n.id(), n.zone())).toList(),
        current.shards(), current.replicationFactor());
    List<ShardMoveState> moves = new ArrayList<>();
    int replicas = 0;
    for (ShardAssignment a : current.placement()) {
      // The journal's topology derives every shard without a move from the computed placement, so a
      // document at rest anywhere else (a move in flight, a rebalance rolled back) cannot be refilled
      // without silently moving shards: refuse, the rebalance has to finish first.
      if (a.isMoving() || !a.readOwners().equals(computed.owners(a.shard()))) {
        throw new RebalancePlanner.Refused(RULE_NOT_AT_REST, "shard " + a.shard() + " is not at rest on its placement"
            + " in epoch " + current.epoch() + "; finish the rebalance in progress before refilling " + empty);
      }
      List<String> owners = a.readOwners();
      if (owners.stream().noneMatch(empty::contains)) {
        continue;
      }
      List<String> before = owners.stream().filter(n -> !empty.contains(n)).toList();
      if (before.isEmpty()) {
        throw new RebalancePlanner.Refused(RULE_NO_COPY_LEFT, "every copy of shard " + a.shard() + " (" + owners
            + ") came back empty: there is nothing to refill it from");
      }
      ShardMoveState move = MoveMachine.begin(ShardMoveState.planned(a.shard(), before, owners));
      moves.add(move);
      replicas += move.gaining().size();
    }
    String id = ID_PREFIX + String.join("-", new TreeSet<>(empty)) + "-e" + (current.epoch() + 1);
    return new RebalanceJournal(id, current.cluster(), current.shards(), current.replicationFactor(), current.epoch(),
        current.epoch(), nodes, nodes, maxConcurrentMoves, replicas, replicas, moves);
  }
}
