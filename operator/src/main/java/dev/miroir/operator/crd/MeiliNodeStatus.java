package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator last saw of one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MeiliNodeStatus {

  @JsonPropertyDescription("Joining, Active, Draining or Removing.")
  private String phase;

  @JsonPropertyDescription("Base URL routers use for this node.")
  private String url;

  @JsonPropertyDescription("Shards this node owns in the published placement.")
  private List<Integer> shards = new ArrayList<>();

  private Integer shardCount;

  @JsonPropertyDescription("Documents on the node, when last asked.")
  private Long documents;

  @JsonPropertyDescription("Whether the node's pod is ready.")
  private Boolean ready;

  @JsonPropertyDescription("Whether the default API keys exist on the node.")
  private Boolean apiKeysProvisioned;

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public List<Integer> getShards() {
    return shards;
  }

  public void setShards(List<Integer> shards) {
    this.shards = shards;
  }

  public Integer getShardCount() {
    return shardCount;
  }

  public void setShardCount(Integer shardCount) {
    this.shardCount = shardCount;
  }

  public Long getDocuments() {
    return documents;
  }

  public void setDocuments(Long documents) {
    this.documents = documents;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public Boolean getApiKeysProvisioned() {
    return apiKeysProvisioned;
  }

  public void setApiKeysProvisioned(Boolean apiKeysProvisioned) {
    this.apiKeysProvisioned = apiKeysProvisioned;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MeiliNodeStatus that
        && Objects.equals(phase, that.phase)
        && Objects.equals(url, that.url)
        && Objects.equals(shards, that.shards)
        && Objects.equals(shardCount, that.shardCount)
        && Objects.equals(documents, that.documents)
        && Objects.equals(ready, that.ready)
        && Objects.equals(apiKeysProvisioned, that.apiKeysProvisioned);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, url, ready);
  }
}
