package dev.miroir.core.digest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.digest.ReplicaJudgement.Replica;
import dev.miroir.core.digest.ReplicaJudgement.Rule;
import dev.miroir.core.digest.ReplicaJudgement.Status;
import dev.miroir.core.digest.ReplicaJudgement.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaJudgementTest {

  static final ShardDigest X = ShardDigest.builder().addJson("{\"id\":1}", "id").build();
  static final ShardDigest Y = ShardDigest.builder().addJson("{\"id\":2}", "id").build();

  static Replica ok(String node, ShardDigest d) {
    return new Replica(node, d, true, true);
  }

  @Test
  void equalReplicasAreConsistentAndThePrimaryIsAuthoritative() {
    Verdict v = ReplicaJudgement.judge(List.of(ok("a", X), ok("b", X)), 2);
    assertThat(v.status()).isEqualTo(Status.CONSISTENT);
    assertThat(v.authoritative()).isEqualTo("a");
    assertThat(v.divergent()).isEmpty();
  }

  @Test
  void atRf2ThePrimaryWinsEvenWhenItIsTheOneThatChanged() {
    Verdict v = ReplicaJudgement.judge(List.of(ok("a", Y), ok("b", X)), 2);
    assertThat(v.status()).isEqualTo(Status.DIVERGENT);
    assertThat(v.authoritative()).isEqualTo("a");
    assertThat(v.rule()).isEqualTo(Rule.PRIMARY);
    assertThat(v.divergent()).containsExactly("b");
    assertThat(v.repairable()).containsExactly("b");
  }

  @Test
  void atRf3TheMajorityOutvotesThePrimary() {
    Verdict v = ReplicaJudgement.judge(List.of(ok("a", Y), ok("b", X), ok("c", X)), 3);
    assertThat(v.authoritative()).isEqualTo("b");
    assertThat(v.rule()).isEqualTo(Rule.MAJORITY);
    assertThat(v.divergent()).containsExactly("a");
  }

  @Test
  void anIneligibleReplicaNeitherWinsNorVotes() {
    // a needs repair: b is the primary among eligible ones; at RF 3, b and c split, so no majority.
    Verdict v = ReplicaJudgement.judge(List.of(new Replica("a", X, false, true), ok("b", Y), ok("c", X)), 3);
    assertThat(v.authoritative()).isEqualTo("b");
    assertThat(v.rule()).isEqualTo(Rule.PRIMARY);
    assertThat(v.divergent()).containsExactly("a", "c");
  }

  @Test
  void aReplicaThatIsBehindIsDivergentButNotRepairedYet() {
    Verdict v = ReplicaJudgement.judge(List.of(ok("a", X), new Replica("b", Y, false, false)), 2);
    assertThat(v.divergent()).containsExactly("b");
    assertThat(v.repairable()).isEmpty();
  }

  @Test
  void noEligibleReplicaMeansNoAuthorityAndNoRepair() {
    Verdict v = ReplicaJudgement.judge(List.of(new Replica("a", X, false, true), new Replica("b", Y, false, true)), 2);
    assertThat(v.status()).isEqualTo(Status.DIVERGENT);
    assertThat(v.authoritative()).isNull();
    assertThat(v.rule()).isEqualTo(Rule.NONE);
    assertThat(v.divergent()).containsExactly("a", "b");
    assertThat(v.repairable()).isEmpty();
  }

  @Test
  void anUnreadableReplicaMakesAnAgreeingShardUnknownAndCannotWin() {
    Verdict v = ReplicaJudgement.judge(List.of(new Replica("a", null, true, true), ok("b", X)), 2);
    assertThat(v.status()).isEqualTo(Status.UNKNOWN);
    assertThat(v.authoritative()).isEqualTo("b");
    assertThat(v.divergent()).isEmpty();
  }
}
