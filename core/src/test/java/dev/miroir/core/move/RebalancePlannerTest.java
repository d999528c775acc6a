package dev.miroir.core.move;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.plan.MovePlanner;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class RebalancePlannerTest {

  static TopologyDocument steady(int n, long epoch) {
    List<TopologyNode> nodes = RebalanceCrashPropertiesTest.nodes(n);
    return TopologyDocument.steadyState("t", epoch, nodes,
        Placement.compute(nodes.stream().map(TopologyNode::id).toList(), 64, 2));
  }

  @Test
  void plansExactlyWhatMovePlannerPlansAndKeepsItsMinimum() {
    TopologyDocument current = steady(3, 4);
    RebalanceJournal journal = RebalancePlanner.plan(current, RebalanceCrashPropertiesTest.nodes(4), 2, "r");
    var plan = MovePlanner.plan(Placement.compute(List.of("n0", "n1", "n2"), 64, 2),
        Placement.compute(List.of("n0", "n1", "n2", "n3"), 64, 2));
    assertThat(journal.moves()).extracting(ShardMoveState::shard)
        .containsExactlyElementsOf(plan.moves().stream().map(m -> m.shard()).toList());
    assertThat(journal.replicasToMove()).isEqualTo(plan.replicasMoved());
    assertThat(journal.theoreticalMinimum()).isEqualTo(plan.theoreticalMinimum());
    assertThat(journal.fromEpoch()).isEqualTo(4);
  }

  @Test
  void refusesWhenTheRemainingNodesCannotHoldEveryCopy() {
    assertThatThrownBy(() -> RebalancePlanner.plan(steady(3, 1), RebalanceCrashPropertiesTest.nodes(1), 2, "r"))
        .isInstanceOfSatisfying(RebalancePlanner.Refused.class,
            e -> assertThat(e.rule()).isEqualTo(RebalancePlanner.RULE_TOO_FEW_NODES));
  }

  @Test
  void refusesToPlanOverAMoveNobodyJournaled() {
    TopologyDocument current = steady(3, 1);
    List<ShardAssignment> placement = new java.util.ArrayList<>(current.placement());
    ShardAssignment a = placement.get(0);
    placement.set(0, new ShardAssignment(0, a.readOwners(), List.of("n0", "n1", "n2")));
    TopologyDocument moving = new TopologyDocument(1, "t", 2, 64, 2, current.nodes(), placement);
    assertThatThrownBy(() -> RebalancePlanner.plan(moving, RebalanceCrashPropertiesTest.nodes(4), 2, "r"))
        .isInstanceOfSatisfying(RebalancePlanner.Refused.class,
            e -> assertThat(e.rule()).isEqualTo(RebalancePlanner.RULE_MOVE_IN_FLIGHT));
  }

  @Test
  void derivedTopologyShowsJoiningAndDrainingNodesAndTheMovingShards() {
    TopologyDocument current = steady(4, 9);
    RebalanceJournal journal = RebalancePlanner.plan(current, RebalanceCrashPropertiesTest.nodes(3), 2, "r");
    TopologyDocument draining = RebalanceTopology.next(journal, current);
    assertThat(draining.placement()).as("nothing begun: no shard moves yet").isEqualTo(current.placement());
    assertThat(draining.node("n3").orElseThrow().state()).as("the leaving node drains from the start")
        .isEqualTo(NodeState.DRAINING);
    assertThat(RebalanceTopology.next(journal, draining)).as("derived again: no new epoch").isSameAs(draining);
    ShardMoveState first = journal.moves().get(0);
    journal = journal.with(MoveMachine.begin(first));
    TopologyDocument joined = RebalanceTopology.next(journal, draining);
    assertThat(joined.epoch()).isEqualTo(11);
    ShardAssignment moving = joined.assignment(first.shard());
    assertThat(moving.readOwners()).isEqualTo(first.before());
    assertThat(moving.writeTargets()).containsAll(first.after()).containsAll(first.before());
    assertThat(joined.node("n3").orElseThrow().state()).isEqualTo(NodeState.DRAINING);

    for (ShardMoveState m : journal.moves()) {
      journal = journal.with(m.enter(MoveStep.DONE));
    }
    TopologyDocument done = RebalanceTopology.next(journal, joined);
    assertThat(done.nodes()).extracting(TopologyNode::id).containsExactly("n0", "n1", "n2");
    assertThat(done.placement()).noneMatch(ShardAssignment::isMoving);
    assertThat(done.epoch()).isEqualTo(12);
  }

  @Test
  void journalSurvivesItsJsonForm() {
    RebalanceJournal journal = RebalancePlanner.plan(steady(3, 4), RebalanceCrashPropertiesTest.nodes(4), 2, "r");
    journal = journal.with(MoveMachine.begin(journal.moves().get(0)).withFence("f"));
    assertThat(JournalCodec.decode(JournalCodec.encode(journal))).isEqualTo(journal);
    assertThat(JournalCodec.encode(journal)).contains("\"step\" : \"joining\"");
  }
}
