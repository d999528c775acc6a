package dev.miroir.cli.local;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeilisearchOptions;
import dev.miroir.local.MeilisearchProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole Miroir cluster as processes on this machine: N real Meilisearch nodes on ports after the
 * router's, a topology file, and the router in this JVM. The same topology document the operator
 * publishes in Kubernetes, so what a newcomer sees locally is what runs in a cluster.
 */
public final class LocalCluster implements AutoCloseable {

  /** Starts the router in this JVM over a topology file; bound to the router module's API. */
  @FunctionalInterface
  public interface RouterStarter {
    AutoCloseable start(int port, Path topologyFile, String masterKey) throws Exception;
  }

  /** What {@code local up} was asked for. */
  public record Spec(int nodes, int replicationFactor, int shards, int port, Path dataDir, String masterKey) {}

  private final LocalLayout layout;
  private final List<MeilisearchProcess> processes = new ArrayList<>();
  private final LocalClusterState state;
  private AutoCloseable router;

  private LocalCluster(LocalLayout layout, LocalClusterState state) {
    this.layout = layout;
    this.state = state;
  }

  public LocalClusterState state() {
    return state;
  }

  /** Starts nodes, publishes the topology, starts the router; on any failure stops what it started. */
  public static LocalCluster start(Spec spec, RouterStarter routerStarter, PrintWriter log)
      throws Exception {
    LocalLayout layout = new LocalLayout(spec.dataDir().toAbsolutePath());
    Files.createDirectories(layout.root());
    refuseIfRunningOrIncompatible(layout, spec);
    requirePortFree(spec.port(), "router");
    List<LocalClusterState.LocalNode> nodes = new ArrayList<>();
    for (int i = 0; i < spec.nodes(); i++) {
      int port = spec.port() + 1 + i;
      requirePortFree(port, "node " + LocalLayout.nodeId(i));
      nodes.add(new LocalClusterState.LocalNode(LocalLayout.nodeId(i), "http://127.0.0.1:" + port, port));
    }
    LocalClusterState state =
        new LocalClusterState(
            ProcessHandle.current().pid(),
            "http://127.0.0.1:" + spec.port(),
            spec.shards(),
            spec.replicationFactor(),
            nodes);
    LocalCluster cluster = new LocalCluster(layout, state);
    try {
      cluster.startNodes(spec, log);
      cluster.publishTopology(spec);
      cluster.router = routerStarter.start(spec.port(), layout.topologyFile(), spec.masterKey());
      state.write(layout.stateFile());
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  private void startNodes(Spec spec, PrintWriter log) {
    for (LocalClusterState.LocalNode node : state.nodes()) {
      MeilisearchOptions options =
          MeilisearchOptions.builder()
              .dataDir(layout.nodeDir(node.id()))
              .port(node.port())
              .masterKey(spec.masterKey())
              .build();
      processes.add(MeilisearchProcess.start(options));
      log.printf("miroir: node %s up at %s%n", node.id(), node.url());
    }
  }

  /**
   * Publishes the topology file. A restart of the same data directory with the same nodes keeps the
   * epoch; any change gets a higher one, so routers never go backwards.
   */
  private void publishTopology(Spec spec) throws IOException {
    List<TopologyNode> nodes =
        state.nodes().stream()
            .map(n -> new TopologyNode(n.id(), n.url(), null, NodeState.ACTIVE))
            .toList();
    Placement placement =
        Placement.compute(nodes.stream().map(TopologyNode::id).toList(), spec.shards(), spec.replicationFactor());
    TopologyDocument next = TopologyDocument.steadyState("local", 1, nodes, placement);
    if (Files.exists(layout.topologyFile())) {
      TopologyDocument previous = TopologyCodec.decode(Files.readString(layout.topologyFile()));
      next = next.withEpoch(previous.epoch());
      if (next.equals(previous)) {
        return;
      }
      next = next.withEpoch(previous.epoch() + 1);
    }
    Path tmp = layout.topologyFile().resolveSibling("topology.json.tmp");
    Files.writeString(tmp, TopologyCodec.encode(next), StandardCharsets.UTF_8);
    Files.move(tmp, layout.topologyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A data directory keeps its shard count and node set: documents were placed by them, and moving
   * them is the operator's job, not the local launcher's.
   */
  private static void refuseIfRunningOrIncompatible(LocalLayout layout, Spec spec) throws IOException {
    var previous = LocalClusterState.read(layout.stateFile());
    if (previous.isEmpty()) {
      return;
    }
    LocalClusterState old = previous.get();
    if (ProcessHandle.of(old.pid()).map(ProcessHandle::isAlive).orElse(false)) {
      throw new IllegalArgumentException(
          "a cluster is already running from " + layout.root() + " (pid " + old.pid()
              + "); stop it with `./miroir local down --data-dir " + layout.root() + "`");
    }
    if (old.shards() != spec.shards()
        || old.replicationFactor() != spec.replicationFactor()
        || old.nodes().size() != spec.nodes()) {
      throw new IllegalArgumentException(
          layout.root() + " holds a cluster of " + old.nodes().size() + " nodes, RF "
              + old.replicationFactor() + ", " + old.shards()
              + " shards; start it with the same values or use another --data-dir");
    }
  }

  private static void requirePortFree(int port, String what) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "port " + port + " for the " + what + " is in use; choose another --port");
    }
  }

  @Override
  public synchronized void close() {
    if (router != null) {
      try {
        router.close();
      } catch (Exception ignored) {
        // Stopping anyway: the nodes must not outlive the command.
      }
      router = null;
    }
    for (MeilisearchProcess process : processes) {
      process.close();
    }
    processes.clear();
    try {
      Files.deleteIfExists(layout.stateFile());
    } catch (IOException ignored) {
      // A stale state file is detected by its dead pid.
    }
  }
}
