package dev.miroir.cli.local;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
  private final String masterKey;
  private final List<LocalNodeProcess> processes = new ArrayList<>();
  private volatile LocalClusterState state;
  private AutoCloseable router;
  private Thread controlLoop;
  private PrintWriter log = new PrintWriter(java.io.Writer.nullWriter());
  private LocalRefill refill;

  private LocalCluster(LocalLayout layout, LocalClusterState state, String masterKey) {
    this.layout = layout;
    this.state = state;
    this.masterKey = masterKey;
  }

  public LocalClusterState state() {
    return state;
  }

  /**
   * Starts (or adopts) nodes, publishes the topology, starts the router; on any failure stops what it
   * started. A data directory whose supervisor died (kill -9, a crash) comes back: nodes still running
   * with the recorded pid and port are adopted, dead ones start again on their recorded ports.
   */
  public static LocalCluster start(Spec spec, RouterStarter routerStarter, PrintWriter log)
      throws Exception {
    LocalLayout layout = new LocalLayout(spec.dataDir().toAbsolutePath());
    Files.createDirectories(layout.root());
    Optional<LocalClusterState> previous = refuseIfRunning(layout);
    List<String> nodeIds = LocalShape.nodeIdsFor(layout, spec);
    requirePortFree(spec.port(), "router");
    List<LocalClusterState.LocalNode> nodes = new ArrayList<>();
    for (int i = 0; i < nodeIds.size(); i++) {
      String id = nodeIds.get(i);
      // A node keeps the port it was recorded with: its URL is in the published topology.
      int port = previous.flatMap(p -> p.node(id)).map(LocalClusterState.LocalNode::port).orElse(spec.port() + 1 + i);
      long pid = previous.flatMap(p -> p.node(id)).map(LocalClusterState.LocalNode::pid).orElse(0L);
      nodes.add(new LocalClusterState.LocalNode(id, "http://127.0.0.1:" + port, port, pid));
    }
    LocalClusterState state =
        new LocalClusterState(
            ProcessHandle.current().pid(),
            "http://127.0.0.1:" + spec.port(),
            spec.shards(),
            spec.replicationFactor(),
            nodes);
    LocalCluster cluster = new LocalCluster(layout, state, spec.masterKey());
    cluster.log = log;
    try {
      // Seen before the nodes start: a node whose volume is gone starts empty (LocalRefill).
      java.util.Set<String> lost = LocalRefill.lostVolumes(layout, nodeIds);
      cluster.startNodes(log);
      cluster.publishTopology(spec);
      if (!lost.isEmpty()) {
        LocalRefill.publishBeforeRouter(layout, lost, log);
      }
      cluster.router = routerStarter.start(spec.port(), layout.topologyFile(), spec.masterKey());
      cluster.refill = LocalRefill.resume(layout, spec.masterKey(), state.router(), log).orElse(null);
      cluster.state.write(layout.stateFile());
      // `local scale` and `local remove-node` change the node set through it (LocalNodeSupervisor).
      LocalNodeSupervisor.writeDesired(layout, cluster.state.nodes());
      cluster.startControlLoop(log);
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The checks {@code start} makes before touching anything (a cluster already running, a different
   * shape), for {@code up --detach} to fail in the caller's shell with a one-line error.
   */
  public static void checkStartable(Spec spec) throws IOException {
    LocalLayout layout = new LocalLayout(spec.dataDir().toAbsolutePath());
    refuseIfRunning(layout);
    LocalShape.nodeIdsFor(layout, spec);
  }

  private void startNodes(PrintWriter log) {
    for (LocalClusterState.LocalNode node : state.nodes()) {
      Path dir = layout.nodeDir(node.id());
      Optional<LocalNodeProcess> adopted = LocalNodeProcess.adopt(node.id(), node.port(), dir, masterKey, node.pid());
      LocalNodeProcess process;
      if (adopted.isPresent()) {
        process = adopted.get();
        log.printf("miroir: node %s still running at %s (pid %d): adopted%n", node.id(), node.url(), process.pid());
      } else {
        requirePortFree(node.port(), "node " + node.id());
        process = LocalNodeProcess.start(node.id(), node.port(), dir, masterKey);
        log.printf("miroir: node %s up at %s%n", node.id(), node.url());
      }
      processes.add(process);
      state = state.withNode(node.withPid(process.pid()));
      // One set of default keys on every node (same uids, so same values): see DefaultKeys.
      dev.miroir.local.DefaultKeys.ensure(new dev.miroir.local.MeiliHttp(
          java.net.URI.create(node.url()), masterKey));
    }
  }

  /**
   * {@code local restart-node}, run from another shell, asks through a file in {@code control/}: the
   * supervisor owns the node processes, so it is the one that restarts them and records the new pid.
   */
  private void startControlLoop(PrintWriter log) {
    controlLoop = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          LocalControl.serve(layout, this::restartNode);
          LocalNodeSupervisor.follow(layout, this, log);
          Thread.sleep(LocalControl.POLL.toMillis());
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException | IOException e) {
          log.println("miroir: control request failed: " + e.getMessage());
          log.flush();
        }
      }
    }, "miroir-local-control");
    controlLoop.setDaemon(true);
    controlLoop.start();
  }

  /**
   * SIGKILLs one node of the cluster in {@code layout}, as a crash would (for chaos tests and demos);
   * returns its pid, or empty when it was not running. Only a process that is that node's Meilisearch
   * is killed, never whatever else now has its recorded pid.
   */
  public static Optional<Long> killNode(LocalLayout layout, String nodeId) throws IOException {
    LocalClusterState state = LocalClusterState.read(layout.stateFile())
        .orElseThrow(() -> new IllegalArgumentException("no local cluster is running from " + layout.root()));
    LocalClusterState.LocalNode node = state.node(nodeId).orElseThrow(() -> new IllegalArgumentException(
        "no node " + nodeId + " in " + layout.root() + " (nodes: "
            + String.join(", ", state.nodes().stream().map(LocalClusterState.LocalNode::id).toList()) + ")"));
    Optional<ProcessHandle> process = runningNode(layout, node);
    if (process.isEmpty()) {
      return Optional.empty();
    }
    process.get().destroyForcibly();
    try {
      process.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("node " + nodeId + " (pid " + node.pid() + ") did not die within 30 s");
    }
    return Optional.of(node.pid());
  }

  /** SIGTERMs the nodes a dead supervisor left running; returns how many; forgets the dead supervisor. */
  public static int stopOrphanedNodes(LocalLayout layout, LocalClusterState state) throws IOException {
    int stopped = 0;
    for (LocalClusterState.LocalNode node : state.nodes()) {
      Optional<ProcessHandle> process = runningNode(layout, node);
      if (process.isPresent()) {
        process.get().destroy();
        try {
          process.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          process.get().destroyForcibly();
        }
        stopped++;
      }
    }
    Files.deleteIfExists(layout.stateFile());
    return stopped;
  }

  /** The node's Meilisearch process, if its recorded pid is alive and is that node. */
  public static Optional<ProcessHandle> runningNode(LocalLayout layout, LocalClusterState.LocalNode node) {
    return ProcessHandle.of(node.pid()).filter(ProcessHandle::isAlive)
        .filter(p -> LocalNodeProcess.isNode(p, node.port(), layout.nodeDir(node.id())));
  }

  /** Starts a node {@code local scale} added (its shards arrive through the mover). */
  synchronized void addNode(LocalClusterState.LocalNode node) throws IOException {
    if (state.node(node.id()).isPresent()) {
      return;
    }
    requirePortFree(node.port(), "node " + node.id());
    LocalNodeProcess process = LocalNodeProcess.start(node.id(), node.port(), layout.nodeDir(node.id()), masterKey);
    processes.add(process);
    List<LocalClusterState.LocalNode> nodes = new ArrayList<>(state.nodes());
    nodes.add(node.withPid(process.pid()));
    state = new LocalClusterState(state.pid(), state.router(), state.shards(), state.replicationFactor(), nodes);
    state.write(layout.stateFile());
  }

  /** Stops a node the mover has drained: no published placement names it any more. */
  synchronized void removeNode(String nodeId) throws IOException {
    processes.removeIf(p -> {
      if (p.id().equals(nodeId)) {
        p.close();
        return true;
      }
      return false;
    });
    state = new LocalClusterState(state.pid(), state.router(), state.shards(), state.replicationFactor(),
        state.nodes().stream().filter(n -> !n.id().equals(nodeId)).toList());
    state.write(layout.stateFile());
  }

  LocalLayout layout() {
    return layout;
  }

  /**
   * Restarts one node on its port with its data; returns its new pid. A node whose volume is gone is
   * taken out of every shard's readers (the router confirms) before it starts, gets its keys again, and
   * is refilled from its peers in the background.
   */
  public synchronized long restartNode(String nodeId) throws IOException {
    LocalNodeProcess process = processes.stream().filter(p -> p.id().equals(nodeId)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + nodeId + " in " + layout.root()));
    boolean lost = !LocalRefill.lostVolumes(layout, List.of(nodeId)).isEmpty();
    if (lost) {
      process.close();
      LocalRefill.takeOutOfReads(layout, masterKey, state.router(), java.util.Set.of(nodeId), log);
    }
    process.restart();
    LocalClusterState.LocalNode node = state.node(nodeId).orElseThrow();
    state = state.withNode(node.withPid(process.pid()));
    state.write(layout.stateFile());
    dev.miroir.local.DefaultKeys.ensure(new dev.miroir.local.MeiliHttp(java.net.URI.create(node.url()), masterKey));
    if (lost && (refill == null || !refill.running())) {
      refill = LocalRefill.resume(layout, masterKey, state.router(), log).orElse(null);
    }
    return process.pid();
  }

  /**
   * Publishes the topology file. A restart of the same data directory with the same nodes keeps the
   * epoch; any change gets a higher one, so routers never go backwards.
   */
  private void publishTopology(Spec spec) throws IOException {
    if (Files.exists(LocalRebalance.journalFile(layout))) {
      // A rebalance or refill was interrupted: its mover owns the topology until it finishes, and the
      // steady placement published here would read shards from copies not yet verified.
      return;
    }
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
   * Refuses when a supervisor still runs from this directory; returns what a dead one recorded, whose
   * node pids and ports the new supervisor adopts or reuses.
   */
  private static Optional<LocalClusterState> refuseIfRunning(LocalLayout layout) throws IOException {
    Optional<LocalClusterState> previous = LocalClusterState.read(layout.stateFile());
    if (previous.isPresent() && isSupervisorAlive(previous.get())) {
      throw new IllegalArgumentException(
          "a cluster is already running from " + layout.root() + " (pid " + previous.get().pid()
              + "); stop it with `./miroir local down --data-dir " + layout.root() + "`");
    }
    return previous;
  }

  /** Alive and still a {@code local up} (after a crash the system may give its pid to another program). */
  public static boolean isSupervisorAlive(LocalClusterState state) {
    return ProcessHandle.of(state.pid()).filter(ProcessHandle::isAlive)
        .map(p -> p.info().arguments().map(a -> List.of(a).contains("up")).orElse(true))
        .orElse(false);
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
    if (refill != null) {
      refill.close();
      refill = null;
    }
    if (controlLoop != null) {
      controlLoop.interrupt();
      controlLoop = null;
    }
    if (router != null) {
      try {
        router.close();
      } catch (Exception ignored) {
        // Stopping anyway: the nodes must not outlive the command.
      }
      router = null;
    }
    for (LocalNodeProcess process : processes) {
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
