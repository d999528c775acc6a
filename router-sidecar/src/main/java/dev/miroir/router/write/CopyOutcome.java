package dev.miroir.router.write;

import dev.miroir.router.node.NodeReply;
import dev.miroir.router.write.QuorumRule.NodeOutcome;

/**
 * What one node call of a write meant: the one place that decides "this node call failed", used by
 * the acknowledgement (through {@link #forQuorum()}) and by the dispatcher that delivers copies.
 */
public enum CopyOutcome {
  /** 2xx: the node enqueued the copy (it has a node task). */
  ENQUEUED,
  /** 4xx: the node refused the request itself; re-sending would be refused again. */
  REFUSED,
  /** The request certainly never reached the node (connection refused, unknown host, held back). */
  UNAVAILABLE,
  /**
   * Timeout, reset or 5xx after the request left: the node may or may not have enqueued it. Safe to
   * re-send only when the write is idempotent or the node's tasks show it was not enqueued.
   */
  AMBIGUOUS;

  public static CopyOutcome of(NodeReply reply) {
    if (reply.isSuccess()) {
      return ENQUEUED;
    }
    if (reply.isClientError()) {
      return REFUSED;
    }
    if (reply.status() == 0 && neverSent(reply.problem())) {
      return UNAVAILABLE;
    }
    return AMBIGUOUS;
  }

  public NodeOutcome forQuorum() {
    return switch (this) {
      case ENQUEUED -> NodeOutcome.ENQUEUED;
      case REFUSED -> NodeOutcome.REJECTED;
      default -> NodeOutcome.UNAVAILABLE;
    };
  }

  /** Held-back copies and connection failures: the bytes never left the router. */
  static boolean neverSent(String problem) {
    if (problem == null) {
      return false;
    }
    return problem.startsWith(HELD_BACK) || problem.contains("Connection refused")
        || problem.contains("ConnectException") || problem.contains("UnknownHost")
        || problem.contains("No route to host");
  }

  /** Prefix of the problem of a copy the dispatcher did not send because earlier copies are pending. */
  public static final String HELD_BACK = "held back: ";
}
