package dev.miroir.router.write;

import dev.miroir.router.node.NodeReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per node, the copies of sequenced writes not yet enqueued on it, in sequence order: the store's
 * content mirrored in memory, with the first-attempt promise of each copy this process sequenced.
 * Bounded per node: a node that exceeds the bounds has its copies dropped and is marked as needing
 * repair, durably and visibly, never silently.
 */
public final class ReplicaLog {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLog.class);

  /** A copy waiting for its node; {@code first} completes with its first attempt (null after a restart). */
  record Entry(NodeCopy copy, Promise<NodeReply> first) {}

  private static final class NodeQueue {
    final Deque<Entry> entries = new ArrayDeque<>();
    long bytes;
    long lastTaskUid = -1;
    String needsRepair;
    long delivered;
  }

  /** Nodes whose copies overflowed in one append, with the entries given up. */
  record Overflow(String nodeId, List<Entry> dropped) {}

  private final ReplicaLogStore store;
  private final long maxCopies;
  private final long maxBytes;
  private final Map<String, NodeQueue> queues = new HashMap<>();
  /** Which node task holds each shard's last write, for fenced moves; only what this leadership saw. */
  private ShardTaskMarks marks = new ShardTaskMarks();

  public ReplicaLog(ReplicaLogStore store, long maxCopies, long maxBytes) {
    this.store = store;
    this.maxCopies = maxCopies;
    this.maxBytes = maxBytes;
  }

  public ReplicaLogStore store() {
    return store;
  }

  /** Replaces the memory with the store's content (at start, and when a router becomes the leader). */
  public Future<Void> load() {
    return store.load().map(loaded -> {
      synchronized (this) {
        queues.values().forEach(q -> q.entries.forEach(e -> {
          if (e.first() != null) {
            e.first().tryComplete(NodeReply.unreachable(e.copy().nodeId(), CopyOutcome.HELD_BACK + "log reloaded"));
          }
        }));
        queues.clear();
        // Another leader may have sequenced and delivered copies since this router last did.
        marks = new ShardTaskMarks();
        for (NodeCopy c : loaded.pending()) {
          marks.sequenced(c.nodeId(), c.seq(), null);
          NodeQueue q = queue(c.nodeId());
          q.entries.addLast(new Entry(c, null));
          q.bytes += c.bytes();
        }
        loaded.lastTaskUids().forEach((n, uid) -> queue(n).lastTaskUid = uid);
        loaded.needsRepair().forEach((n, why) -> queue(n).needsRepair = why);
      }
      if (!loaded.pending().isEmpty()) {
        LOG.info("replica log {}: {} undelivered cop(ies) to finish", store.describe(), loaded.pending().size());
      }
      return null;
    });
  }

  /**
   * Appends writes (each a list of copies without sequence numbers), then queues their copies.
   *
   * @param firsts per write, per copy, the promise of its first attempt
   * @return per write, its copies as sequenced; and the nodes that overflowed
   */
  Future<List<Overflow>> append(List<List<NodeCopy>> writes, List<List<Promise<NodeReply>>> firsts) {
    return append(writes, firsts, null);
  }

  /**
   * @param shards per write, the shards it touches (an entry null: every shard), or null when not known
   */
  Future<List<Overflow>> append(List<List<NodeCopy>> writes, List<List<Promise<NodeReply>>> firsts,
      List<java.util.Set<Integer>> shards) {
    return store.append(writes).map(first -> {
      long now = System.currentTimeMillis();
      List<Overflow> overflows = new ArrayList<>();
      synchronized (this) {
        for (int i = 0; i < writes.size(); i++) {
          List<NodeCopy> write = writes.get(i);
          for (int j = 0; j < write.size(); j++) {
            NodeCopy c = write.get(j).sequenced(first + i, now);
            marks.sequenced(c.nodeId(), c.seq(), shards == null ? null : shards.get(i));
            NodeQueue q = queue(c.nodeId());
            q.entries.addLast(new Entry(c, firsts.get(i).get(j)));
            q.bytes += c.bytes();
          }
        }
        for (Map.Entry<String, NodeQueue> e : queues.entrySet()) {
          NodeQueue q = e.getValue();
          if (q.entries.size() > maxCopies || q.bytes > maxBytes) {
            String reason = "overflow: " + q.entries.size() + " pending copies (" + q.bytes
                + " bytes) exceeded the replica log's bounds (" + maxCopies + " copies, " + maxBytes + " bytes)";
            List<Entry> dropped = new ArrayList<>(q.entries);
            long through = q.entries.peekLast().copy().seq();
            q.entries.clear();
            q.bytes = 0;
            q.needsRepair = reason;
            overflows.add(new Overflow(e.getKey(), dropped));
            store.dropped(e.getKey(), through);
            store.needsRepair(e.getKey(), reason);
            LOG.error("node {} missed more writes than the replica log holds: its copies through #{} are given up"
                + " and it is marked as needing repair ({})", e.getKey(), through, reason);
          }
        }
      }
      return overflows;
    });
  }

  synchronized Entry head(String nodeId) {
    NodeQueue q = queues.get(nodeId);
    return q == null ? null : q.entries.peekFirst();
  }

  /** Pending first attempts of a node's queue (to answer them when the node is late). */
  synchronized List<Promise<NodeReply>> pendingFirsts(String nodeId) {
    NodeQueue q = queues.get(nodeId);
    List<Promise<NodeReply>> out = new ArrayList<>();
    if (q != null) {
      q.entries.forEach(e -> {
        if (e.first() != null && !e.first().future().isComplete()) {
          out.add(e.first());
        }
      });
    }
    return out;
  }

  /** The node enqueued or refused the head copy; records it before the next copy may be sent. */
  Future<Void> delivered(String nodeId, Entry entry, long taskUid) {
    synchronized (this) {
      NodeQueue q = queue(nodeId);
      if (q.entries.peekFirst() != entry) {
        return Future.succeededFuture(); // given up meanwhile (overflow)
      }
      q.entries.pollFirst();
      q.bytes -= entry.copy().bytes();
      q.delivered++;
      marks.delivered(nodeId, entry.copy().seq(), taskUid);
      if (taskUid >= 0) {
        q.lastTaskUid = taskUid;
      }
      taskUid = q.lastTaskUid;
    }
    return store.delivered(nodeId, entry.copy().seq(), taskUid);
  }

  /**
   * The node task at or after every task on the node that holds a write to one of {@code shards}, or
   * null when unknown ({@link ShardTaskMarks}); meaningful once the node has no pending copy.
   */
  synchronized Long lastShardTask(String nodeId, java.util.Set<Integer> shards) {
    return marks.lastTask(nodeId, shards);
  }

  synchronized long lastTaskUid(String nodeId) {
    NodeQueue q = queues.get(nodeId);
    return q == null ? -1 : q.lastTaskUid;
  }

  public Future<Void> markNeedsRepair(String nodeId, String reason) {
    synchronized (this) {
      queue(nodeId).needsRepair = reason;
    }
    if (reason != null) {
      LOG.warn("node {} needs repair: {}", nodeId, reason);
    }
    return store.needsRepair(nodeId, reason);
  }

  public synchronized ReplicaStatus status(String nodeId) {
    NodeQueue q = queues.get(nodeId);
    if (q == null) {
      return new ReplicaStatus(nodeId, 0, false, null);
    }
    return new ReplicaStatus(nodeId, q.entries.size(), q.needsRepair != null, q.needsRepair);
  }

  synchronized long pendingBytes(String nodeId) {
    NodeQueue q = queues.get(nodeId);
    return q == null ? 0 : q.bytes;
  }

  synchronized long deliveredCount(String nodeId) {
    NodeQueue q = queues.get(nodeId);
    return q == null ? 0 : q.delivered;
  }

  synchronized List<String> nodesWithPending() {
    List<String> out = new ArrayList<>();
    new TreeMap<>(queues).forEach((n, q) -> {
      if (!q.entries.isEmpty()) {
        out.add(n);
      }
    });
    return out;
  }

  synchronized List<String> knownNodes() {
    return new ArrayList<>(new TreeMap<>(queues).keySet());
  }

  private NodeQueue queue(String nodeId) {
    return queues.computeIfAbsent(nodeId, n -> new NodeQueue());
  }
}
