package dev.miroir.core.move;

/** What the mover reports back after running a {@link MoveAction}. */
public sealed interface MoveOutcome {

  /** The derived topology is in the store at {@code epoch}. */
  record Published(long epoch) implements MoveOutcome {}

  record RoutersConfirmed() implements MoveOutcome {}

  record Prepared(String source) implements MoveOutcome {}

  /**
   * A page is enqueued on every gaining node.
   *
   * @param nextIndex the cursor's index after this page
   * @param nextOffset the cursor's offset after this page
   * @param documents documents copied by this page
   * @param finished whether the whole shard of every index has been paged
   */
  record PageCopied(String nextIndex, long nextOffset, long documents, boolean finished) implements MoveOutcome {}

  record CaughtUp(long rewritten) implements MoveOutcome {}

  record FenceRaised(String fenceId) implements MoveOutcome {}

  record Verified(long rewritten) implements MoveOutcome {}

  /** Digests still differ after the fenced rewrite (a write slipped past, a node changed by hand...). */
  record NotVerified(String why, long rewritten) implements MoveOutcome {}

  record FenceLifted() implements MoveOutcome {}

  record Dropped() implements MoveOutcome {}

  /** The action failed and may be retried (a node or router did not answer...). */
  record Failed(String why) implements MoveOutcome {}

  /** Give the move up (a gaining node is gone, the user cancelled): roll back if still possible. */
  record Abandon(String why) implements MoveOutcome {}
}
