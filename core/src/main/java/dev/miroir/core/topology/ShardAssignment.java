package dev.miroir.core.topology;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Who serves one shard. In steady state both lists are the shard's RF owners. While the shard moves,
 * writes go to old and new owners alike (so a copy in flight misses nothing) and reads stay on the
 * old owners until cutover.
 *
 * @param shard shard number
 * @param readOwners nodes a search may ask for this shard, best first
 * @param writeTargets nodes every write to this shard must reach
 */
public record ShardAssignment(
    @JsonProperty(required = true) int shard,
    @JsonProperty(required = true) List<String> readOwners,
    @JsonProperty(required = true) List<String> writeTargets) {

  public ShardAssignment {
    readOwners = readOwners == null ? List.of() : List.copyOf(readOwners);
    writeTargets = writeTargets == null ? List.of() : List.copyOf(writeTargets);
  }

  public static ShardAssignment steady(int shard, List<String> owners) {
    return new ShardAssignment(shard, owners, owners);
  }

  /** A shard moves while its write targets differ from its read owners. */
  @JsonIgnore
  public boolean isMoving() {
    return !(readOwners.size() == writeTargets.size() && writeTargets.containsAll(readOwners));
  }
}
