package dev.miroir.router.consistency;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.ShardDigest;
import java.util.List;
import java.util.Locale;

/**
 * What a repair of one index did: per divergent shard, the authoritative copy and what was written to
 * and deleted from each divergent replica, and whether that replica then digested equal.
 *
 * @param before the check that found the divergent shards
 * @param shards one entry per shard the repair looked at
 */
public record RepairReport(String indexUid, IndexConsistency before, List<ShardRepair> shards) {

  public RepairReport {
    shards = List.copyOf(shards);
  }

  /**
   * One shard.
   *
   * @param authoritative the node copied from, or null when none was eligible
   * @param rule how it was chosen
   * @param replicas what was done to each divergent replica
   * @param problem why the shard could not be repaired (no eligible copy, fence refused...), else null
   */
  public record ShardRepair(int shard, String authoritative, String rule, List<ReplicaRepair> replicas, String problem) {
    public ShardRepair {
      replicas = List.copyOf(replicas);
    }

    public boolean repaired() {
      return problem == null && replicas.stream().allMatch(ReplicaRepair::consistent);
    }
  }

  /**
   * One replica rewritten from the authoritative copy.
   *
   * @param written documents replaced or added (missing or differing)
   * @param deleted ids the authoritative copy lacks, deleted
   * @param after the replica's digest once its node tasks succeeded, or null
   * @param consistent whether {@code after} equals the authoritative digest
   * @param problem why it was not (or not fully) repaired, else null
   */
  public record ReplicaRepair(String nodeId, int written, int deleted, ShardDigest after, boolean consistent,
      String problem) {}

  public boolean allRepaired() {
    return shards.stream().allMatch(ShardRepair::repaired);
  }

  public ObjectNode toJson() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("indexUid", indexUid);
    out.put("divergentShardsBefore", before.divergentShards());
    out.put("repairedShards", shards.stream().filter(ShardRepair::repaired).count());
    out.put("unrepairedShards", shards.stream().filter(s -> !s.repaired()).count());
    out.put("consistent", allRepaired());
    ArrayNode list = out.putArray("results");
    for (ShardRepair s : shards) {
      ObjectNode o = list.addObject();
      o.put("shard", s.shard());
      o.put("repaired", s.repaired());
      o.put("authoritative", s.authoritative());
      o.put("rule", s.rule() == null ? null : s.rule().toLowerCase(Locale.ROOT));
      if (s.problem() != null) {
        o.put("problem", s.problem());
      }
      ArrayNode replicas = o.putArray("replicas");
      for (ReplicaRepair r : s.replicas()) {
        ObjectNode ro = replicas.addObject();
        ro.put("nodeId", r.nodeId());
        ro.put("written", r.written());
        ro.put("deleted", r.deleted());
        if (r.after() != null) {
          ro.put("countAfter", r.after().count());
          ro.put("digestAfter", r.after().digest());
        }
        ro.put("consistent", r.consistent());
        if (r.problem() != null) {
          ro.put("problem", r.problem());
        }
      }
    }
    return out;
  }
}
