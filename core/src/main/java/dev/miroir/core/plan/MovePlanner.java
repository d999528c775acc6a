package dev.miroir.core.plan;

import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Plans the shard copies a change of node set requires: pure, no I/O. */
public final class MovePlanner {

  private MovePlanner() {}

  /** The moves from {@code before} to {@code after}; only shards whose owner set changed appear. */
  public static MovePlan plan(Placement before, Placement after) {
    if (before.shards() != after.shards()) {
      throw new IllegalArgumentException(
          "the shard count is fixed for the life of a cluster: " + before.shards() + " -> "
              + after.shards());
    }
    List<ShardMove> moves = new ArrayList<>();
    int replicasMoved = 0;
    for (int shard = 0; shard < before.shards(); shard++) {
      List<String> was = before.owners(shard);
      List<String> now = after.owners(shard);
      List<String> losing = was.stream().filter(id -> !now.contains(id)).sorted().toList();
      List<String> gaining = now.stream().filter(id -> !was.contains(id)).sorted().toList();
      if (!losing.isEmpty() || !gaining.isEmpty()) {
        moves.add(new ShardMove(shard, was, now, losing, gaining));
        replicasMoved += gaining.size();
      }
    }
    return new MovePlan(moves, replicasMoved, theoreticalMinimum(before, after));
  }

  /**
   * A lower bound on the copies any balanced target placement needs: every replica on a removed node
   * must be copied somewhere; every added node must receive its fair share floor(S * RF / N); a higher
   * replication factor needs S * (RF' - RF) new copies. One copy can serve the first two at once, so
   * the bound is the largest of the three, not their sum.
   */
  public static int theoreticalMinimum(Placement before, Placement after) {
    Set<String> beforeIds = ids(before);
    Set<String> afterIds = ids(after);
    Map<String, Integer> held = before.replicaCounts();
    int onRemovedNodes =
        beforeIds.stream().filter(id -> !afterIds.contains(id)).mapToInt(held::get).sum();
    long added = afterIds.stream().filter(id -> !beforeIds.contains(id)).count();
    int fairShareOfAdded =
        (int) ((long) after.shards() * after.replicationFactor() * added / afterIds.size());
    int rfGrowth =
        Math.max(0, after.shards() * (after.replicationFactor() - before.replicationFactor()));
    return Math.max(onRemovedNodes, Math.max(fairShareOfAdded, rfGrowth));
  }

  private static Set<String> ids(Placement placement) {
    return placement.nodes().stream().map(Node::id).collect(Collectors.toSet());
  }
}
