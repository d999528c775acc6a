package dev.miroir.core.placement;

import java.util.Objects;

/**
 * A node as placement sees it: an id (the only input to its score) and an optional failure zone.
 *
 * @param id stable node id, e.g. {@code demo-2}; renaming a node moves every shard it owns
 * @param zone failure zone, or null when the cluster is not zone aware
 */
public record Node(String id, String zone) {
  public Node {
    Objects.requireNonNull(id, "node id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (zone != null && zone.isBlank()) {
      zone = null;
    }
  }

  public static Node of(String id) {
    return new Node(id, null);
  }
}
