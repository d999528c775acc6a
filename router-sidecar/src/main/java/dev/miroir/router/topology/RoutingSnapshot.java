package dev.miroir.router.topology;

import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a request needs to route, at one epoch. Immutable: each request reads the current
 * snapshot once and uses it to the end, so an epoch switch never splits a request across two
 * placements.
 */
public final class RoutingSnapshot {

  private final TopologyDocument document;
  private final Map<String, TopologyNode> nodes;
  /** {@link #placedShards()}, computed on first use (snapshots are immutable). */
  private volatile Map<String, List<Integer>> placed;

  public RoutingSnapshot(TopologyDocument document) {
    this.document = document;
    Map<String, TopologyNode> byId = new LinkedHashMap<>();
    document.nodes().forEach(n -> byId.put(n.id(), n));
    this.nodes = java.util.Collections.unmodifiableMap(byId);
  }

  public TopologyDocument document() {
    return document;
  }

  public long epoch() {
    return document.epoch();
  }

  public int shards() {
    return document.shards();
  }

  public int replicationFactor() {
    return document.replicationFactor();
  }

  public List<String> writeTargets(int shard) {
    return document.assignment(shard).writeTargets();
  }

  public List<String> readOwners(int shard) {
    return document.assignment(shard).readOwners();
  }

  /** Every node in the document, in document order. */
  public Map<String, TopologyNode> nodes() {
    return nodes;
  }

  public TopologyNode node(String id) {
    TopologyNode node = nodes.get(id);
    if (node == null) {
      throw new IllegalArgumentException("node `" + id + "` is not in topology epoch " + epoch());
    }
    return node;
  }

  /** Write targets of every shard: what a broadcast (index, settings, delete-all) must reach. */
  public SortedMap<Integer, List<String>> allWriteTargets() {
    SortedMap<Integer, List<String>> targets = new TreeMap<>();
    for (ShardAssignment a : document.placement()) {
      targets.put(a.shard(), a.writeTargets());
    }
    return targets;
  }

  /**
   * Nodes that must receive a broadcast: every write target of some shard, plus any other listed
   * node (a node that holds no shard yet must still have the index and its settings before it gets
   * one).
   */
  public List<String> broadcastNodes() {
    return new ArrayList<>(nodes.keySet());
  }

  /**
   * One readable owner for every shard, as few nodes as a greedy pass finds, each with the shards it
   * answers for. Used for counts that must see each document once (stats). Issue 4's search builds
   * its own, load-aware covering set.
   */
  public Map<String, List<Integer>> coveringSet(java.util.function.Predicate<String> usable) {
    Map<String, List<Integer>> cover = new LinkedHashMap<>();
    for (ShardAssignment a : document.placement()) {
      String chosen = null;
      for (String owner : a.readOwners()) {
        TopologyNode node = nodes.get(owner);
        if (node != null && node.state().isReadable() && usable.test(owner)) {
          if (cover.containsKey(owner)) {
            chosen = owner;
            break;
          }
          if (chosen == null) {
            chosen = owner;
          }
        }
      }
      if (chosen != null) {
        cover.computeIfAbsent(chosen, k -> new ArrayList<>()).add(a.shard());
      }
    }
    return cover;
  }

  /**
   * Per node, every shard the placement lets it hold documents of (it is a write target or a read
   * owner of the shard), ascending. A node may still hold leftovers of shards moved away from it: the
   * placement alone does not prove what a node holds (see {@code http/ShardResidency}).
   */
  public Map<String, List<Integer>> placedShards() {
    Map<String, List<Integer>> known = placed;
    if (known != null) {
      return known;
    }
    Map<String, List<Integer>> byNode = new TreeMap<>();
    for (int shard = 0; shard < shards(); shard++) {
      java.util.TreeSet<String> holders = new java.util.TreeSet<>(writeTargets(shard));
      holders.addAll(readOwners(shard));
      for (String node : holders) {
        byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(shard);
      }
    }
    byNode.replaceAll((node, list) -> List.copyOf(list));
    placed = java.util.Collections.unmodifiableMap(byNode);
    return placed;
  }
}
