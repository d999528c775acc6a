package dev.miroir.core.digest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, for one shard, whether its replicas agree and which copy is authoritative: the rule of
 * docs/design/anti-entropy.md as a pure function.
 *
 * <p>Only <em>eligible</em> replicas (caught up with every acknowledged write and not marked as
 * needing repair) can be authoritative. With RF 3 or more, the digest held by a strict majority of the
 * eligible readable replicas wins; otherwise (RF 1 or 2, or no majority) the first eligible readable
 * replica in the shard's {@code readOwners} order, the rendezvous primary, wins, as Elasticsearch's
 * primary is authoritative over its replicas.
 */
public final class ReplicaJudgement {

  private ReplicaJudgement() {}

  /**
   * One replica as seen by a check.
   *
   * @param nodeId the node
   * @param digest what it holds, or null when it could not be read
   * @param eligible may be the authoritative copy (caught up, not needing repair)
   * @param caughtUp has no write copy still waiting to be delivered to it (a replica that is behind
   *     must not be repaired: its pending copies would land on top of the repair)
   */
  public record Replica(String nodeId, ShardDigest digest, boolean eligible, boolean caughtUp) {
    public boolean readable() {
      return digest != null;
    }
  }

  public enum Status {
    /** every replica read, all equal */
    CONSISTENT,
    /** two readable replicas differ */
    DIVERGENT,
    /** readable replicas agree but some replica could not be read */
    UNKNOWN
  }

  public enum Rule {
    /** RF >= 3 and a strict majority of eligible replicas agree */
    MAJORITY,
    /** the first eligible replica in readOwners order */
    PRIMARY,
    /** no eligible readable replica: nothing can be repaired */
    NONE
  }

  /**
   * @param status whether the shard's replicas agree
   * @param authoritative the node whose copy wins, or null ({@link Rule#NONE})
   * @param rule how it was chosen
   * @param divergent readable replicas whose digest differs from the authoritative one (all differing
   *     readable replicas when there is none), in readOwners order
   * @param repairable the divergent replicas a repair may rewrite now: caught up, and an
   *     authoritative copy exists
   */
  public record Verdict(Status status, String authoritative, Rule rule, List<String> divergent, List<String> repairable) {
    public Verdict {
      divergent = List.copyOf(divergent);
      repairable = List.copyOf(repairable);
    }
  }

  /**
   * @param replicas the shard's replicas in readOwners order
   * @param replicationFactor the cluster's RF
   */
  public static Verdict judge(List<Replica> replicas, int replicationFactor) {
    List<Replica> readable = replicas.stream().filter(Replica::readable).toList();
    long distinct = readable.stream().map(r -> r.digest()).distinct().count();
    Status status = distinct > 1 ? Status.DIVERGENT
        : readable.size() < replicas.size() ? Status.UNKNOWN : Status.CONSISTENT;

    List<Replica> candidates = readable.stream().filter(Replica::eligible).toList();
    Replica winner = null;
    Rule rule = Rule.NONE;
    if (!candidates.isEmpty()) {
      if (replicationFactor >= 3) {
        Map<ShardDigest, Integer> votes = new LinkedHashMap<>();
        candidates.forEach(r -> votes.merge(r.digest(), 1, Integer::sum));
        for (Map.Entry<ShardDigest, Integer> v : votes.entrySet()) {
          if (v.getValue() * 2 > candidates.size()) {
            ShardDigest majority = v.getKey();
            winner = candidates.stream().filter(r -> r.digest().equals(majority)).findFirst().orElseThrow();
            rule = Rule.MAJORITY;
          }
        }
      }
      if (winner == null) {
        winner = candidates.get(0);
        rule = Rule.PRIMARY;
      }
    }

    List<String> divergent = new ArrayList<>();
    List<String> repairable = new ArrayList<>();
    if (status == Status.DIVERGENT) {
      for (Replica r : readable) {
        if (winner == null || !r.digest().equals(winner.digest())) {
          divergent.add(r.nodeId());
          if (winner != null && r.caughtUp()) {
            repairable.add(r.nodeId());
          }
        }
      }
    }
    return new Verdict(status, winner == null ? null : winner.nodeId(), rule, divergent, repairable);
  }
}
