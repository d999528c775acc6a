package dev.miroir.core.plan;

import java.util.List;

/**
 * What a node-set change costs.
 *
 * @param moves shards whose owner set changes, ascending by shard
 * @param replicasMoved shard copies that must be created on a gaining node
 * @param theoreticalMinimum a lower bound on {@code replicasMoved} for any balanced placement on the
 *     new node set (see {@link MovePlanner#theoreticalMinimum})
 */
public record MovePlan(List<ShardMove> moves, int replicasMoved, int theoreticalMinimum) {

  public MovePlan {
    moves = List.copyOf(moves);
  }

  public boolean isEmpty() {
    return moves.isEmpty();
  }

  /** replicasMoved / theoreticalMinimum; 1.0 when both are zero. */
  public double overhead() {
    if (theoreticalMinimum == 0) {
      return replicasMoved == 0 ? 1.0 : Double.POSITIVE_INFINITY;
    }
    return (double) replicasMoved / theoreticalMinimum;
  }
}
