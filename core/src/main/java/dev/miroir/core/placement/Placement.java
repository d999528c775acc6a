package dev.miroir.core.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The owners of every shard for one node set: an immutable value computed by {@link Rendezvous}. */
public final class Placement {

  private final int shards;
  private final int replicationFactor;
  private final List<Node> nodes;
  private final List<List<String>> owners;

  private Placement(int shards, int replicationFactor, List<Node> nodes, List<List<String>> owners) {
    this.shards = shards;
    this.replicationFactor = replicationFactor;
    this.nodes = nodes;
    this.owners = owners;
  }

  /**
   * Places {@code shards} shards with {@code replicationFactor} owners each on {@code nodes}.
   *
   * @throws IllegalArgumentException when the inputs cannot give every shard its owners
   */
  public static Placement compute(Collection<Node> nodes, int shards, int replicationFactor) {
    if (shards < 1) {
      throw new IllegalArgumentException("shard count must be at least 1, got " + shards);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "replication factor must be at least 1, got " + replicationFactor);
    }
    if (replicationFactor > nodes.size()) {
      throw new IllegalArgumentException(
          "replication factor " + replicationFactor + " needs at least that many nodes, got "
              + nodes.size());
    }
    Set<String> ids = new HashSet<>();
    for (Node node : nodes) {
      if (!ids.add(node.id())) {
        throw new IllegalArgumentException("duplicate node id `" + node.id() + "`");
      }
    }
    List<Node> nodeList = List.copyOf(nodes);
    Rendezvous rendezvous = new Rendezvous(nodeList);
    List<List<String>> owners = new ArrayList<>(shards);
    for (int shard = 0; shard < shards; shard++) {
      owners.add(List.copyOf(rendezvous.owners(shard, replicationFactor)));
    }
    return new Placement(shards, replicationFactor, nodeList, Collections.unmodifiableList(owners));
  }

  public static Placement compute(List<String> nodeIds, int shards, int replicationFactor) {
    return compute(nodeIds.stream().map(Node::of).toList(), shards, replicationFactor);
  }

  public int shards() {
    return shards;
  }

  public int replicationFactor() {
    return replicationFactor;
  }

  public List<Node> nodes() {
    return nodes;
  }

  /** The owners of {@code shard}, best-scoring first. */
  public List<String> owners(int shard) {
    return owners.get(shard);
  }

  /** The owners of the shard that holds the document with this primary-key value. */
  public List<String> ownersOfDocument(Object primaryKeyValue) {
    return owners(ShardHash.shardOfId(primaryKeyValue, shards));
  }

  /** Shards owned by {@code nodeId}, ascending. */
  public List<Integer> shardsOf(String nodeId) {
    List<Integer> result = new ArrayList<>();
    for (int shard = 0; shard < shards; shard++) {
      if (owners.get(shard).contains(nodeId)) {
        result.add(shard);
      }
    }
    return result;
  }

  /** How many shard replicas each node holds, in node order. */
  public Map<String, Integer> replicaCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    nodes.forEach(node -> counts.put(node.id(), 0));
    owners.forEach(list -> list.forEach(id -> counts.merge(id, 1, Integer::sum)));
    return counts;
  }

  /** Replicas on the busiest node divided by the mean replicas per node (1.0 is perfect balance). */
  public double imbalance() {
    int max = replicaCounts().values().stream().mapToInt(Integer::intValue).max().orElse(0);
    double mean = (double) shards * replicationFactor / nodes.size();
    return max / mean;
  }
}
