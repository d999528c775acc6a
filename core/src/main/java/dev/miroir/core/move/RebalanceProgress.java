package dev.miroir.core.move;

import java.util.List;

/**
 * What status lines, {@code local status} and the operator's status show about a rebalance.
 *
 * @param movesDone moves finished (done or rolled back)
 * @param movesTotal moves planned
 * @param rolledBack moves given up (their shard stays on its old owners)
 * @param documentsCopied documents written to gaining nodes so far
 * @param current "shard 7: copying" for each move in progress
 * @param blocking the first problem a move in progress reports, or null
 */
public record RebalanceProgress(
    int movesDone, int movesTotal, int rolledBack, long documentsCopied, List<String> current, String blocking) {

  public RebalanceProgress {
    current = List.copyOf(current);
  }

  static RebalanceProgress of(RebalanceJournal journal) {
    int done = (int) journal.moves().stream().filter(m -> m.step().isFinal()).count();
    int rolledBack = (int) journal.moves().stream().filter(m -> m.step() == MoveStep.ROLLED_BACK).count();
    long copied = journal.moves().stream().mapToLong(ShardMoveState::documentsCopied).sum();
    List<ShardMoveState> active =
        journal.moves().stream().filter(m -> !m.step().isFinal() && m.step() != MoveStep.PLANNED).toList();
    List<String> current = active.stream().map(m -> "shard " + m.shard() + ": " + m.step().wireName()).toList();
    String blocking = active.stream().filter(m -> m.problem() != null)
        .map(m -> "shard " + m.shard() + " " + m.step().wireName() + ": " + m.problem()).findFirst().orElse(null);
    return new RebalanceProgress(done, journal.moves().size(), rolledBack, copied, current, blocking);
  }
}
