package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Zone spreading. With {@code zones} listed, node i is pinned to zone i mod |zones| and placement
 * keeps a shard's copies in distinct zones: the zone is known before the pod is scheduled, so the
 * published placement never depends on where the scheduler happened to put a pod.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ZoneAwarenessSpec {

  @Default("topology.kubernetes.io/zone")
  @JsonPropertyDescription("Node label that names the failure zone.")
  private String topologyKey = "topology.kubernetes.io/zone";

  @ValidationRule(
      value = "self == oldSelf",
      message = "zones are immutable: each node and its zonal volume are pinned to its zone")
  @JsonPropertyDescription(
      "Zones to pin nodes to, round-robin (immutable). When empty, pods are only spread (best effort) and"
          + " placement is not zone aware.")
  private List<String> zones = new ArrayList<>();

  public String getTopologyKey() {
    return topologyKey;
  }

  public void setTopologyKey(String topologyKey) {
    this.topologyKey = topologyKey;
  }

  public List<String> getZones() {
    return zones;
  }

  public void setZones(List<String> zones) {
    this.zones = zones;
  }
}
