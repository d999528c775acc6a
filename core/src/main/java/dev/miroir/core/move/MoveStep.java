package dev.miroir.core.move;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where one shard move stands. The order of the protocol in {@code docs/design/rebalance.md}: each
 * state is saved before its action runs, and every action is idempotent, so a rerun after a crash
 * repeats at most the action of the saved state.
 */
public enum MoveStep {
  /** Nothing done yet; the shard is at rest on its old owners. */
  PLANNED,
  /** Publishing the epoch that adds the gaining nodes to the shard's write targets, then waiting for every router. */
  JOINING,
  /** Making every index exist on the gaining nodes with the source's primary key and settings. */
  PREPARING,
  /** Bulk copy of the shard from a source owner, page by page, no fence. */
  COPYING,
  /** One unfenced diff round that rewrites what raced the copy. */
  CATCHING_UP,
  /** Raising the write fence on this shard. */
  FENCING,
  /** Fenced: drain, diff, rewrite, then verify digests equal on every gaining node. */
  FENCED,
  /**
   * Verified: lifting the fence at once, then publishing the epoch where the new owners read while old
   * and new owners both still take every write, and waiting for every router. Outside the fence: both
   * copies are complete and both receive every write, so either may answer reads.
   */
  SWITCHING_READS,
  /** Publishing the epoch where the new owners read and write the shard, then waiting for every router. */
  CUTTING_OVER,
  /** Lifting a fence left by a journal of the two-epoch protocol (before reads switched on their own). */
  LIFTING,
  /** Deleting the shard's documents on losing nodes that stay in the cluster. */
  DROPPING,
  /** Finished. */
  DONE,
  /** Abandoning: publishing the shard at rest on its old owners again, then waiting for every router. */
  ROLLING_BACK,
  /** Abandoning: lifting a fence and deleting the partial copy on the gaining nodes. */
  DISCARDING,
  /** Abandoned; the shard is at rest on its old owners, nothing lost. */
  ROLLED_BACK;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @JsonCreator
  public static MoveStep fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** Finished one way or the other. */
  public boolean isFinal() {
    return this == DONE || this == ROLLED_BACK;
  }

  /** Reads and writes of the shard belong to its new owners from this state on (no way back). */
  public boolean isCutOver() {
    return this == CUTTING_OVER || this == LIFTING || this == DROPPING || this == DONE;
  }

  /** The shard is being given back to its old owners. */
  public boolean isRollingBack() {
    return this == ROLLING_BACK || this == DISCARDING || this == ROLLED_BACK;
  }

  /** The gaining nodes are write targets (epoch N+1 of the protocol). */
  public boolean writesJoined() {
    return ordinal() >= JOINING.ordinal() && ordinal() <= FENCED.ordinal();
  }

  /** A rollback is still possible: the new owners have not taken over reads. */
  public boolean canRollBack() {
    return !isCutOver() && !isRollingBack() && this != SWITCHING_READS;
  }
}
