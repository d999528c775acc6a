package dev.miroir.cli;

import dev.miroir.router.RouterConfig;
import dev.miroir.router.RouterServer;
import dev.miroir.router.topology.FileTopologySource;
import dev.miroir.router.write.WriteOptions;
import java.nio.file.Path;

/** The router in the CLI's own JVM on loopback, reading the local cluster's topology file. */
final class EmbeddedRouter {

  private EmbeddedRouter() {}

  /** The replica log lives in the cluster's data directory, next to the topology file. */
  static AutoCloseable start(int port, Path topologyFile, String masterKey) {
    return RouterServer.start(RouterConfig.local(port, masterKey, new FileTopologySource(topologyFile))
        .withWrites(WriteOptions.file(topologyFile.toAbsolutePath().getParent().resolve("replica-log"))));
  }
}
