package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** Desired shape of a cluster. The API server enforces every rule below; the operator trusts them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.replicationFactor <= self.replicas",
    message = "replicationFactor must not exceed replicas (each shard needs that many distinct nodes)",
    fieldPath = ".replicationFactor")
public class MeiliClusterSpec {

  public static final int MAX_SHARDS = 4096;

  @Required
  @Min(1)
  @Max(1000)
  @SpecReplicas
  @JsonPropertyDescription("Number of Meilisearch nodes. The scale subresource points here.")
  private Integer replicas;

  @Min(1)
  @Max(16)
  @Default("1")
  @JsonPropertyDescription("Copies of every shard, on distinct nodes (and zones when zone aware).")
  private Integer replicationFactor = 1;

  @Min(1)
  @Max(MAX_SHARDS)
  @Default("16")
  @ValidationRule(value = "self == oldSelf", message = "shards is immutable after creation")
  @JsonPropertyDescription(
      "Logical shard count, fixed for the life of the cluster. Choose several times the largest node"
          + " count you expect.")
  private Integer shards = 16;

  @JsonPropertyDescription("Meilisearch nodes: image, resources, storage, environment, master key.")
  private MeilisearchSpec meilisearch = new MeilisearchSpec();

  @JsonPropertyDescription("Router Deployment serving the cluster's search Service.")
  private RouterSpec router = new RouterSpec();

  @JsonPropertyDescription("Spread replicas of each shard across failure zones.")
  private ZoneAwarenessSpec zoneAwareness;

  @JsonPropertyDescription("How node pods are restarted when their template changes.")
  private UpdateStrategySpec updateStrategy = new UpdateStrategySpec();

  @JsonPropertyDescription("Limits on data movement when the placement changes.")
  private RebalanceSpec rebalance = new RebalanceSpec();

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReplicationFactor() {
    return replicationFactor;
  }

  public void setReplicationFactor(Integer replicationFactor) {
    this.replicationFactor = replicationFactor;
  }

  public Integer getShards() {
    return shards;
  }

  public void setShards(Integer shards) {
    this.shards = shards;
  }

  public MeilisearchSpec getMeilisearch() {
    return meilisearch;
  }

  public void setMeilisearch(MeilisearchSpec meilisearch) {
    this.meilisearch = meilisearch;
  }

  public RouterSpec getRouter() {
    return router;
  }

  public void setRouter(RouterSpec router) {
    this.router = router;
  }

  public ZoneAwarenessSpec getZoneAwareness() {
    return zoneAwareness;
  }

  public void setZoneAwareness(ZoneAwarenessSpec zoneAwareness) {
    this.zoneAwareness = zoneAwareness;
  }

  public UpdateStrategySpec getUpdateStrategy() {
    return updateStrategy;
  }

  public void setUpdateStrategy(UpdateStrategySpec updateStrategy) {
    this.updateStrategy = updateStrategy;
  }

  public RebalanceSpec getRebalance() {
    return rebalance;
  }

  public void setRebalance(RebalanceSpec rebalance) {
    this.rebalance = rebalance;
  }
}
