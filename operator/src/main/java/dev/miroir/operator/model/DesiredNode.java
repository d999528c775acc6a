package dev.miroir.operator.model;

import dev.miroir.core.placement.Node;
import dev.miroir.operator.crd.MeiliClusterSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A node the spec asks for. Ordinals are dense from 0, so scaling down removes the highest ones, as
 * a StatefulSet would; zones are assigned round-robin so a node's zone is known before scheduling.
 */
public record DesiredNode(String id, int ordinal, String zone) {

  public Node placementNode() {
    return new Node(id, zone);
  }

  public static List<DesiredNode> forSpec(String cluster, MeiliClusterSpec spec) {
    return forCount(cluster, spec.getReplicas(), zones(spec));
  }

  public static List<DesiredNode> forCount(String cluster, int count, List<String> zones) {
    List<DesiredNode> nodes = new ArrayList<>(count);
    for (int ordinal = 0; ordinal < count; ordinal++) {
      nodes.add(of(cluster, ordinal, zones));
    }
    return nodes;
  }

  /** Node {@code ordinal} of the cluster, pinned to {@code zones[ordinal % zones]} when zones are listed. */
  public static DesiredNode of(String cluster, int ordinal, List<String> zones) {
    return new DesiredNode(ClusterNames.nodeId(cluster, ordinal), ordinal,
        zones.isEmpty() ? null : zones.get(ordinal % zones.size()));
  }

  public static List<String> zones(MeiliClusterSpec spec) {
    if (spec.getZoneAwareness() == null || spec.getZoneAwareness().getZones() == null) {
      return List.of();
    }
    return List.copyOf(spec.getZoneAwareness().getZones());
  }

  /** Inverse of {@link ClusterNames#nodeId}: the ordinal of a node id, or -1 if it is not ours. */
  public static int ordinalOf(String cluster, String nodeId) {
    String prefix = cluster + "-";
    if (!nodeId.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(nodeId.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
