package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Bounds on data movement; read by the migration that applies pending placement changes. */
public class RebalanceSpec {

  @Min(1)
  @Max(64)
  @Default("2")
  @JsonPropertyDescription("Shard copies moved at the same time.")
  private Integer maxConcurrentMoves = 2;

  public Integer getMaxConcurrentMoves() {
    return maxConcurrentMoves;
  }

  public void setMaxConcurrentMoves(Integer maxConcurrentMoves) {
    this.maxConcurrentMoves = maxConcurrentMoves;
  }
}
