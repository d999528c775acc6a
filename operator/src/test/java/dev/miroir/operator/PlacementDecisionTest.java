package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.PlacementDecision;
import dev.miroir.operator.model.PlacementDecision.Verdict;
import dev.miroir.operator.model.TopologyPlanner;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The safety rule for publishing a placement, and the epoch rule, as pure functions. */
class PlacementDecisionTest {

  private static TopologyDocument published(int nodes, int rf) {
    var change = PlacementDecision.change(null, DesiredNode.forCount("demo", nodes, List.of()), 16, rf);
    return TopologyPlanner.next("demo", null, change.wanted(), id -> "http://" + id + ":7700");
  }

  @Test
  void firstPlacementIsPublishedWithoutAskingNodes() {
    var change = PlacementDecision.change(null, DesiredNode.forCount("demo", 3, List.of()), 16, 1);
    assertThat(change.needsDocumentCount()).isFalse();
    assertThat(PlacementDecision.decide(change, OptionalLong.empty()).verdict()).isEqualTo(Verdict.PUBLISH);
  }

  @Test
  void unchangedSpecKeepsThePlacement() {
    var change = PlacementDecision.change(published(3, 1), DesiredNode.forCount("demo", 3, List.of()), 16, 1);
    assertThat(change.needsDocumentCount()).isFalse();
    assertThat(PlacementDecision.decide(change, OptionalLong.empty()).verdict()).isEqualTo(Verdict.KEEP);
  }

  @Test
  void scaleOnAnEmptyClusterIsPublished() {
    var change = PlacementDecision.change(published(3, 1), DesiredNode.forCount("demo", 5, List.of()), 16, 1);
    assertThat(change.needsDocumentCount()).isTrue();
    var decision = PlacementDecision.decide(change, OptionalLong.of(0));
    assertThat(decision.verdict()).isEqualTo(Verdict.PUBLISH);
    assertThat(decision.reason()).isEqualTo(PlacementDecision.REASON_EMPTY);
  }

  @Test
  void scaleWithDocumentsIsPending() {
    var change = PlacementDecision.change(published(3, 1), DesiredNode.forCount("demo", 2, List.of()), 16, 1);
    var decision = PlacementDecision.decide(change, OptionalLong.of(10));
    assertThat(decision.verdict()).isEqualTo(Verdict.PENDING);
    assertThat(decision.reason()).isEqualTo(PlacementDecision.REASON_DATA_MOVE);
  }

  @Test
  void unknownDocumentCountIsTreatedAsDocumentsPresent() {
    var change = PlacementDecision.change(published(3, 1), DesiredNode.forCount("demo", 4, List.of()), 16, 1);
    var decision = PlacementDecision.decide(change, OptionalLong.empty());
    assertThat(decision.verdict()).isEqualTo(Verdict.PENDING);
    assertThat(decision.reason()).isEqualTo(PlacementDecision.REASON_COUNT_UNKNOWN);
  }

  @Test
  void replicationFactorChangeWithDocumentsIsPending() {
    var change = PlacementDecision.change(published(3, 1), DesiredNode.forCount("demo", 3, List.of()), 16, 2);
    assertThat(PlacementDecision.decide(change, OptionalLong.of(1)).verdict()).isEqualTo(Verdict.PENDING);
  }

  @Test
  void shardCountChangeIsNeverApplied() {
    var change = PlacementDecision.change(published(3, 1), DesiredNode.forCount("demo", 3, List.of()), 32, 1);
    var decision = PlacementDecision.decide(change, OptionalLong.of(0));
    assertThat(decision.verdict()).isEqualTo(Verdict.PENDING);
    assertThat(decision.reason()).isEqualTo(PlacementDecision.REASON_SHARDS_CHANGED);
  }

  @Test
  void epochMovesOnlyWhenOwnersOrUrlsChange() {
    TopologyDocument first = published(3, 1);
    assertThat(first.epoch()).isEqualTo(1);
    var same = PlacementDecision.change(first, DesiredNode.forCount("demo", 3, List.of()), 16, 1).wanted();
    assertThat(TopologyPlanner.next("demo", first, same, id -> "http://" + id + ":7700")).isSameAs(first);
    assertThat(TopologyPlanner.next("demo", first, same, id -> "http://" + id + ".other:7700").epoch()).isEqualTo(2);
    var grown = PlacementDecision.change(first, DesiredNode.forCount("demo", 4, List.of()), 16, 1).wanted();
    assertThat(TopologyPlanner.next("demo", first, grown, id -> "http://" + id + ":7700").epoch()).isEqualTo(2);
  }

  @Test
  void zonesAreAssignedRoundRobinSoTheyAreKnownBeforeScheduling() {
    assertThat(DesiredNode.forCount("ha", 4, List.of("a", "b", "c")))
        .extracting(DesiredNode::zone).containsExactly("a", "b", "c", "a");
  }

  @Test
  void aMissingTopologyAfterAPublicationIsNeverAFirstPlacement() {
    var decision = PlacementDecision.guard(PlacementDecision.Reading.absent(), 7L).orElseThrow();
    assertThat(decision.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(decision.reason()).isEqualTo(PlacementDecision.REASON_TOPOLOGY_MISSING);
    assertThat(PlacementDecision.guard(PlacementDecision.Reading.absent(), null)).as("a new cluster").isEmpty();
  }

  @Test
  void anUnreadableTopologyHoldsEverything() {
    var decision = PlacementDecision.guard(new PlacementDecision.Reading(null, "not json"), null).orElseThrow();
    assertThat(decision.verdict()).isEqualTo(Verdict.HOLD);
    assertThat(decision.reason()).isEqualTo(PlacementDecision.REASON_TOPOLOGY_UNREADABLE);
  }

  @Test
  void anOlderTopologyThanPublishedHoldsEverything() {
    TopologyDocument doc = published(3, 1);
    assertThat(PlacementDecision.guard(new PlacementDecision.Reading(doc, null), doc.epoch() + 1).orElseThrow().reason())
        .isEqualTo(PlacementDecision.REASON_TOPOLOGY_OLDER);
    assertThat(PlacementDecision.guard(new PlacementDecision.Reading(doc, null), doc.epoch())).isEmpty();
  }
}
