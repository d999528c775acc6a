package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.move.MoveStep;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.ShardMoveState;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.crd.RebalanceStatus;
import dev.miroir.operator.model.ClusterStatusAggregator;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.PlacementDecision;
import dev.miroir.operator.model.RebalanceReport;
import dev.miroir.operator.model.TopologyPlanner;
import dev.miroir.operator.model.WantedNodes;
import dev.miroir.operator.testing.ArgoHealth;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What a rebalance shows outside the operator (issue 10 items 3 and 4): which node leaves, the
 * status block and printer column, the Events of each phase, and Argo CD health while moves run.
 */
class RebalanceVisibilityTest {

  private static final List<String> NO_ZONES = List.of();

  // ---- which node leaves ----

  @Test
  void theHighestOrdinalLeavesUnlessANodeIsMarkedThenTheMarkedOneLeaves() {
    List<String> three = List.of("demo-0", "demo-1", "demo-2");
    WantedNodes.Choice byDefault = WantedNodes.choose("demo", 2, 2, NO_ZONES, three, Set.of());
    assertThat(ids(byDefault)).containsExactly("demo-0", "demo-1");
    assertThat(byDefault.leaving()).containsExactly("demo-2");
    assertThat(byDefault.refusal()).isNull();

    WantedNodes.Choice marked = WantedNodes.choose("demo", 2, 2, NO_ZONES, three, Set.of("demo-1"));
    assertThat(ids(marked)).containsExactly("demo-0", "demo-2");
    assertThat(marked.leaving()).containsExactly("demo-1");

    // After the marked node is gone the choice is stable: its gap is not refilled at the same size.
    assertThat(ids(WantedNodes.choose("demo", 2, 2, NO_ZONES, List.of("demo-0", "demo-2"), Set.of())))
        .containsExactly("demo-0", "demo-2");
    // ...and a later scale-up takes the free ordinal first.
    assertThat(ids(WantedNodes.choose("demo", 3, 2, NO_ZONES, List.of("demo-0", "demo-2"), Set.of())))
        .containsExactly("demo-0", "demo-1", "demo-2");
  }

  @Test
  void aMarkedNodeWithoutAScaleDownIsReplacedByANewOrdinal() {
    WantedNodes.Choice replaced = WantedNodes.choose("demo", 3, 2, List.of("a", "b", "c"),
        List.of("demo-0", "demo-1", "demo-2"), Set.of("demo-0"));
    assertThat(ids(replaced)).containsExactly("demo-1", "demo-2", "demo-3");
    assertThat(replaced.leaving()).containsExactly("demo-0");
    assertThat(replaced.nodes().get(2).zone()).isEqualTo("a");
    // A new cluster is ordinals 0..n-1, as before.
    assertThat(ids(WantedNodes.choose("demo", 3, 1, NO_ZONES, List.of(), Set.of())))
        .containsExactly("demo-0", "demo-1", "demo-2");
    assertThat(WantedNodes.choose("demo", 3, 1, NO_ZONES, List.of(), Set.of()).nodes())
        .isEqualTo(DesiredNode.forCount("demo", 3, NO_ZONES));
  }

  @Test
  void aReplacementTakesTheZoneWithTheFewestNodesNotTheLowestFreeOrdinal() {
    // demo-1 (zone b) leaves with no scale-down: the lowest free ordinal, 4, is in zone a, which
    // already has two nodes; 5 is the lowest free ordinal of zone b.
    WantedNodes.Choice replaced = WantedNodes.choose("demo", 4, 2, List.of("a", "b"),
        List.of("demo-0", "demo-1", "demo-2", "demo-3"), Set.of("demo-1"));
    assertThat(ids(replaced)).containsExactly("demo-0", "demo-2", "demo-3", "demo-5");
    assertThat(replaced.nodes()).extracting(DesiredNode::zone).containsExactly("a", "a", "b", "b");
    assertThat(replaced.refusal()).isNull();
    // Every ordinal of zone b up to 5 is taken by a leaving node: the next one of b is 7.
    WantedNodes.Choice far = WantedNodes.choose("demo", 2, 2, List.of("a", "b"),
        List.of("demo-0", "demo-1", "demo-3", "demo-5"), Set.of("demo-1", "demo-3", "demo-5"));
    assertThat(ids(far)).containsExactly("demo-0", "demo-7");
    assertThat(far.leaving()).containsExactly("demo-1", "demo-3", "demo-5");
  }

  @Test
  void removingTheNodesOfEveryOtherZoneIsRefusedNamingTheZoneRule() {
    List<String> four = List.of("demo-0", "demo-1", "demo-2", "demo-3");
    WantedNodes.Choice refused = WantedNodes.choose("demo", 2, 2, List.of("a", "b", "c"), four,
        Set.of("demo-1", "demo-2"));
    assertThat(refused.reason()).isEqualTo(WantedNodes.REASON_TOO_FEW_ZONES);
    assertThat(refused.refusal()).contains("demo-1, demo-2").contains("1 zone(s)").contains("spec.zoneAwareness.zones");
    assertThat(ids(refused)).isEqualTo(four);
    assertThat(refused.leaving()).isEmpty();
    // The same scale-down without marks keeps demo-0 (a) and demo-1 (b): allowed.
    WantedNodes.Choice plain = WantedNodes.choose("demo", 2, 2, List.of("a", "b", "c"), four, Set.of());
    assertThat(plain.refusal()).isNull();
    assertThat(ids(plain)).containsExactly("demo-0", "demo-1");
    // RF 1 needs no spread: the same marks are allowed.
    assertThat(WantedNodes.choose("demo", 2, 1, List.of("a", "b", "c"), four, Set.of("demo-1", "demo-2")).refusal())
        .isNull();
  }

  @Test
  void tooFewRemainingNodesForTheReplicationFactorIsRefusedNamingTheRuleAndNothingLeaves() {
    List<String> three = List.of("demo-0", "demo-1", "demo-2");
    WantedNodes.Choice refused = WantedNodes.choose("demo", 2, 3, NO_ZONES, three, Set.of("demo-1"));
    assertThat(refused.refusal()).contains("cannot hold 3 copies").contains("spec.replicationFactor");
    assertThat(refused.reason()).isEqualTo(WantedNodes.REASON_TOO_FEW_NODES);
    assertThat(ids(refused)).containsExactly("demo-0", "demo-1", "demo-2");
    assertThat(refused.leaving()).isEmpty();

    PlacementDecision.Change change = PlacementDecision.change(null, refused.nodes(), 8, 3);
    MeiliClusterStatus status = new ClusterStatusAggregator(null, 1, Instant.EPOCH)
        .placement(change, PlacementDecision.decide(change, OptionalLong.empty()))
        .nodes(3, 2, Set.copyOf(three))
        .blocker(WantedNodes.REASON_TOO_FEW_NODES, refused.refusal())
        .build();
    assertThat(status.getConditions().get(0).getReason()).isEqualTo("TooFewNodesForReplicationFactor");
    assertThat(status.getPhase()).isEqualTo("Blocked");
  }

  // ---- status, Events, Argo CD ----

  @Test
  void eachPhaseOfAMoveIsOneEventAndThePrinterColumnCountsMoves() {
    RebalanceJournal planned = journal(MoveStep.PLANNED, MoveStep.PLANNED);
    RebalanceStatus first = RebalanceReport.status(planned, null);
    assertThat(first.getMoves()).isEqualTo("0/2");
    assertThat(reasons(RebalanceReport.events(null, first, planned))).containsExactly("RebalancePlanned");
    assertThat(RebalanceReport.events(null, first, planned).get(0).message()).contains("leaving [demo-2]");
    // Nothing new, nothing said (an operator restart repeats no Event).
    assertThat(RebalanceReport.events(first, RebalanceReport.status(planned, null), planned)).isEmpty();

    RebalanceJournal copying = journal(MoveStep.COPYING, MoveStep.PLANNED);
    RebalanceStatus second = RebalanceReport.status(copying, null);
    assertThat(reasons(RebalanceReport.events(first, second, copying))).containsExactly("ShardsCopying");
    assertThat(second.getCurrent()).containsExactly("shard 1: copying");

    // A pass that missed the fenced verification still reports it, then the cut-over.
    RebalanceJournal cutOver = journal(MoveStep.LIFTING, MoveStep.FENCED);
    RebalanceStatus third = RebalanceReport.status(cutOver, null);
    assertThat(reasons(RebalanceReport.events(second, third, cutOver)))
        .containsExactly("ShardsCopying", "ShardsVerified", "ShardsCutOver");

    RebalanceJournal done = journal(MoveStep.DONE, MoveStep.DONE);
    RebalanceStatus fourth = RebalanceReport.status(done, null);
    assertThat(fourth.getMoves()).isEqualTo("2/2");
    assertThat(fourth.getDrainedNodes()).containsExactly("demo-2");
    assertThat(reasons(RebalanceReport.events(third, fourth, done)))
        .containsExactly("ShardsVerified", "ShardsCutOver", "NodeDrained");
    assertThat(reasons(RebalanceReport.events(fourth, null, null))).containsExactly("RebalanceFinished");
    // A journal removed before any pass saw the node drained still says it once.
    assertThat(reasons(RebalanceReport.events(third, null, null))).containsExactly("NodeDrained", "RebalanceFinished");

    RebalanceStatus failed = RebalanceReport.status(copying, "demo-rebalance-1");
    List<RebalanceReport.Event> blocked = RebalanceReport.events(second, failed, copying);
    assertThat(blocked).singleElement().satisfies(e -> {
      assertThat(e.warning()).isTrue();
      assertThat(e.reason()).isEqualTo("RebalanceBlocked");
      assertThat(e.message()).contains("demo-rebalance-1");
    });
  }

  @Test
  void argoCdSaysProgressingWhileMovesRunAndHealthyAfter() {
    var change = PlacementDecision.change(null, DesiredNode.forCount("demo", 3, NO_ZONES), 8, 2);
    var doc = TopologyPlanner.next("demo", null, change.wanted(), id -> "http://" + id + ":7700");
    UnaryOperator<ClusterStatusAggregator> ready = a -> a
        .placement(change, PlacementDecision.decide(change, OptionalLong.empty()))
        .nodes(3, 3, Set.of("demo-0", "demo-1", "demo-2")).published(doc);
    MeiliClusterStatus moving = ready.apply(new ClusterStatusAggregator(null, 1, Instant.EPOCH))
        .rebalance(RebalanceReport.status(journal(MoveStep.COPYING, MoveStep.PLANNED), null)).build();
    assertThat(moving.getRebalance().getMoves()).isEqualTo("0/2");
    ArgoHealth.Health health = ArgoHealth.of(cluster(moving));
    assertThat(health.status()).isEqualTo("Progressing");
    assertThat(health.message()).contains("0/2");

    MeiliClusterStatus blocked = ready.apply(new ClusterStatusAggregator(null, 1, Instant.EPOCH))
        .rebalance(RebalanceReport.status(journal(MoveStep.COPYING, MoveStep.PLANNED), "demo-rebalance-1")).build();
    assertThat(ArgoHealth.of(cluster(blocked)).message()).contains("blocked: mover Job demo-rebalance-1 failed");

    MeiliClusterStatus after = ready.apply(new ClusterStatusAggregator(null, 1, Instant.EPOCH)).build();
    assertThat(after.getRebalance()).isNull();
    assertThat(ArgoHealth.of(cluster(after)).status()).isEqualTo("Healthy");
  }

  /** 3 -> 2 nodes, RF 2: shard 1 moves from demo-2 to demo-0, shard 4 from demo-2 to demo-1. */
  private static RebalanceJournal journal(MoveStep shard1, MoveStep shard4) {
    List<TopologyNode> before = List.of(node("demo-0"), node("demo-1"), node("demo-2"));
    return new RebalanceJournal("r1", "demo", 8, 2, 3, 3, before, before.subList(0, 2), 2, 2, 2, List.of(
        step(ShardMoveState.planned(1, List.of("demo-1", "demo-2"), List.of("demo-0", "demo-1")), shard1),
        step(ShardMoveState.planned(4, List.of("demo-0", "demo-2"), List.of("demo-0", "demo-1")), shard4)));
  }

  private static ShardMoveState step(ShardMoveState m, MoveStep step) {
    return new ShardMoveState(m.shard(), m.before(), m.after(), step, 0, null, null, 0, null, 0, 0, 0, null);
  }

  private static TopologyNode node(String id) {
    return new TopologyNode(id, "http://" + id + ":7700", null, NodeState.ACTIVE);
  }

  private static MeiliCluster cluster(MeiliClusterStatus status) {
    MeiliCluster cluster = new MeiliCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("ns").withGeneration(1L).build());
    cluster.setStatus(status);
    return cluster;
  }

  private static List<String> ids(WantedNodes.Choice choice) {
    return choice.nodes().stream().map(DesiredNode::id).toList();
  }

  private static List<String> reasons(List<RebalanceReport.Event> events) {
    return events.stream().map(RebalanceReport.Event::reason).toList();
  }
}
