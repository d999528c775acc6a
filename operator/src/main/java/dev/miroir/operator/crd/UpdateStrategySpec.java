package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How node pods are restarted when their template changes (image, env, resources, podTemplate). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpdateStrategySpec {

  @Default("false")
  @JsonPropertyDescription(
      "Let a rolling restart stop a node that holds the only ready copy of some shard (always the"
          + " case with replicationFactor 1): searches miss those shards' documents until the node is"
          + " ready again. Without this (or the annotation miroir.dev/allow-unavailable-restart=true)"
          + " such a restart waits, and the RollingUpdate condition says why.")
  private Boolean allowUnavailableShards = false;

  public Boolean getAllowUnavailableShards() {
    return allowUnavailableShards;
  }

  public void setAllowUnavailableShards(Boolean allowUnavailableShards) {
    this.allowUnavailableShards = allowUnavailableShards;
  }
}
