package dev.miroir.router.write;

import static dev.miroir.router.write.QuorumRule.NodeOutcome.ENQUEUED;
import static dev.miroir.router.write.QuorumRule.NodeOutcome.REJECTED;
import static dev.miroir.router.write.QuorumRule.NodeOutcome.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.router.write.QuorumRule.Verdict;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class QuorumRuleTest {

  private static TreeMap<Integer, List<String>> targets() {
    TreeMap<Integer, List<String>> t = new TreeMap<>();
    t.put(0, List.of("a", "b", "c"));
    t.put(1, List.of("b", "c", "d"));
    return t;
  }

  @Test
  void allTargetsEnqueuedIsAcknowledgedWithoutDegradation() {
    var d = QuorumRule.decide(targets(), Map.of("a", ENQUEUED, "b", ENQUEUED, "c", ENQUEUED, "d", ENQUEUED), 3);
    assertThat(d.verdict()).isEqualTo(Verdict.ACKNOWLEDGED);
    assertThat(d.degradedShards()).isEmpty();
  }

  @Test
  void rf3ToleratesOneMissingTargetAndNamesTheShard() {
    var d = QuorumRule.decide(targets(), Map.of("a", UNAVAILABLE, "b", ENQUEUED, "c", ENQUEUED, "d", ENQUEUED), 3);
    assertThat(d.verdict()).isEqualTo(Verdict.ACKNOWLEDGED);
    assertThat(d.degradedShards()).containsExactly(0);
    assertThat(d.lateNodes()).containsExactly("a");
  }

  @Test
  void rf2NeedsBothCopies() {
    TreeMap<Integer, List<String>> t = new TreeMap<>(Map.of(4, List.of("a", "b"), 5, List.of("c", "d")));
    var d = QuorumRule.decide(t, Map.of("a", ENQUEUED, "b", UNAVAILABLE, "c", ENQUEUED, "d", ENQUEUED), 2);
    assertThat(d.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(d.failedShards()).containsExactly(4);
  }

  @Test
  void aRefusalByEveryNodeIsPassedThrough() {
    var d = QuorumRule.decide(targets(), Map.of("a", REJECTED, "b", REJECTED, "c", REJECTED, "d", UNAVAILABLE), 3);
    assertThat(d.verdict()).isEqualTo(Verdict.REJECTED);
  }

  @Test
  void aRefusalWhilePeersEnqueuedCountsAsAMissingCopy() {
    var d = QuorumRule.decide(targets(), Map.of("a", REJECTED, "b", ENQUEUED, "c", ENQUEUED, "d", ENQUEUED), 3);
    assertThat(d.verdict()).isEqualTo(Verdict.ACKNOWLEDGED);
    assertThat(d.degradedShards()).containsExactly(0);
    assertThat(d.lateNodes()).containsExactly("a");
    TreeMap<Integer, List<String>> rf2 = new TreeMap<>(Map.of(4, List.of("a", "b")));
    var broken = QuorumRule.decide(rf2, Map.of("a", REJECTED, "b", ENQUEUED), 2);
    assertThat(broken.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(broken.failedShards()).containsExactly(4);
  }

  @Test
  void quorumIsAMajorityOfRf() {
    assertThat(QuorumRule.quorum(1)).isEqualTo(1);
    assertThat(QuorumRule.quorum(2)).isEqualTo(2);
    assertThat(QuorumRule.quorum(3)).isEqualTo(2);
    assertThat(QuorumRule.quorum(5)).isEqualTo(3);
  }
}
