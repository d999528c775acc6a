package dev.miroir.router.move;

import dev.miroir.core.topology.TopologyDocument;

/**
 * Where the topology routers follow is kept: a file locally, the topology ConfigMap in Kubernetes.
 * The mover is the only writer while a rebalance runs; every write is a compare-and-set so that a
 * concurrent writer is noticed rather than overwritten.
 */
public interface TopologyStore {

  /**
   * The current document.
   *
   * @throws MoveNotSafeException when it is missing or unreadable: never "empty", never "first placement"
   */
  TopologyDocument read();

  /**
   * Replaces {@code expected} with {@code next}.
   *
   * @throws MoveNotSafeException when the store no longer holds {@code expected}
   */
  void write(TopologyDocument expected, TopologyDocument next);
}
