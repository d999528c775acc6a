package dev.miroir.router.write;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Where the replica log's copies are kept durably: files (one router), Redis (several routers) or
 * memory (tests). {@link ReplicaLog} keeps the same content in memory and calls these in the order
 * the contract needs: an append completes before any of its copies is sent; a delivery is recorded
 * before the node's next copy is sent.
 */
public interface ReplicaLogStore extends AutoCloseable {

  /**
   * What a store holds after a restart.
   *
   * @param lastSeq the highest sequence number ever handed out (new writes get higher ones)
   * @param pending copies not yet delivered, ascending by sequence number
   * @param lastTaskUids per node, the node task uid of the last copy it enqueued (-1 when unknown)
   * @param needsRepair per node, why it needs repair
   */
  record Loaded(long lastSeq, List<NodeCopy> pending, Map<String, Long> lastTaskUids, Map<String, String> needsRepair) {}

  /** Thrown (as a failed future) by a store whose writer lost its lease: it must not append. */
  final class NotLeaderException extends RuntimeException {
    public NotLeaderException(String message) {
      super(message, null, false, false);
    }
  }

  Future<Loaded> load();

  /**
   * Appends writes atomically (each write's copies all or none), giving them consecutive sequence
   * numbers in list order.
   *
   * @return the first sequence number given
   */
  Future<Long> append(List<List<NodeCopy>> writes);

  /** The node enqueued (or refused) its copy {@code seq}, the head of its queue. */
  Future<Void> delivered(String nodeId, long seq, long taskUid);

  /** The node's copies up to {@code throughSeq} are given up (overflow); they need repair instead. */
  Future<Void> dropped(String nodeId, long throughSeq);

  /** Records (reason non-null) or clears (null) that a node needs repair. */
  Future<Void> needsRepair(String nodeId, String reason);

  /** For logs and {@code GET /_miroir/replicas}; never a secret. */
  String describe();

  @Override
  void close();
}
