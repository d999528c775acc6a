package dev.miroir.core.topology;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rules a topology document must satisfy before a router serves it. A router that served a document
 * breaking one of these could lose writes (a write target it cannot reach) or hide documents (a shard
 * nobody reads), so each rule names the shard or node at fault.
 */
public final class TopologyValidator {

  private TopologyValidator() {}

  /** Every problem in {@code doc}, empty when it is valid. */
  public static List<String> problems(TopologyDocument doc) {
    List<String> problems = new ArrayList<>();
    if (doc.schemaVersion() != TopologyDocument.SCHEMA_VERSION) {
      problems.add(
          "schemaVersion " + doc.schemaVersion() + " is not supported (expected "
              + TopologyDocument.SCHEMA_VERSION + ")");
    }
    if (doc.cluster() == null || doc.cluster().isBlank()) {
      problems.add("cluster name is missing");
    }
    if (doc.epoch() < 0) {
      problems.add("epoch must not be negative, got " + doc.epoch());
    }
    if (doc.shards() < 1) {
      problems.add("shards must be at least 1, got " + doc.shards());
    }
    if (doc.replicationFactor() < 1) {
      problems.add("replicationFactor must be at least 1, got " + doc.replicationFactor());
    }
    Map<String, TopologyNode> nodes = checkNodes(doc, problems);
    checkPlacement(doc, nodes, problems);
    return problems;
  }

  public static TopologyDocument requireValid(TopologyDocument doc) {
    List<String> problems = problems(doc);
    if (!problems.isEmpty()) {
      throw new InvalidTopologyException(problems);
    }
    return doc;
  }

  private static Map<String, TopologyNode> checkNodes(TopologyDocument doc, List<String> problems) {
    Map<String, TopologyNode> byId = new java.util.LinkedHashMap<>();
    for (TopologyNode node : doc.nodes()) {
      if (node.id() == null || node.id().isBlank()) {
        problems.add("a node has no id");
        continue;
      }
      if (byId.put(node.id(), node) != null) {
        problems.add("node `" + node.id() + "` appears more than once");
      }
      if (node.state() == null) {
        problems.add("node `" + node.id() + "` has no state");
      }
      if (!isHttpUrl(node.url())) {
        problems.add("node `" + node.id() + "` has no valid http(s) url");
      }
    }
    if (doc.nodes().isEmpty()) {
      problems.add("there are no nodes");
    }
    return byId;
  }

  private static void checkPlacement(
      TopologyDocument doc, Map<String, TopologyNode> nodes, List<String> problems) {
    if (doc.placement().size() != doc.shards()) {
      problems.add(
          "placement lists " + doc.placement().size() + " shards but shards is " + doc.shards());
    }
    for (int i = 0; i < doc.placement().size(); i++) {
      ShardAssignment a = doc.placement().get(i);
      String shard = "shard " + a.shard();
      if (a.shard() != i) {
        problems.add("placement entry " + i + " is for shard " + a.shard() + " (must be in order)");
        continue;
      }
      checkKnown(shard, "read owner", a.readOwners(), nodes, problems);
      checkKnown(shard, "write target", a.writeTargets(), nodes, problems);
      boolean readable =
          a.readOwners().stream()
              .map(nodes::get)
              .anyMatch(n -> n != null && n.state() != null && n.state().isReadable());
      if (!readable) {
        problems.add(shard + " has no readable owner");
      }
      if (!a.writeTargets().containsAll(a.readOwners())) {
        problems.add(shard + " has a read owner that is not a write target");
      }
      if (!a.isMoving() && a.readOwners().size() != doc.replicationFactor()) {
        problems.add(
            shard + " is at rest with " + a.readOwners().size() + " owners, expected "
                + doc.replicationFactor());
      }
    }
  }

  private static void checkKnown(
      String shard,
      String role,
      List<String> ids,
      Map<String, TopologyNode> nodes,
      List<String> problems) {
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      if (!nodes.containsKey(id)) {
        problems.add(shard + " has " + role + " `" + id + "` that is not a known node");
      }
      if (!seen.add(id)) {
        problems.add(shard + " lists " + role + " `" + id + "` twice");
      }
    }
  }

  private static boolean isHttpUrl(String url) {
    if (url == null) {
      return false;
    }
    try {
      URI uri = URI.create(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
