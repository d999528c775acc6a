package dev.miroir.router.write;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per node, which node task holds the last write to a shard: what a fenced shard move waits for
 * instead of the node's whole queue (rebalance.md, section 8). A node applies a shard's writes in the
 * order it enqueued them, and the dispatcher enqueues a node's copies one at a time in sequence order,
 * so the task of the copy with the highest sequence number touching the shard, or of any copy the node
 * enqueued after it, is at or after every task holding a write to that shard.
 *
 * <p>Only what this process sequenced and delivered is known. A copy it did not sequence (loaded from
 * the log, sent by an earlier leader, or before a restart) counts as a write to every shard, and the
 * node's first delivery in this process is the earliest task that may answer for it: earlier tasks were
 * enqueued by someone else. A node with nothing delivered since then is <em>unknown</em>: the caller
 * waits for its whole queue, as before. Pure bookkeeping, guarded by its owner's lock.
 */
final class ShardTaskMarks {

  /** Deliveries kept per node; dropping the oldest only makes an answer later (a larger task uid), never wrong. */
  static final int KEPT_DELIVERIES = 4_096;

  private static final class NodeMarks {
    /** Highest sequence number of a copy to this node, per shard it touches. */
    final Map<Integer, Long> lastSeqByShard = new HashMap<>();
    /** Highest sequence number of a copy touching every shard (broadcasts, copies of unknown shards). */
    long lastSeqAllShards;
    /** Copies this process saw the node enqueue: sequence number -> node task uid. */
    final TreeMap<Long, Long> delivered = new TreeMap<>();
  }

  private final Map<String, NodeMarks> nodes = new HashMap<>();

  private NodeMarks node(String nodeId) {
    return nodes.computeIfAbsent(nodeId, n -> new NodeMarks());
  }

  /**
   * A copy for {@code nodeId} was sequenced at {@code seq}, touching {@code shards} (null: every shard,
   * or not known).
   */
  void sequenced(String nodeId, long seq, Set<Integer> shards) {
    NodeMarks m = node(nodeId);
    if (shards == null) {
      m.lastSeqAllShards = Math.max(m.lastSeqAllShards, seq);
      return;
    }
    for (int s : shards) {
      m.lastSeqByShard.merge(s, seq, Math::max);
    }
  }

  /** The node enqueued the copy {@code seq} as task {@code taskUid} (a replay keeps the later task). */
  void delivered(String nodeId, long seq, long taskUid) {
    if (taskUid < 0) {
      return; // refused: no task
    }
    NodeMarks m = node(nodeId);
    m.delivered.merge(seq, taskUid, Math::max);
    while (m.delivered.size() > KEPT_DELIVERIES) {
      m.delivered.pollFirstEntry();
    }
  }

  /**
   * The node task at or after every task on {@code nodeId} holding a write to one of {@code shards},
   * or null when this process cannot tell (the caller then waits for the node's whole queue). Asked
   * once no copy for the node is pending: a pending copy has no task yet.
   */
  Long lastTask(String nodeId, Set<Integer> shards) {
    NodeMarks m = nodes.get(nodeId);
    if (m == null) {
      return null;
    }
    long last = m.lastSeqAllShards;
    for (int s : shards) {
      last = Math.max(last, m.lastSeqByShard.getOrDefault(s, 0L));
    }
    Map.Entry<Long, Long> atOrAfter = m.delivered.ceilingEntry(last);
    return atOrAfter == null ? null : atOrAfter.getValue();
  }
}
