package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed; written only by {@code ClusterStatusAggregator}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MeiliClusterStatus {

  @JsonPropertyDescription("metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Provisioning, Ready, Updating, Degraded, ScalePending or Blocked.")
  private String phase;

  @JsonPropertyDescription("Ready/desired nodes, for kubectl get.")
  private String nodes;

  @StatusReplicas
  @JsonPropertyDescription("Nodes that exist (scale subresource).")
  private Integer replicas;

  @JsonPropertyDescription("Nodes whose pod is ready.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Nodes whose pod runs the current pod template (a rolling restart ends at replicas).")
  private Integer updatedReplicas;

  @LabelSelector
  @JsonPropertyDescription("Selector of the node pods (scale subresource).")
  private String selector;

  @JsonPropertyDescription("In-cluster search URL served by the routers.")
  private String endpoint;

  @JsonPropertyDescription("Epoch of the published topology document.")
  private Long topologyEpoch;

  @JsonPropertyDescription("A placement change that was requested but not applied yet, and why.")
  private PendingPlacementChange pendingChange;

  @JsonPropertyDescription("The rebalance in progress: moves done/total, documents copied, current steps, what blocks.")
  private RebalanceStatus rebalance;

  @JsonPropertyDescription(
      "Ready, Rebalancing, Degraded, RollingUpdate, VolumeExpansion and ReplicasConsistent, one of each"
          + " type, each with the observedGeneration it describes.")
  private List<Condition> conditions = new ArrayList<>();

  public RebalanceStatus getRebalance() {
    return rebalance;
  }

  public void setRebalance(RebalanceStatus rebalance) {
    this.rebalance = rebalance;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getNodes() {
    return nodes;
  }

  public void setNodes(String nodes) {
    this.nodes = nodes;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Integer getUpdatedReplicas() {
    return updatedReplicas;
  }

  public void setUpdatedReplicas(Integer updatedReplicas) {
    this.updatedReplicas = updatedReplicas;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public Long getTopologyEpoch() {
    return topologyEpoch;
  }

  public void setTopologyEpoch(Long topologyEpoch) {
    this.topologyEpoch = topologyEpoch;
  }

  public PendingPlacementChange getPendingChange() {
    return pendingChange;
  }

  public void setPendingChange(PendingPlacementChange pendingChange) {
    this.pendingChange = pendingChange;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof MeiliClusterStatus that)) {
      return false;
    }
    return Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(phase, that.phase)
        && Objects.equals(nodes, that.nodes)
        && Objects.equals(replicas, that.replicas)
        && Objects.equals(readyReplicas, that.readyReplicas)
        && Objects.equals(updatedReplicas, that.updatedReplicas)
        && Objects.equals(selector, that.selector)
        && Objects.equals(endpoint, that.endpoint)
        && Objects.equals(topologyEpoch, that.topologyEpoch)
        && Objects.equals(pendingChange, that.pendingChange)
        && Objects.equals(rebalance, that.rebalance)
        && Objects.equals(conditions, that.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, replicas, readyReplicas, topologyEpoch);
  }
}
