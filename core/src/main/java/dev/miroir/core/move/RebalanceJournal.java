package dev.miroir.core.move;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.miroir.core.topology.TopologyNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * One rebalance, saved before every action so that a new process can resume it: the node set it goes
 * to, and every shard move with its state. Locally a file in the data directory, in Kubernetes a
 * ConfigMap next to the topology. Holds no secret.
 *
 * @param id identifies the rebalance (a rerun with another target is a different rebalance)
 * @param cluster cluster name
 * @param shards shard count
 * @param replicationFactor RF
 * @param fromEpoch the topology epoch the plan was made from
 * @param lastEpoch the highest epoch this rebalance published (a store older than it is "not safe")
 * @param beforeNodes the nodes before the rebalance
 * @param nodes the nodes after it, in the order the topology lists them
 * @param maxConcurrentMoves moves in progress at once
 * @param replicasToMove shard copies the plan creates
 * @param theoreticalMinimum the fewest copies any balanced placement on {@code nodes} needs
 * @param moves one per shard whose owners change, ascending by shard
 */
@JsonPropertyOrder({"id", "cluster", "shards", "replicationFactor", "fromEpoch", "lastEpoch", "beforeNodes",
    "nodes", "maxConcurrentMoves", "replicasToMove", "theoreticalMinimum", "moves"})
public record RebalanceJournal(
    String id,
    String cluster,
    int shards,
    int replicationFactor,
    long fromEpoch,
    long lastEpoch,
    List<TopologyNode> beforeNodes,
    List<TopologyNode> nodes,
    int maxConcurrentMoves,
    int replicasToMove,
    int theoreticalMinimum,
    List<ShardMoveState> moves) {

  public RebalanceJournal {
    beforeNodes = List.copyOf(beforeNodes);
    nodes = List.copyOf(nodes);
    moves = List.copyOf(moves);
    if (maxConcurrentMoves < 1) {
      throw new IllegalArgumentException("maxConcurrentMoves must be at least 1");
    }
  }

  /** Node ids after the rebalance. */
  @JsonIgnore
  public Set<String> staying() {
    return nodes.stream().map(TopologyNode::id).collect(Collectors.toSet());
  }

  /** Nodes before the rebalance that are not in it after: they drain and go. */
  @JsonIgnore
  public List<TopologyNode> leaving() {
    Set<String> staying = staying();
    return beforeNodes.stream().filter(n -> !staying.contains(n.id())).toList();
  }

  public ShardMoveState move(int shard) {
    return moves.stream().filter(m -> m.shard() == shard).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("shard " + shard + " does not move"));
  }

  /** The journal with one move replaced. */
  public RebalanceJournal with(ShardMoveState move) {
    return update(move.shard(), m -> move);
  }

  public RebalanceJournal update(int shard, UnaryOperator<ShardMoveState> change) {
    List<ShardMoveState> next = new ArrayList<>(moves.size());
    boolean found = false;
    for (ShardMoveState m : moves) {
      if (m.shard() == shard) {
        next.add(change.apply(m));
        found = true;
      } else {
        next.add(m);
      }
    }
    if (!found) {
      throw new IllegalArgumentException("shard " + shard + " does not move");
    }
    return new RebalanceJournal(id, cluster, shards, replicationFactor, fromEpoch, lastEpoch, beforeNodes, nodes,
        maxConcurrentMoves, replicasToMove, theoreticalMinimum, next);
  }

  public RebalanceJournal withLastEpoch(long epoch) {
    return new RebalanceJournal(id, cluster, shards, replicationFactor, fromEpoch, Math.max(lastEpoch, epoch),
        beforeNodes, nodes, maxConcurrentMoves, replicasToMove, theoreticalMinimum, moves);
  }

  /** Every move finished, done or rolled back. */
  @JsonIgnore
  public boolean isFinished() {
    return moves.stream().allMatch(m -> m.step().isFinal());
  }

  /** The moves to work on now: those in progress, then planned ones up to the concurrency bound. */
  public List<ShardMoveState> runnable() {
    List<ShardMoveState> running = new ArrayList<>(
        moves.stream().filter(m -> !m.step().isFinal() && m.step() != MoveStep.PLANNED).toList());
    for (ShardMoveState m : moves) {
      if (running.size() >= maxConcurrentMoves) {
        break;
      }
      if (m.step() == MoveStep.PLANNED) {
        running.add(m);
      }
    }
    return running;
  }

  public RebalanceProgress progress() {
    return RebalanceProgress.of(this);
  }
}
