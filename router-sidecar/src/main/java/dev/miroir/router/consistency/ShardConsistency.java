package dev.miroir.router.consistency;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.ReplicaJudgement;
import dev.miroir.core.digest.ShardDigest;
import java.util.List;
import java.util.Locale;

/** One shard of one index: every replica's digest and the judgement over them. */
public record ShardConsistency(int shard, List<ReplicaCheck> replicas, ReplicaJudgement.Verdict verdict) {

  public ShardConsistency {
    replicas = List.copyOf(replicas);
  }

  public boolean divergent() {
    return verdict.status() == ReplicaJudgement.Status.DIVERGENT;
  }

  /** The authoritative replica's digest, or null when there is none. */
  public ShardDigest authoritativeDigest() {
    return replicas.stream().filter(r -> r.nodeId().equals(verdict.authoritative())).map(ReplicaCheck::digest)
        .findFirst().orElse(null);
  }

  void writeTo(ObjectNode out) {
    out.put("shard", shard);
    out.put("status", verdict.status().name().toLowerCase(Locale.ROOT));
    out.put("divergent", divergent());
    out.put("authoritative", verdict.authoritative());
    out.put("rule", verdict.rule().name().toLowerCase(Locale.ROOT));
    ShardDigest winning = authoritativeDigest();
    ArrayNode list = out.putArray("replicas");
    replicas.forEach(r -> r.writeTo(list.addObject(), verdict.authoritative(), winning));
    ArrayNode divergentNodes = out.putArray("divergentReplicas");
    verdict.divergent().forEach(divergentNodes::add);
  }
}
