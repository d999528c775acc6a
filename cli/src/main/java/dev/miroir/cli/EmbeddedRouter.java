package dev.miroir.cli;

import dev.miroir.cli.local.LocalLayout;
import dev.miroir.router.RouterConfig;
import dev.miroir.router.RouterServer;
import dev.miroir.router.task.FileTaskStore;
import dev.miroir.router.topology.FileTopologySource;
import dev.miroir.router.write.WriteOptions;
import java.nio.file.Path;

/**
 * The router in the CLI's own JVM on loopback, reading the local cluster's topology file and keeping
 * its tasks in the data directory, so task uids and tasks outlive a restart or a crash of {@code local up}.
 */
final class EmbeddedRouter {

  private EmbeddedRouter() {}

  /** The replica log and the tasks live in the cluster's data directory, next to the topology file. */
  static AutoCloseable start(int port, Path topologyFile, String masterKey) {
    LocalLayout layout = new LocalLayout(topologyFile.toAbsolutePath().getParent());
    // Polled every 100 ms (a small file read): a shard move waits for the router to serve each of its
    // epochs, so the poll interval is a fixed cost of every move (docs/design/rebalance.md, figures).
    return RouterServer.start(RouterConfig.local(port, masterKey,
            new FileTopologySource(topologyFile, java.time.Duration.ofMillis(100)))
        .withWrites(WriteOptions.file(layout.root().resolve("replica-log")))
        .withTaskStore(new FileTaskStore(layout.tasksDir(), RouterConfig.DEFAULT_TASK_CAPACITY)));
  }
}
