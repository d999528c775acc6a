package dev.miroir.router.topology;

import dev.miroir.core.topology.TopologyDocument;
import java.util.function.Consumer;

/**
 * Where the router learns the topology: a local file, or the ConfigMap the operator publishes.
 * Implementations deliver every valid document they see (the holder drops older epochs) and log,
 * rather than deliver, documents that fail validation, so a bad edit never takes a router down.
 */
public interface TopologySource extends AutoCloseable {

  /**
   * Loads the current document, delivers it, and keeps watching for changes until closed.
   *
   * @throws dev.miroir.core.topology.InvalidTopologyException or an unchecked I/O error when no valid
   *     document can be loaded at start: a router without a topology must not start
   */
  void start(Consumer<TopologyDocument> onDocument);

  /** For logs and {@code /_miroir/topology}: where documents come from. */
  String describe();

  @Override
  void close();
}
