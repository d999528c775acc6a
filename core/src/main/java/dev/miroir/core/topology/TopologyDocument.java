package dev.miroir.core.topology;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The contract between the operator and the routers: who holds which shard at one epoch. The operator
 * publishes it (a ConfigMap in Kubernetes, a file locally); routers switch to a higher epoch
 * atomically. Never holds a secret.
 *
 * @param schemaVersion format version, {@link #SCHEMA_VERSION}
 * @param cluster cluster name
 * @param epoch increases with every change of placement; routers ignore documents with a lower one
 * @param shards logical shard count S, fixed for the cluster's life
 * @param replicationFactor RF
 * @param nodes every node routers may talk to
 * @param placement one assignment per shard, ascending by shard
 */
@JsonPropertyOrder({
  "schemaVersion", "cluster", "epoch", "shards", "replicationFactor", "nodes", "placement"
})
public record TopologyDocument(
    @JsonProperty(required = true) int schemaVersion,
    @JsonProperty(required = true) String cluster,
    @JsonProperty(required = true) long epoch,
    @JsonProperty(required = true) int shards,
    @JsonProperty(required = true) int replicationFactor,
    @JsonProperty(required = true) List<TopologyNode> nodes,
    @JsonProperty(required = true) List<ShardAssignment> placement) {

  public static final int SCHEMA_VERSION = 1;

  public TopologyDocument {
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    placement = placement == null ? List.of() : List.copyOf(placement);
  }

  /** A document with every shard at rest on the owners {@code placement} computes. */
  public static TopologyDocument steadyState(
      String cluster, long epoch, List<TopologyNode> nodes, Placement placement) {
    List<ShardAssignment> assignments = new ArrayList<>(placement.shards());
    for (int shard = 0; shard < placement.shards(); shard++) {
      assignments.add(ShardAssignment.steady(shard, placement.owners(shard)));
    }
    return new TopologyDocument(
        SCHEMA_VERSION,
        cluster,
        epoch,
        placement.shards(),
        placement.replicationFactor(),
        nodes,
        assignments);
  }

  /** The placement nodes (id and zone) of this document's node list. */
  @JsonIgnore
  public List<Node> placementNodes() {
    return nodes.stream().map(n -> new Node(n.id(), n.zone())).toList();
  }

  public Optional<TopologyNode> node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  @JsonIgnore
  public Map<String, TopologyNode> nodesById() {
    return nodes.stream().collect(Collectors.toMap(TopologyNode::id, Function.identity()));
  }

  public ShardAssignment assignment(int shard) {
    return placement.get(shard);
  }

  /** The same document at another epoch. */
  public TopologyDocument withEpoch(long newEpoch) {
    return new TopologyDocument(
        schemaVersion, cluster, newEpoch, shards, replicationFactor, nodes, placement);
  }
}
