package dev.miroir.core.move;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A node that came back empty is refilled by ordinary moves: it takes writes but no reads until its
 * copy of each shard is verified, nothing rolls back to fewer than RF owners, and a refill killed
 * anywhere finishes with every shard at rest on its owners again.
 */
class RefillPlannerTest {

  static TopologyDocument steady(int n, int shards, long epoch) {
    List<TopologyNode> nodes = RebalanceCrashPropertiesTest.nodes(n);
    return TopologyDocument.steadyState("t", epoch, nodes,
        Placement.compute(nodes.stream().map(TopologyNode::id).toList(), shards, 2));
  }

  @Test
  void aNodeWithoutItsMarkerIsEmptyOnlyWhenItWasAskedAndIsPlaced() {
    TopologyDocument current = steady(3, 16, 4);
    assertThat(RefillPlanner.cameBackEmpty(current, Map.of("n0", true, "n1", false))).containsExactly("n1");
    assertThat(RefillPlanner.cameBackEmpty(current, Map.of("n0", true, "n9", false)))
        .as("a node no placement names never held anything").isEmpty();
    assertThat(RefillPlanner.cameBackEmpty(current, Map.of("n0", true)))
        .as("a node that could not be asked is not judged").isEmpty();
  }

  @Test
  void everyShardOfTheEmptyNodeMovesFromItsPeersBackToItsOwners() {
    TopologyDocument current = steady(3, 16, 4);
    RebalanceJournal journal = RefillPlanner.plan(current, Set.of("n1"), 2);
    assertThat(RefillPlanner.isRefill(journal)).isTrue();
    assertThat(RefillPlanner.refilling(journal)).containsExactly("n1");
    List<Integer> owned = current.placement().stream().filter(a -> a.readOwners().contains("n1"))
        .map(ShardAssignment::shard).toList();
    assertThat(journal.moves()).extracting(ShardMoveState::shard).containsExactlyElementsOf(owned);
    for (ShardMoveState m : journal.moves()) {
      assertThat(m.after()).isEqualTo(current.assignment(m.shard()).readOwners());
      assertThat(m.before()).doesNotContain("n1").hasSize(1);
      assertThat(m.gaining()).containsExactly("n1");
      assertThat(m.losing()).isEmpty();
      assertThat(m.isRefill()).isTrue();
      assertThat(m.step()).as("begun: the first publication already takes n1 out of reads").isEqualTo(MoveStep.JOINING);
    }
    TopologyDocument first = RebalanceTopology.next(journal, current);
    assertThat(first.epoch()).isEqualTo(5);
    for (ShardAssignment a : first.placement()) {
      assertThat(a.readOwners()).as("shard %d never read from the empty node", a.shard()).doesNotContain("n1");
      assertThat(a.writeTargets()).as("shard %d still written on every owner", a.shard())
          .containsExactlyInAnyOrderElementsOf(current.assignment(a.shard()).writeTargets());
    }
    assertThat(first.nodes()).extracting(TopologyNode::id).containsExactly("n0", "n1", "n2");
  }

  @Test
  void refusesWhenNoCopyIsLeftOrTheClusterIsNotAtRest() {
    TopologyDocument current = steady(2, 8, 1);
    assertThatThrownBy(() -> RefillPlanner.plan(current, Set.of("n0", "n1"), 2))
        .isInstanceOfSatisfying(RebalancePlanner.Refused.class,
            e -> assertThat(e.rule()).isEqualTo(RefillPlanner.RULE_NO_COPY_LEFT));
    TopologyDocument three = steady(3, 8, 1);
    List<ShardAssignment> placement = new java.util.ArrayList<>(three.placement());
    ShardAssignment a = placement.get(0);
    placement.set(0, new ShardAssignment(0, a.readOwners(), List.of("n0", "n1", "n2")));
    TopologyDocument moving = new TopologyDocument(1, "t", 2, 8, 2, three.nodes(), placement);
    assertThatThrownBy(() -> RefillPlanner.plan(moving, Set.of("n1"), 2))
        .isInstanceOfSatisfying(RebalancePlanner.Refused.class,
            e -> assertThat(e.rule()).isEqualTo(RefillPlanner.RULE_NOT_AT_REST));
  }

  @Test
  void aRefillNeverRollsBack() {
    ShardMoveState move = RefillPlanner.plan(steady(3, 8, 1), Set.of("n2"), 1).moves().get(0);
    ShardMoveState abandoned = MoveMachine.advance(move, new MoveOutcome.Abandon("node gone"));
    assertThat(abandoned.step()).isEqualTo(MoveStep.JOINING);
    assertThat(abandoned.problem()).isEqualTo("node gone");
    ShardMoveState fenced = move;
    for (int i = 0; i < MoveMachine.MAX_VERIFY_ATTEMPTS + 2; i++) {
      fenced = MoveMachine.advance(
          MoveMachine.advance(MoveMachine.advance(fenced.enter(MoveStep.FENCING), new MoveOutcome.FenceRaised("f" + i)),
              new MoveOutcome.NotVerified("digest differs", 0)),
          new MoveOutcome.FenceLifted());
      assertThat(fenced.step()).isEqualTo(MoveStep.CATCHING_UP);
    }
  }

  /**
   * The crash model of {@link RebalanceCrashPropertiesTest}, starting from a node that holds nothing:
   * every publication reads each shard only from complete copies, and the refill always finishes.
   */
  @Property(tries = 200)
  void aRefillKilledAnywhereFinishesAndNeverReadsTheEmptyNode(
      @ForAll @IntRange(min = 2, max = 5) int nodes,
      @ForAll @IntRange(min = 1, max = 3) int concurrency,
      @ForAll long seed) {
    Random random = new Random(seed);
    TopologyDocument initial = steady(nodes, 8, 3);
    String empty = "n" + random.nextInt(nodes);
    RebalanceJournal saved = RefillPlanner.plan(initial, Set.of(empty), concurrency);
    RebalanceCrashPropertiesTest.World world = new RebalanceCrashPropertiesTest.World(initial, random, 0.1);
    world.complete.values().forEach(owners -> owners.remove(empty));
    RebalanceJournal journal = saved;
    int crashes = 0;
    for (int round = 0; round < 20_000 && !journal.isFinished(); round++) {
      List<ShardMoveState> runnable = journal.runnable();
      ShardMoveState move = runnable.get(random.nextInt(runnable.size()));
      MoveAction action = MoveMachine.next(move, journal.staying());
      MoveOutcome outcome = world.run(action, journal, move);
      if (outcome instanceof MoveOutcome.Published p) {
        journal = journal.withLastEpoch(p.epoch());
      }
      if (outcome instanceof MoveOutcome.Failed && move.failures() > 20) {
        outcome = new MoveOutcome.Abandon("gave up");
      }
      ShardMoveState next = MoveMachine.advance(move, outcome);
      if (random.nextDouble() < 0.05) {
        crashes++;
        journal = RebalanceCrashPropertiesTest.resumeAll(JournalCodec.decode(JournalCodec.encode(saved)));
        continue;
      }
      journal = journal.with(next);
      saved = journal;
    }
    assertThat(journal.isFinished()).as("finished after %d crashes", crashes).isTrue();
    assertThat(journal.moves()).allMatch(m -> m.step() == MoveStep.DONE);
    world.published = RebalanceTopology.next(journal, world.published);
    world.checkReads(world.published);
    assertThat(world.published.placement()).isEqualTo(initial.placement());
  }
}
