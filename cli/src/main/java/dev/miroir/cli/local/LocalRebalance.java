package dev.miroir.cli.local;

import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalancePlanner;
import dev.miroir.core.move.RebalanceProgress;
import dev.miroir.core.move.ShardMoveState;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.move.FileStores;
import dev.miroir.router.move.Mover;
import dev.miroir.router.move.MoverRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code local scale} and {@code local remove-node}: start the joining nodes (through the running
 * cluster's {@link LocalNodeSupervisor}), run the same mover the operator's Job runs, then let the
 * leaving nodes go. A rerun after a kill resumes the saved journal.
 */
public final class LocalRebalance {

  private LocalRebalance() {}

  public static Path journalFile(LocalLayout layout) {
    return layout.root().resolve("rebalance.json");
  }

  /** The nodes after adding or removing: existing ones keep their ports, new ones take free ports. */
  public static List<LocalClusterState.LocalNode> scaledTo(LocalClusterState state, TopologyDocument current, int count) {
    Map<String, LocalClusterState.LocalNode> known = new LinkedHashMap<>();
    state.nodes().forEach(n -> known.put(n.id(), n));
    List<LocalClusterState.LocalNode> nodes = new ArrayList<>();
    for (TopologyNode n : current.nodes()) {
      LocalClusterState.LocalNode local = known.get(n.id());
      nodes.add(local != null ? local : new LocalClusterState.LocalNode(n.id(), n.url(), URI.create(n.url()).getPort()));
    }
    nodes.sort(java.util.Comparator.comparingInt(n -> ordinal(n.id())));
    while (nodes.size() > count) {
      nodes.remove(nodes.size() - 1);
    }
    int nextOrdinal = state.nodes().stream().mapToInt(n -> ordinal(n.id())).max().orElse(-1) + 1;
    int port = Math.max(URI.create(state.router()).getPort(),
        state.nodes().stream().mapToInt(LocalClusterState.LocalNode::port).max().orElse(0)) + 1;
    while (nodes.size() < count) {
      while (!portFree(port)) {
        port++;
      }
      String id = LocalLayout.nodeId(nextOrdinal++);
      nodes.add(new LocalClusterState.LocalNode(id, "http://127.0.0.1:" + port, port));
      port++;
    }
    return nodes;
  }

  private static int ordinal(String id) {
    try {
      return Integer.parseInt(id.substring(1));
    } catch (RuntimeException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Moves the cluster to {@code target} (or resumes the rebalance in progress, which must be going to
   * the same nodes).
   */
  public static RebalanceJournal run(LocalLayout layout, String masterKey, List<LocalClusterState.LocalNode> target,
      int maxConcurrentMoves, PrintWriter out, Mover.Listener extra) throws Exception {
    LocalClusterState state = LocalClusterState.read(layout.stateFile())
        .filter(s -> ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false))
        .orElseThrow(() -> new IllegalArgumentException("no local cluster is running from " + layout.root()
            + "; start it with `./miroir local up`"));
    FileStores.Topology topology = new FileStores.Topology(layout.topologyFile());
    FileStores.Journal journals = new FileStores.Journal(journalFile(layout));
    Optional<RebalanceJournal> saved = journals.load();
    List<TopologyNode> targetNodes = target.stream()
        .map(n -> new TopologyNode(n.id(), n.url(), null, NodeState.ACTIVE)).toList();
    Set<String> targetIds = target.stream().map(LocalClusterState.LocalNode::id).collect(Collectors.toSet());
    RebalanceJournal plan;
    if (saved.isPresent() && dev.miroir.core.move.RefillPlanner.isRefill(saved.get())) {
      // The running cluster's own mover is refilling; a second mover on the same journal would race it.
      throw new IllegalArgumentException("nodes " + dev.miroir.core.move.RefillPlanner.refilling(saved.get())
          + " are being refilled by the running cluster; wait until `./miroir local status --data-dir "
          + layout.root() + "` shows it done");
    }
    if (saved.isPresent()) {
      plan = saved.get();
      Set<String> savedIds = plan.nodes().stream().map(TopologyNode::id).collect(Collectors.toSet());
      if (!savedIds.equals(targetIds)) {
        throw new IllegalArgumentException("a rebalance to nodes " + new java.util.TreeSet<>(savedIds)
            + " is in progress; finish it first (rerun the same command)");
      }
      out.printf("Resuming rebalance %s: %d/%d moves done%n", plan.id(), plan.progress().movesDone(),
          plan.moves().size());
    } else {
      TopologyDocument current = topology.read();
      try {
        plan = RebalancePlanner.plan(current, targetNodes, maxConcurrentMoves, "r" + (current.epoch() + 1));
      } catch (RebalancePlanner.Refused e) {
        throw new IllegalArgumentException(e.getMessage() + " (" + e.rule() + ")");
      }
      out.printf("Rebalancing %d -> %d nodes: %d shard moves, %d shard copies (theoretical minimum %d)%n",
          current.nodes().size(), target.size(), plan.moves().size(), plan.replicasToMove(), plan.theoreticalMinimum());
    }
    // Joining nodes run before the mover needs them; leaving ones keep running until it is done.
    List<LocalClusterState.LocalNode> during = new ArrayList<>(LocalNodeSupervisor.readDesired(layout));
    for (LocalClusterState.LocalNode n : target) {
      if (during.stream().noneMatch(d -> d.id().equals(n.id()))) {
        during.add(n);
      }
    }
    LocalNodeSupervisor.writeDesired(layout, during);
    for (LocalClusterState.LocalNode n : target) {
      awaitHealthy(n.url(), Duration.ofSeconds(120));
    }
    ProgressBar bar = new ProgressBar(out);
    RebalanceJournal done;
    try (MoverRuntime runtime = new MoverRuntime(masterKey, () -> List.of(state.router()))) {
      done = runtime.mover(topology, journals, Mover.Options.defaults(), new Mover.Listener() {
        @Override
        public void saved(RebalanceJournal journal, ShardMoveState move) {
          bar.show(journal.progress());
          extra.saved(journal, move);
        }

        @Override
        public void fenced(ShardMoveState move, java.util.Map<String, Long> phaseMillis, List<String> notes) {
          extra.fenced(move, phaseMillis, notes);
        }
      }).run(plan);
    }
    bar.finish(done.progress());
    // Only now, with every shard verified on its new owners, do the leaving nodes go.
    LocalNodeSupervisor.writeDesired(layout, target);
    awaitState(layout, targetIds, Duration.ofSeconds(60));
    return done;
  }

  private static void awaitHealthy(String url, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("node " + url + " did not come up within " + timeout.toSeconds() + " s");
  }

  private static void awaitState(LocalLayout layout, Set<String> ids, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<LocalClusterState> s = LocalClusterState.read(layout.stateFile());
      if (s.isPresent() && s.get().nodes().stream().map(LocalClusterState.LocalNode::id).collect(Collectors.toSet())
          .equals(ids)) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the cluster did not settle on nodes " + ids);
  }

  /** One line, rewritten in place: moves, documents and rate. */
  static final class ProgressBar {
    private final PrintWriter out;
    private final long started = System.nanoTime();
    private long lastShown;

    ProgressBar(PrintWriter out) {
      this.out = out;
    }

    synchronized void show(RebalanceProgress p) {
      long now = System.nanoTime();
      if (now - lastShown < 200_000_000L) {
        return;
      }
      lastShown = now;
      out.print("\r" + line(p) + "   ");
      out.flush();
    }

    synchronized void finish(RebalanceProgress p) {
      out.println("\r" + line(p) + "   ");
      if (p.rolledBack() > 0) {
        out.printf("%d move(s) rolled back: their shards stay on their old owners; rerun to try again%n",
            p.rolledBack());
      }
      out.flush();
    }

    private String line(RebalanceProgress p) {
      int width = 24;
      int filled = p.movesTotal() == 0 ? width : p.movesDone() * width / p.movesTotal();
      double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
      String current = p.current().isEmpty() ? "" : "  " + String.join(", ", p.current().subList(0,
          Math.min(2, p.current().size())));
      return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] moves " + p.movesDone() + "/" + p.movesTotal()
          + "  documents " + p.documentsCopied() + "  " + Math.round(p.documentsCopied() / seconds) + " docs/s" + current;
    }
  }

  /** For {@code local status}: the rebalance in progress or the last one, in one line; empty if none. */
  public static Optional<String> describe(LocalLayout layout) {
    try {
      Optional<RebalanceJournal> current = new FileStores.Journal(journalFile(layout)).load();
      if (current.isPresent()) {
        RebalanceProgress p = current.get().progress();
        if (dev.miroir.core.move.RefillPlanner.isRefill(current.get())) {
          return Optional.of("refilling nodes " + dev.miroir.core.move.RefillPlanner.refilling(current.get())
              + " (came back empty; no reads until verified): moves " + p.movesDone() + "/" + p.movesTotal()
              + " done, " + p.documentsCopied() + " documents copied"
              + (p.blocking() == null ? "" : "; blocked: " + p.blocking()));
        }
        return Optional.of("rebalance " + current.get().id() + " in progress: moves " + p.movesDone() + "/"
            + p.movesTotal() + " done, " + p.documentsCopied() + " documents copied"
            + (p.blocking() == null ? "" : "; blocked: " + p.blocking())
            + " (rerun the scale command to resume it if no mover runs)");
      }
      Optional<RebalanceJournal> last = new FileStores.Journal(layout.root().resolve("rebalance-last.json")).load();
      return last.map(j -> (dev.miroir.core.move.RefillPlanner.isRefill(j) ? "last refill of nodes "
          + dev.miroir.core.move.RefillPlanner.refilling(j) + " (" + j.id() + ")" : "last rebalance " + j.id())
          + ": moves " + j.progress().movesDone() + "/"
          + j.progress().movesTotal() + " done (" + j.progress().rolledBack() + " rolled back), "
          + j.progress().documentsCopied() + " documents copied");
    } catch (RuntimeException e) {
      return Optional.of("rebalance journal unreadable: " + e.getMessage());
    }
  }
}
