package dev.miroir.core.move;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.miroir.core.move.MoveOutcome.FenceLifted;
import dev.miroir.core.move.MoveOutcome.FenceRaised;
import dev.miroir.core.move.MoveOutcome.NotVerified;
import dev.miroir.core.move.MoveOutcome.PageCopied;
import dev.miroir.core.move.MoveOutcome.Prepared;
import dev.miroir.core.move.MoveOutcome.Published;
import dev.miroir.core.move.MoveOutcome.RoutersConfirmed;
import dev.miroir.core.move.MoveOutcome.Verified;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The protocol of one shard, step by step, as docs/design/rebalance.md tells it. */
class MoveMachineTest {

  static final Set<String> STAYING = Set.of("n0", "n1", "n2", "n3");

  ShardMoveState move = MoveMachine.begin(ShardMoveState.planned(7, List.of("n0", "n1"), List.of("n3", "n0")));

  MoveAction next() {
    return MoveMachine.next(move, STAYING);
  }

  void then(MoveOutcome outcome) {
    move = MoveMachine.advance(move, outcome);
  }

  @Test
  void walksTheWholeProtocolInOrder() {
    assertThat(move.gaining()).containsExactly("n3");
    assertThat(move.losing()).containsExactly("n1");
    assertThat(move.step()).isEqualTo(MoveStep.JOINING);
    assertThat(next()).isEqualTo(new PublishTopology());
    then(new Published(5));
    assertThat(next()).isEqualTo(new AwaitRouters(5));
    then(new RoutersConfirmed());
    assertThat(move.step()).isEqualTo(MoveStep.PREPARING);
    assertThat(next()).isEqualTo(new PrepareTargets(List.of("n3")));
    then(new Prepared("n0"));
    assertThat(next()).isEqualTo(new CopyPage(null, 0, List.of("n3")));
    then(new PageCopied("movies", 1000, 1000, false));
    assertThat(next()).isEqualTo(new CopyPage("movies", 1000, List.of("n3")));
    then(new PageCopied("movies", 1500, 500, true));
    assertThat(move.step()).isEqualTo(MoveStep.CATCHING_UP);
    assertThat(move.documentsCopied()).isEqualTo(1500);
    assertThat(next()).isEqualTo(new CatchUp(List.of("n3")));
    then(new CaughtUp(3));
    assertThat(next()).isEqualTo(new RaiseFence(7));
    then(new FenceRaised("f1"));
    assertThat(move.step()).isEqualTo(MoveStep.FENCED);
    assertThat(next()).isEqualTo(new ReconcileAndVerify("f1", List.of("n3")));
    then(new Verified(1));
    assertThat(move.step()).isEqualTo(MoveStep.SWITCHING_READS);
    assertThat(next()).as("the fence covers the verification only").isEqualTo(new LiftFence("f1"));
    then(new FenceLifted());
    assertThat(move.fenceId()).isNull();
    assertThat(next()).isEqualTo(new PublishTopology());
    then(new Published(6));
    assertThat(next()).isEqualTo(new AwaitRouters(6));
    then(new RoutersConfirmed());
    assertThat(move.step()).isEqualTo(MoveStep.CUTTING_OVER);
    assertThat(next()).isEqualTo(new PublishTopology());
    then(new Published(7));
    assertThat(next()).isEqualTo(new AwaitRouters(7));
    then(new RoutersConfirmed());
    assertThat(move.step()).isEqualTo(MoveStep.DROPPING);
    assertThat(next()).isEqualTo(new DropShard(List.of("n1")));
    then(new Dropped());
    assertThat(move.step()).isEqualTo(MoveStep.DONE);
    assertThat(move.documentsCopied()).isEqualTo(1504);
    assertThat(next()).isEqualTo(new Finished());
  }

  @Test
  void aLeavingNodeIsNotCleanedShardByShard() {
    assertThat(MoveMachine.next(move.enter(MoveStep.DROPPING), Set.of("n0", "n3")))
        .isEqualTo(new DropShard(List.of()));
  }

  @Test
  void aResumedFencedMoveLiftsTheOldFenceAndVerifiesUnderANewOne() {
    move = move.enter(MoveStep.FENCED).withFence("old");
    move = MoveMachine.resume(move);
    assertThat(move.step()).isEqualTo(MoveStep.FENCING);
    assertThat(next()).isEqualTo(new LiftFence("old"));
    then(new FenceLifted());
    assertThat(next()).isEqualTo(new RaiseFence(7));
    then(new FenceRaised("new"));
    assertThat(next()).isEqualTo(new ReconcileAndVerify("new", List.of("n3")));
  }

  @Test
  void failedVerificationLiftsTheFenceAndCatchesUpAgainThenRollsBack() {
    move = move.enter(MoveStep.FENCED).withFence("f1");
    then(new NotVerified("digest differs", 2));
    assertThat(move.step()).isEqualTo(MoveStep.CATCHING_UP);
    assertThat(move.problem()).isEqualTo("digest differs");
    assertThat(next()).as("writes must not wait while the move catches up").isEqualTo(new LiftFence("f1"));
    then(new FenceLifted());
    assertThat(next()).isEqualTo(new CatchUp(List.of("n3")));
    for (int attempt = 2; attempt <= MoveMachine.MAX_VERIFY_ATTEMPTS; attempt++) {
      move = move.enter(MoveStep.FENCED).withFence("f" + attempt);
      then(new NotVerified("digest differs", 0));
    }
    assertThat(move.step()).isEqualTo(MoveStep.ROLLING_BACK);
    assertThat(next()).isEqualTo(new PublishTopology());
    then(new Published(9));
    then(new RoutersConfirmed());
    assertThat(move.step()).isEqualTo(MoveStep.DISCARDING);
    assertThat(next()).isEqualTo(new LiftFence("f3"));
    then(new FenceLifted());
    assertThat(next()).as("the partial copy goes, the old owners never stopped taking writes")
        .isEqualTo(new DropShard(List.of("n3")));
    then(new Dropped());
    assertThat(move.step()).isEqualTo(MoveStep.ROLLED_BACK);
  }

  @Test
  void abandonRollsBackOnlyBeforeCutOver() {
    move = move.enter(MoveStep.COPYING);
    then(new Abandon("n3 is gone"));
    assertThat(move.step()).isEqualTo(MoveStep.ROLLING_BACK);
    assertThat(move.problem()).isEqualTo("n3 is gone");

    move = move.enter(MoveStep.SWITCHING_READS);
    then(new Abandon("user cancelled"));
    assertThat(move.step()).as("reads are on the new owners: only forward").isEqualTo(MoveStep.SWITCHING_READS);

    move = move.enter(MoveStep.CUTTING_OVER);
    then(new Abandon("user cancelled"));
    assertThat(move.step()).as("reads may already be on the new owners: only forward").isEqualTo(MoveStep.CUTTING_OVER);
    assertThat(move.failures()).isEqualTo(1);
  }

  @Test
  void aJournalOfTheTwoEpochProtocolStillLiftsItsFenceAfterTheCutOver() {
    move = move.enter(MoveStep.CUTTING_OVER).withFence("f1").withPublishedEpoch(6);
    then(new RoutersConfirmed());
    assertThat(move.step()).isEqualTo(MoveStep.LIFTING);
    assertThat(next()).isEqualTo(new LiftFence("f1"));
  }

  @Test
  void whileReadsSwitchTheNewOwnersReadAndTheOldOnesStillTakeWrites() {
    RebalanceJournal journal = RebalancePlanner.plan(RebalancePlannerTest.steady(3, 1),
        RebalanceCrashPropertiesTest.nodes(4), 2, "r");
    ShardMoveState m = journal.moves().get(0);
    journal = journal.with(m.enter(MoveStep.SWITCHING_READS));
    var a = RebalanceTopology.derive(journal).assignment(m.shard());
    assertThat(a.readOwners()).isEqualTo(m.after());
    assertThat(a.writeTargets()).containsExactlyInAnyOrderElementsOf(m.writeTargetsWhileMoving());
    assertThat(RebalanceTopology.derive(journal).node(m.gaining().get(0)).orElseThrow().state())
        .as("a node serving reads is active").isEqualTo(dev.miroir.core.topology.NodeState.ACTIVE);
  }

  @Test
  void anOutcomeForAnotherStepIsRefused() {
    assertThatThrownBy(() -> MoveMachine.advance(move, new Dropped())).isInstanceOf(IllegalArgumentException.class);
  }
}
