package dev.miroir.cli.local;

import dev.miroir.router.RouterConfig;
import dev.miroir.router.RouterServer;
import dev.miroir.router.topology.FileTopologySource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;

/** What every local-cluster test needs: a run of free loopback ports and a cluster whose router runs in this JVM. */
public final class LocalClusterFixture {

  /** The router as {@code ./miroir local up} starts it: in this JVM, over the topology file. */
  public static final LocalCluster.RouterStarter ROUTER =
      (port, topology, key) -> RouterServer.start(RouterConfig.local(port, key, new FileTopologySource(topology)));

  private LocalClusterFixture() {
  }

  /** Starts a cluster as {@code local up} does, with the in-JVM router and its progress output dropped. */
  public static LocalCluster start(LocalCluster.Spec spec) throws Exception {
    return LocalCluster.start(spec, ROUTER, new PrintWriter(new StringWriter()));
  }

  /**
   * A base port with {@code count} free ports above it: local mode puts the router on the base and node
   * i on base + 1 + i, so one free port is not enough.
   */
  public static int freeBasePort(int count) throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base;
      try (ServerSocket socket = new ServerSocket(0)) {
        base = socket.getLocalPort();
      }
      if (base + count > 65000) {
        continue;
      }
      boolean free = true;
      for (int p = base; p <= base + count && free; p++) {
        try (ServerSocket probe = new ServerSocket(p)) {
          probe.setReuseAddress(true);
        } catch (Exception e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range");
  }
}
