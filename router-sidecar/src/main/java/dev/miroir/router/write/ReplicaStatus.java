package dev.miroir.router.write;

/**
 * What the write path knows about one node's copies, for anti-entropy and moves: a node with copies
 * still to deliver is behind; a node whose missed copies could not all be kept (overflow) or that
 * refused its part of an acknowledged write needs repair and is never an authoritative copy.
 *
 * @param nodeId the node
 * @param pendingCopies write copies recorded for this node and not yet enqueued on it
 * @param needsRepair whether some acknowledged write may be missing on this node
 * @param reason why it needs repair, or null
 */
public record ReplicaStatus(String nodeId, long pendingCopies, boolean needsRepair, String reason) {

  public boolean caughtUp() {
    return pendingCopies == 0;
  }

  /** Eligible as the authoritative copy of its shards. */
  public boolean authoritative() {
    return pendingCopies == 0 && !needsRepair;
  }
}
