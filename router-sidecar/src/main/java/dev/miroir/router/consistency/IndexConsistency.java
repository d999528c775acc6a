package dev.miroir.router.consistency;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.ReplicaJudgement;
import dev.miroir.core.digest.ShardDigest;
import java.time.Instant;
import java.util.List;

/**
 * The result of checking every shard of one index: what {@code GET /_miroir/indexes/{uid}/consistency}
 * answers and {@code miroir verify} prints.
 */
public record IndexConsistency(
    String indexUid, long epoch, int replicationFactor, Instant checkedAt, long durationMillis,
    List<ShardConsistency> shards) {

  public IndexConsistency {
    shards = List.copyOf(shards);
  }

  public long count(ReplicaJudgement.Status status) {
    return shards.stream().filter(s -> s.verdict().status() == status).count();
  }

  public long divergentShards() {
    return count(ReplicaJudgement.Status.DIVERGENT);
  }

  public boolean consistent() {
    return shards.stream().allMatch(s -> s.verdict().status() == ReplicaJudgement.Status.CONSISTENT);
  }

  /** Documents in the index by the authoritative copies (each counted once). */
  public long documents() {
    return shards.stream().map(ShardConsistency::authoritativeDigest).filter(d -> d != null)
        .mapToLong(ShardDigest::count).sum();
  }

  public List<Integer> divergentShardNumbers() {
    return shards.stream().filter(ShardConsistency::divergent).map(ShardConsistency::shard).toList();
  }

  /** The counts only, as the periodic report keeps them. */
  public ObjectNode summaryJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("indexUid", indexUid);
    out.put("epoch", epoch);
    out.put("checkedAt", checkedAt.toString());
    out.put("durationMs", durationMillis);
    out.put("consistent", consistent());
    out.put("shards", shards.size());
    out.put("consistentShards", count(ReplicaJudgement.Status.CONSISTENT));
    out.put("divergentShards", divergentShards());
    out.put("unknownShards", count(ReplicaJudgement.Status.UNKNOWN));
    out.put("documents", documents());
    ArrayNode divergent = out.putArray("divergentShardList");
    divergentShardNumbers().forEach(divergent::add);
    return out;
  }

  public ObjectNode toJson() {
    ObjectNode out = summaryJson();
    out.put("replicationFactor", replicationFactor);
    ArrayNode results = out.putArray("results");
    shards.forEach(s -> s.writeTo(results.addObject()));
    return out;
  }
}
