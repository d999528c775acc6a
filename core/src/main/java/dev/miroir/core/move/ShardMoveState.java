package dev.miroir.core.move;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Everything saved about one shard move: enough for a new process to resume it.
 *
 * @param shard the shard
 * @param before owners before the move (they serve reads until cut-over)
 * @param after owners after the move
 * @param step where the move stands
 * @param publishedEpoch the epoch published by this step ({@code JOINING}, {@code CUTTING_OVER},
 *     {@code ROLLING_BACK}), 0 when this step has not published yet
 * @param source the owner copied from (for reporting; re-chosen at each action)
 * @param copyIndex the index the copy cursor is in, null before the first page
 * @param copyOffset the offset of the next page in {@code copyIndex}
 * @param fenceId the fence this move raised and has not lifted, or null
 * @param documentsCopied documents written to gaining nodes (pages and rewrites)
 * @param verifyAttempts fenced verifications that failed
 * @param failures consecutive failed actions in the current step
 * @param problem the last failure, for status, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardMoveState(
    int shard,
    List<String> before,
    List<String> after,
    MoveStep step,
    long publishedEpoch,
    String source,
    String copyIndex,
    long copyOffset,
    String fenceId,
    long documentsCopied,
    int verifyAttempts,
    int failures,
    String problem) {

  public ShardMoveState {
    before = List.copyOf(before);
    after = List.copyOf(after);
  }

  public static ShardMoveState planned(int shard, List<String> before, List<String> after) {
    return new ShardMoveState(shard, before, after, MoveStep.PLANNED, 0, null, null, 0, null, 0, 0, 0, null);
  }

  /** Nodes that receive a copy. */
  @JsonIgnore
  public List<String> gaining() {
    return after.stream().filter(n -> !before.contains(n)).sorted().toList();
  }

  /** Nodes that give theirs up after cut-over. */
  @JsonIgnore
  public List<String> losing() {
    return before.stream().filter(n -> !after.contains(n)).sorted().toList();
  }

  /**
   * A refill ({@link RefillPlanner}): the old owners are the new ones minus nodes that came back empty,
   * nobody loses a copy. It can only go forward: rolling back would put the shard at rest on fewer than
   * RF owners, or give reads back to a node that holds nothing.
   */
  @JsonIgnore
  public boolean isRefill() {
    return losing().isEmpty() && after.containsAll(before) && before.size() < after.size();
  }

  /** Old and new owners: the write targets while the shard moves. */
  @JsonIgnore
  public List<String> writeTargetsWhileMoving() {
    List<String> all = new java.util.ArrayList<>(before);
    after.stream().filter(n -> !before.contains(n)).forEach(all::add);
    return all;
  }

  /** The same move in another step; per-step fields start over. */
  ShardMoveState enter(MoveStep next) {
    return new ShardMoveState(shard, before, after, next, 0, source, copyIndex, copyOffset, fenceId,
        documentsCopied, verifyAttempts, 0, null);
  }

  ShardMoveState withPublishedEpoch(long epoch) {
    return new ShardMoveState(shard, before, after, step, epoch, source, copyIndex, copyOffset, fenceId,
        documentsCopied, verifyAttempts, failures, problem);
  }

  ShardMoveState withSource(String node) {
    return new ShardMoveState(shard, before, after, step, publishedEpoch, node, copyIndex, copyOffset, fenceId,
        documentsCopied, verifyAttempts, failures, problem);
  }

  ShardMoveState withCursor(String index, long offset, long copied) {
    return new ShardMoveState(shard, before, after, step, publishedEpoch, source, index, offset, fenceId,
        documentsCopied + copied, verifyAttempts, 0, null);
  }

  ShardMoveState withCopied(long copied) {
    return new ShardMoveState(shard, before, after, step, publishedEpoch, source, copyIndex, copyOffset, fenceId,
        documentsCopied + copied, verifyAttempts, failures, problem);
  }

  ShardMoveState withFence(String id) {
    return new ShardMoveState(shard, before, after, step, publishedEpoch, source, copyIndex, copyOffset, id,
        documentsCopied, verifyAttempts, failures, problem);
  }

  ShardMoveState withVerifyAttempts(int attempts) {
    return new ShardMoveState(shard, before, after, step, publishedEpoch, source, copyIndex, copyOffset, fenceId,
        documentsCopied, attempts, failures, problem);
  }

  /** Keeps the reason a move left its path, without counting a failure. */
  ShardMoveState failedReason(String why) {
    return new ShardMoveState(shard, before, after, step, publishedEpoch, source, copyIndex, copyOffset, fenceId,
        documentsCopied, verifyAttempts, failures, why);
  }

  ShardMoveState failed(String why) {
    return new ShardMoveState(shard, before, after, step, publishedEpoch, source, copyIndex, copyOffset, fenceId,
        documentsCopied, verifyAttempts, failures + 1, why);
  }
}
