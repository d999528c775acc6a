package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/**
 * A placement the spec asks for but the operator has not published, because publishing it before the
 * data moves would make routers read shards from nodes that do not hold them yet.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PendingPlacementChange {

  @JsonPropertyDescription("Nodes in the published placement.")
  private Integer fromReplicas;

  @JsonPropertyDescription("Nodes the spec asks for.")
  private Integer toReplicas;

  private Integer fromReplicationFactor;
  private Integer toReplicationFactor;

  @JsonPropertyDescription("Shards whose owner set changes.")
  private Integer shardsToMove;

  @JsonPropertyDescription("Shard copies that must be created on gaining nodes.")
  private Integer replicasToMove;

  @JsonPropertyDescription("Copies moved so far.")
  private Integer replicasMoved;

  @JsonPropertyDescription("Nodes that would receive copies.")
  private List<String> gainingNodes;

  @JsonPropertyDescription("Nodes that would give copies up.")
  private List<String> losingNodes;

  @JsonPropertyDescription("Machine-readable reason the change is not applied.")
  private String reason;

  @JsonPropertyDescription("Human-readable explanation.")
  private String message;

  public Integer getFromReplicas() {
    return fromReplicas;
  }

  public void setFromReplicas(Integer fromReplicas) {
    this.fromReplicas = fromReplicas;
  }

  public Integer getToReplicas() {
    return toReplicas;
  }

  public void setToReplicas(Integer toReplicas) {
    this.toReplicas = toReplicas;
  }

  public Integer getFromReplicationFactor() {
    return fromReplicationFactor;
  }

  public void setFromReplicationFactor(Integer fromReplicationFactor) {
    this.fromReplicationFactor = fromReplicationFactor;
  }

  public Integer getToReplicationFactor() {
    return toReplicationFactor;
  }

  public void setToReplicationFactor(Integer toReplicationFactor) {
    this.toReplicationFactor = toReplicationFactor;
  }

  public Integer getShardsToMove() {
    return shardsToMove;
  }

  public void setShardsToMove(Integer shardsToMove) {
    this.shardsToMove = shardsToMove;
  }

  public Integer getReplicasToMove() {
    return replicasToMove;
  }

  public void setReplicasToMove(Integer replicasToMove) {
    this.replicasToMove = replicasToMove;
  }

  public Integer getReplicasMoved() {
    return replicasMoved;
  }

  public void setReplicasMoved(Integer replicasMoved) {
    this.replicasMoved = replicasMoved;
  }

  public List<String> getGainingNodes() {
    return gainingNodes;
  }

  public void setGainingNodes(List<String> gainingNodes) {
    this.gainingNodes = gainingNodes;
  }

  public List<String> getLosingNodes() {
    return losingNodes;
  }

  public void setLosingNodes(List<String> losingNodes) {
    this.losingNodes = losingNodes;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PendingPlacementChange that)) {
      return false;
    }
    return Objects.equals(fromReplicas, that.fromReplicas)
        && Objects.equals(toReplicas, that.toReplicas)
        && Objects.equals(fromReplicationFactor, that.fromReplicationFactor)
        && Objects.equals(toReplicationFactor, that.toReplicationFactor)
        && Objects.equals(shardsToMove, that.shardsToMove)
        && Objects.equals(replicasToMove, that.replicasToMove)
        && Objects.equals(replicasMoved, that.replicasMoved)
        && Objects.equals(gainingNodes, that.gainingNodes)
        && Objects.equals(losingNodes, that.losingNodes)
        && Objects.equals(reason, that.reason)
        && Objects.equals(message, that.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(fromReplicas, toReplicas, shardsToMove, reason);
  }
}
