package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The rebalance in progress, as the mover's journal tells it; absent when none runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RebalanceStatus {

  @JsonPropertyDescription("Moves done/total, for kubectl get.")
  private String moves;

  @JsonPropertyDescription("Shard moves finished (done or rolled back).")
  private Integer movesDone;

  @JsonPropertyDescription("Shard moves planned.")
  private Integer movesTotal;

  @JsonPropertyDescription("Shard moves given up: the shard stays on its old owners, nothing lost.")
  private Integer rolledBack;

  @JsonPropertyDescription("Documents written to gaining nodes so far.")
  private Long documentsCopied;

  @JsonPropertyDescription("Each move in progress and its step, e.g. `shard 7: copying`.")
  private List<String> current;

  @JsonPropertyDescription("The rule or problem that holds a move up, or why the mover stopped.")
  private String blockedBy;

  @JsonPropertyDescription("Step of each shard move by shard number (for the Events of each phase).")
  private Map<String, String> steps;

  @JsonPropertyDescription("Nodes that leave with this rebalance.")
  private List<String> leavingNodes;

  @JsonPropertyDescription("Leaving nodes whose every shard has moved and verified elsewhere.")
  private List<String> drainedNodes;

  public List<String> getLeavingNodes() {
    return leavingNodes;
  }

  public void setLeavingNodes(List<String> leavingNodes) {
    this.leavingNodes = leavingNodes;
  }

  public String getMoves() {
    return moves;
  }

  public void setMoves(String moves) {
    this.moves = moves;
  }

  public Integer getMovesDone() {
    return movesDone;
  }

  public void setMovesDone(Integer movesDone) {
    this.movesDone = movesDone;
  }

  public Integer getMovesTotal() {
    return movesTotal;
  }

  public void setMovesTotal(Integer movesTotal) {
    this.movesTotal = movesTotal;
  }

  public Integer getRolledBack() {
    return rolledBack;
  }

  public void setRolledBack(Integer rolledBack) {
    this.rolledBack = rolledBack;
  }

  public Long getDocumentsCopied() {
    return documentsCopied;
  }

  public void setDocumentsCopied(Long documentsCopied) {
    this.documentsCopied = documentsCopied;
  }

  public List<String> getCurrent() {
    return current;
  }

  public void setCurrent(List<String> current) {
    this.current = current;
  }

  public String getBlockedBy() {
    return blockedBy;
  }

  public void setBlockedBy(String blockedBy) {
    this.blockedBy = blockedBy;
  }

  public Map<String, String> getSteps() {
    return steps;
  }

  public void setSteps(Map<String, String> steps) {
    this.steps = steps;
  }

  public List<String> getDrainedNodes() {
    return drainedNodes;
  }

  public void setDrainedNodes(List<String> drainedNodes) {
    this.drainedNodes = drainedNodes;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RebalanceStatus that)) {
      return false;
    }
    return Objects.equals(moves, that.moves) && Objects.equals(movesDone, that.movesDone)
        && Objects.equals(movesTotal, that.movesTotal) && Objects.equals(rolledBack, that.rolledBack)
        && Objects.equals(documentsCopied, that.documentsCopied) && Objects.equals(current, that.current)
        && Objects.equals(blockedBy, that.blockedBy) && Objects.equals(steps, that.steps)
        && Objects.equals(leavingNodes, that.leavingNodes) && Objects.equals(drainedNodes, that.drainedNodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(moves, movesDone, movesTotal);
  }
}
