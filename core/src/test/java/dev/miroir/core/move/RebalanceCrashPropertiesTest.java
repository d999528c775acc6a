package dev.miroir.core.move;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.move.MoveAction.AwaitRouters;
import dev.miroir.core.move.MoveAction.CatchUp;
import dev.miroir.core.move.MoveAction.CopyPage;
import dev.miroir.core.move.MoveAction.DropShard;
import dev.miroir.core.move.MoveAction.LiftFence;
import dev.miroir.core.move.MoveAction.PrepareTargets;
import dev.miroir.core.move.MoveAction.PublishTopology;
import dev.miroir.core.move.MoveAction.RaiseFence;
import dev.miroir.core.move.MoveAction.ReconcileAndVerify;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A whole rebalance driven against a model of the cluster, with the mover killed at random points
 * (before or after saving), actions failing at random, routers lagging and verifications failing.
 * At every step: reads only ever go to complete copies, a copy is dropped only from nodes no router
 * routes the shard to, epochs only grow; at the end every move is done or rolled back and the
 * published placement says so. Milliseconds per run.
 */
class RebalanceCrashPropertiesTest {

  static List<TopologyNode> nodes(int n) {
    List<TopologyNode> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new TopologyNode("n" + i, "http://127.0.0.1:" + (7701 + i), null, NodeState.ACTIVE));
    }
    return list;
  }

  /** The cluster as the protocol's correctness sees it. */
  static final class World {
    TopologyDocument published;
    TopologyDocument served; // what every router serves (confirmed)
    final Map<Integer, Set<String>> complete = new HashMap<>();
    final Set<String> liveFences = new HashSet<>();
    int fenceSeq;
    final Random random;
    final double failRate;

    World(TopologyDocument initial, Random random, double failRate) {
      this.published = initial;
      this.served = initial;
      this.random = random;
      this.failRate = failRate;
      for (ShardAssignment a : initial.placement()) {
        complete.put(a.shard(), new HashSet<>(a.readOwners()));
      }
    }

    void checkReads(TopologyDocument doc) {
      for (ShardAssignment a : doc.placement()) {
        assertThat(complete.get(a.shard())).as("epoch %d reads shard %d from complete copies", doc.epoch(), a.shard())
            .containsAll(a.readOwners());
      }
    }

    MoveOutcome run(MoveAction action, RebalanceJournal journal, ShardMoveState move) {
      if (random.nextDouble() < failRate && !(action instanceof MoveAction.Finished)) {
        return new MoveOutcome.Failed("injected");
      }
      if (action instanceof PublishTopology) {
        TopologyDocument next = RebalanceTopology.next(journal, published);
        assertThat(next.epoch()).isGreaterThanOrEqualTo(published.epoch());
        published = next;
        checkReads(published);
        return new MoveOutcome.Published(published.epoch());
      }
      if (action instanceof AwaitRouters await) {
        if (random.nextDouble() < 0.3) {
          return new MoveOutcome.Failed("a router still serves epoch " + served.epoch());
        }
        served = published;
        assertThat(served.epoch()).isGreaterThanOrEqualTo(await.epoch());
        return new MoveOutcome.RoutersConfirmed();
      }
      if (action instanceof PrepareTargets) {
        return new MoveOutcome.Prepared(move.before().get(0));
      }
      if (action instanceof CopyPage page) {
        long offset = page.offset() + 100;
        return new MoveOutcome.PageCopied("idx", offset, 100, offset >= 300);
      }
      if (action instanceof CatchUp) {
        return new MoveOutcome.CaughtUp(1);
      }
      if (action instanceof RaiseFence) {
        String id = "f" + (++fenceSeq);
        liveFences.add(id);
        return new MoveOutcome.FenceRaised(id);
      }
      if (action instanceof ReconcileAndVerify verify) {
        assertThat(liveFences).as("verification runs under a fence this run raised").contains(verify.fenceId());
        assertThat(served.assignment(move.shard()).writeTargets()).as("gaining nodes take writes before verify")
            .containsAll(move.gaining());
        if (random.nextDouble() < 0.2) {
          return new MoveOutcome.NotVerified("digest differs", 1);
        }
        complete.get(move.shard()).addAll(move.gaining());
        return new MoveOutcome.Verified(0);
      }
      if (action instanceof LiftFence lift) {
        liveFences.remove(lift.fenceId());
        return new MoveOutcome.FenceLifted();
      }
      if (action instanceof DropShard drop) {
        for (String node : drop.nodes()) {
          for (TopologyDocument doc : List.of(published, served)) {
            assertThat(doc.assignment(move.shard()).writeTargets()).as("dropping shard %d from %s", move.shard(), node)
                .doesNotContain(node);
          }
          complete.get(move.shard()).remove(node);
        }
        return new MoveOutcome.Dropped();
      }
      throw new AssertionError("unexpected action " + action);
    }
  }

  @Property(tries = 300)
  void aRebalanceKilledAnywhereFinishesWithNothingLost(
      @ForAll @IntRange(min = 2, max = 5) int from,
      @ForAll @IntRange(min = 2, max = 5) int to,
      @ForAll @IntRange(min = 1, max = 3) int concurrency,
      @ForAll long seed) {
    Random random = new Random(seed);
    int shards = 8;
    int rf = 2;
    TopologyDocument initial = TopologyDocument.steadyState("t", 3, nodes(from),
        Placement.compute(nodes(from).stream().map(TopologyNode::id).toList(), shards, rf));
    RebalanceJournal saved = RebalancePlanner.plan(initial, nodes(to), concurrency, "r1");
    World world = new World(initial, random, 0.1);
    RebalanceJournal journal = saved;
    int crashes = 0;
    for (int round = 0; round < 20_000 && !journal.isFinished(); round++) {
      List<ShardMoveState> runnable = journal.runnable();
      assertThat(runnable.stream().filter(m -> m.step() != MoveStep.PLANNED).count())
          .isLessThanOrEqualTo(Math.max(concurrency, 0) + 0L);
      ShardMoveState move = runnable.get(random.nextInt(runnable.size()));
      if (move.step() == MoveStep.PLANNED) {
        journal = journal.with(MoveMachine.begin(move));
        saved = journal;
        continue;
      }
      MoveAction action = MoveMachine.next(move, journal.staying());
      MoveOutcome outcome = world.run(action, journal, move);
      if (outcome instanceof MoveOutcome.Published p) {
        journal = journal.withLastEpoch(p.epoch());
      }
      if (outcome instanceof MoveOutcome.Failed && move.failures() > 20 && move.step().canRollBack()) {
        outcome = new MoveOutcome.Abandon("gave up");
      }
      ShardMoveState next = MoveMachine.advance(move, outcome);
      if (random.nextDouble() < 0.05) {
        // Killed after acting, before saving: the outcome is lost; a new process resumes the saved journal.
        crashes++;
        journal = resumeAll(JournalCodec.decode(JournalCodec.encode(saved)));
        continue;
      }
      journal = journal.with(next);
      saved = journal;
      if (random.nextDouble() < 0.05) {
        crashes++;
        journal = resumeAll(JournalCodec.decode(JournalCodec.encode(saved)));
      }
    }
    assertThat(journal.isFinished()).as("finished after %d crashes", crashes).isTrue();
    // The final publication states the outcome of every move.
    world.published = RebalanceTopology.next(journal, world.published);
    world.served = world.published;
    world.checkReads(world.served);
    for (ShardMoveState m : journal.moves()) {
      ShardAssignment a = world.served.assignment(m.shard());
      assertThat(a.isMoving()).isFalse();
      assertThat(Set.copyOf(a.readOwners())).isEqualTo(Set.copyOf(m.step() == MoveStep.DONE ? m.after() : m.before()));
    }
    if (journal.moves().stream().allMatch(m -> m.step() == MoveStep.DONE)) {
      assertThat(world.served.nodes()).extracting(TopologyNode::id)
          .containsExactlyElementsOf(nodes(to).stream().map(TopologyNode::id).toList());
      assertThat(world.served.nodes()).allMatch(n -> n.state() == NodeState.ACTIVE);
    }
  }

  static RebalanceJournal resumeAll(RebalanceJournal journal) {
    for (ShardMoveState m : journal.moves()) {
      journal = journal.with(MoveMachine.resume(m));
    }
    return journal;
  }
}
