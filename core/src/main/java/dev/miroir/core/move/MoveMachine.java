package dev.miroir.core.move;

import dev.miroir.core.move.MoveAction.AwaitRouters;
import dev.miroir.core.move.MoveAction.CatchUp;
import dev.miroir.core.move.MoveAction.CopyPage;
import dev.miroir.core.move.MoveAction.DropShard;
import dev.miroir.core.move.MoveAction.Finished;
import dev.miroir.core.move.MoveAction.LiftFence;
import dev.miroir.core.move.MoveAction.PrepareTargets;
import dev.miroir.core.move.MoveAction.PublishTopology;
import dev.miroir.core.move.MoveAction.RaiseFence;
import dev.miroir.core.move.MoveAction.ReconcileAndVerify;
import dev.miroir.core.move.MoveOutcome.Abandon;
import dev.miroir.core.move.MoveOutcome.CaughtUp;
import dev.miroir.core.move.MoveOutcome.Dropped;
import dev.miroir.core.move.MoveOutcome.Failed;
import dev.miroir.core.move.MoveOutcome.FenceLifted;
import dev.miroir.core.move.MoveOutcome.FenceRaised;
import dev.miroir.core.move.MoveOutcome.NotVerified;
import dev.miroir.core.move.MoveOutcome.PageCopied;
import dev.miroir.core.move.MoveOutcome.Prepared;
import dev.miroir.core.move.MoveOutcome.Published;
import dev.miroir.core.move.MoveOutcome.RoutersConfirmed;
import dev.miroir.core.move.MoveOutcome.Verified;
import java.util.Set;

/**
 * The move protocol of one shard ({@code docs/design/rebalance.md}) as a pure state machine: {@link
 * #next} says what to do in a saved state, {@link #advance} says which state an outcome leads to.
 * The mover saves each new state before running its action, so killing it anywhere and running it
 * again repeats at most one idempotent action.
 */
public final class MoveMachine {

  /** Fenced verifications that may fail before the move is rolled back. */
  public static final int MAX_VERIFY_ATTEMPTS = 3;

  private MoveMachine() {}

  /** Starts a planned move. */
  public static ShardMoveState begin(ShardMoveState move) {
    if (move.step() != MoveStep.PLANNED) {
      return move;
    }
    return move.enter(MoveStep.JOINING);
  }

  /**
   * What a move resumed by a new process must do first. A fence raised by a dead process may have
   * expired (or died with a sequencer), so a fenced move verifies again under a fence of its own; the
   * old fence id is kept so that it is lifted first (a no-op if it is gone).
   */
  public static ShardMoveState resume(ShardMoveState move) {
    if (move.step() == MoveStep.FENCED) {
      return move.enter(MoveStep.FENCING);
    }
    return move;
  }

  /**
   * The next action in a saved state.
   *
   * @param staying the nodes of the cluster after the rebalance: a losing node outside it is leaving
   *     and loses its whole volume instead of dropping the shard
   */
  public static MoveAction next(ShardMoveState move, Set<String> staying) {
    return switch (move.step()) {
      case PLANNED -> throw new IllegalStateException("shard " + move.shard() + " has not begun");
      case JOINING, CUTTING_OVER, ROLLING_BACK ->
          move.publishedEpoch() == 0 ? new PublishTopology() : new AwaitRouters(move.publishedEpoch());
      case PREPARING -> new PrepareTargets(move.gaining());
      case COPYING -> new CopyPage(move.copyIndex(), move.copyOffset(), move.gaining());
      case CATCHING_UP -> move.fenceId() != null ? new LiftFence(move.fenceId()) : new CatchUp(move.gaining());
      case FENCING -> move.fenceId() != null ? new LiftFence(move.fenceId()) : new RaiseFence(move.shard());
      case FENCED -> new ReconcileAndVerify(move.fenceId(), move.gaining());
      // The fence goes first: the verified copy and the old one both take every write from here on.
      case SWITCHING_READS -> move.fenceId() != null ? new LiftFence(move.fenceId())
          : move.publishedEpoch() == 0 ? new PublishTopology() : new AwaitRouters(move.publishedEpoch());
      case LIFTING -> new LiftFence(move.fenceId());
      case DROPPING -> new DropShard(move.losing().stream().filter(staying::contains).toList());
      case DISCARDING -> move.fenceId() != null ? new LiftFence(move.fenceId()) : new DropShard(move.gaining());
      case DONE, ROLLED_BACK -> new Finished();
    };
  }

  /** The state an outcome of {@link #next}'s action leads to. */
  public static ShardMoveState advance(ShardMoveState move, MoveOutcome outcome) {
    if (outcome instanceof Failed f) {
      return move.failed(f.why());
    }
    if (outcome instanceof Abandon a) {
      return move.step().canRollBack() && !move.isRefill()
          ? move.enter(MoveStep.ROLLING_BACK).failedReason(a.why()) : move.failed(a.why());
    }
    MoveStep step = move.step();
    return switch (step) {
      case JOINING -> published(move, outcome, MoveStep.PREPARING);
      // A journal of the older protocol may still hold its fence here; it is lifted before the drop.
      case CUTTING_OVER -> published(move, outcome, move.fenceId() != null ? MoveStep.LIFTING : MoveStep.DROPPING);
      case SWITCHING_READS -> {
        if (outcome instanceof FenceLifted) {
          yield move.withFence(null);
        }
        yield published(move, outcome, MoveStep.CUTTING_OVER);
      }
      case ROLLING_BACK -> published(move, outcome, MoveStep.DISCARDING);
      case PREPARING -> {
        Prepared p = expect(move, outcome, Prepared.class);
        yield move.enter(MoveStep.COPYING).withSource(p.source()).withCursor(null, 0, 0);
      }
      case COPYING -> {
        PageCopied page = expect(move, outcome, PageCopied.class);
        ShardMoveState moved = move.withCursor(page.nextIndex(), page.nextOffset(), page.documents());
        yield page.finished() ? moved.enter(MoveStep.CATCHING_UP) : moved;
      }
      case CATCHING_UP -> {
        if (outcome instanceof FenceLifted) {
          yield move.withFence(null);
        }
        yield move.withCopied(expect(move, outcome, CaughtUp.class).rewritten()).enter(MoveStep.FENCING);
      }
      case FENCING -> {
        if (outcome instanceof FenceLifted) {
          yield move.withFence(null);
        }
        yield move.withFence(expect(move, outcome, FenceRaised.class).fenceId()).enter(MoveStep.FENCED);
      }
      case FENCED -> {
        if (outcome instanceof Verified v) {
          yield move.withCopied(v.rewritten()).enter(MoveStep.SWITCHING_READS);
        }
        NotVerified nv = expect(move, outcome, NotVerified.class);
        int attempts = move.verifyAttempts() + 1;
        ShardMoveState counted = move.withCopied(nv.rewritten()).withVerifyAttempts(attempts);
        // Back to the unfenced catch-up: the fence (still set) is lifted first, writes flow meanwhile.
        // A refill has no way back (see ShardMoveState#isRefill): it retries and reports what blocks.
        yield (attempts >= MAX_VERIFY_ATTEMPTS && !move.isRefill()
            ? counted.enter(MoveStep.ROLLING_BACK)
            : counted.enter(MoveStep.CATCHING_UP)).failedReason(nv.why());
      }
      case LIFTING -> {
        expect(move, outcome, FenceLifted.class);
        yield move.withFence(null).enter(MoveStep.DROPPING);
      }
      case DROPPING -> {
        expect(move, outcome, Dropped.class);
        yield move.enter(MoveStep.DONE);
      }
      case DISCARDING -> {
        if (outcome instanceof FenceLifted) {
          yield move.withFence(null);
        }
        expect(move, outcome, Dropped.class);
        yield move.enter(MoveStep.ROLLED_BACK).failedReason(move.problem());
      }
      case PLANNED, DONE, ROLLED_BACK ->
          throw new IllegalStateException("shard " + move.shard() + " in " + step + " takes no outcome");
    };
  }

  private static ShardMoveState published(ShardMoveState move, MoveOutcome outcome, MoveStep then) {
    if (outcome instanceof Published p) {
      return move.withPublishedEpoch(p.epoch());
    }
    expect(move, outcome, RoutersConfirmed.class);
    return move.enter(then);
  }

  private static <T extends MoveOutcome> T expect(ShardMoveState move, MoveOutcome outcome, Class<T> type) {
    if (!type.isInstance(outcome)) {
      throw new IllegalArgumentException(
          "shard " + move.shard() + " in " + move.step() + " cannot take " + outcome + " (expects "
              + type.getSimpleName() + ")");
    }
    return type.cast(outcome);
  }
}
