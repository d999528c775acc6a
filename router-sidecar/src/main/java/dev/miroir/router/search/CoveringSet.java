package dev.miroir.router.search;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes one query reaches and, per node, the shards it answers for: every available shard
 * appears under exactly one node. Shards with no usable replica are listed in {@code unavailable}
 * so the caller can return a partial result naming them, or refuse it.
 *
 * @param shardsByNode node id to its shards in ascending order, nodes in the order chosen
 * @param unavailable shards no replica can serve, ascending
 */
public record CoveringSet(Map<String, List<Integer>> shardsByNode, List<Integer> unavailable) {

  public CoveringSet {
    Map<String, List<Integer>> copy = new LinkedHashMap<>();
    shardsByNode.forEach((node, shards) -> copy.put(node, List.copyOf(shards)));
    shardsByNode = Collections.unmodifiableMap(copy);
    unavailable = List.copyOf(unavailable);
  }

  /** True when every shard is answered for. */
  public boolean complete() {
    return unavailable.isEmpty();
  }

  /** The shards this node answers for, empty when it is not part of the set. */
  public List<Integer> shardsOf(String node) {
    return shardsByNode.getOrDefault(node, List.of());
  }
}
