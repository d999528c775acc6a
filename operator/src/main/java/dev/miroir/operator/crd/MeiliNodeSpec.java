package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/** Identity of a node. The node id is the placement input, so it never changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.nodeId == oldSelf.nodeId", message = "nodeId is immutable")
public class MeiliNodeSpec {

  @Required
  @JsonPropertyDescription("Owning MeiliCluster.")
  private String cluster;

  @Required
  @JsonPropertyDescription("Stable node id used by placement, e.g. demo-2.")
  private String nodeId;

  @JsonPropertyDescription("Ordinal of the node within its cluster.")
  private Integer ordinal;

  @JsonPropertyDescription("Failure zone the node is pinned to, when the cluster is zone aware.")
  private String zone;

  public MeiliNodeSpec() {}

  public MeiliNodeSpec(String cluster, String nodeId, int ordinal, String zone) {
    this.cluster = cluster;
    this.nodeId = nodeId;
    this.ordinal = ordinal;
    this.zone = zone;
  }

  public String getCluster() {
    return cluster;
  }

  public void setCluster(String cluster) {
    this.cluster = cluster;
  }

  public String getNodeId() {
    return nodeId;
  }

  public void setNodeId(String nodeId) {
    this.nodeId = nodeId;
  }

  public Integer getOrdinal() {
    return ordinal;
  }

  public void setOrdinal(Integer ordinal) {
    this.ordinal = ordinal;
  }

  public String getZone() {
    return zone;
  }

  public void setZone(String zone) {
    this.zone = zone;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MeiliNodeSpec that
        && Objects.equals(cluster, that.cluster)
        && Objects.equals(nodeId, that.nodeId)
        && Objects.equals(ordinal, that.ordinal)
        && Objects.equals(zone, that.zone);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cluster, nodeId, ordinal, zone);
  }
}
