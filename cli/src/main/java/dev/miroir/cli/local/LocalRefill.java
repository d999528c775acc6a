package dev.miroir.cli.local;

import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalanceTopology;
import dev.miroir.core.move.RefillPlanner;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.router.move.FileStores;
import dev.miroir.router.move.MoveNotSafeException;
import dev.miroir.router.move.MoverRuntime;
import dev.miroir.router.move.Mover;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Local mode's refill of a node that came back empty ({@code docs/design/rebalance.md}, "a node that
 * comes back empty"). Locally the volume is the node's directory, so a lost volume is seen before the
 * node starts: {@code data.ms} is gone. The running cluster (the supervisor of {@code local up}) then
 * publishes the refill's first epoch, in which the node takes writes but serves no read, waits for the
 * router, starts the node, gives it its keys again and runs the mover in the background; a refill
 * interrupted by a kill of the supervisor is resumed by the next {@code local up}.
 */
public final class LocalRefill implements AutoCloseable {

  /** Shards refilled at once (the mover's workers). */
  static final int CONCURRENT_MOVES = 2;

  private final Thread thread;

  private LocalRefill(Thread thread) {
    this.thread = thread;
  }

  /** Whether the node's data directory has lost its Meilisearch database. */
  static boolean volumeLost(LocalLayout layout, String nodeId) {
    return !Files.exists(layout.nodeDir(nodeId).resolve("data.ms"));
  }

  /**
   * Nodes among {@code ids} whose volume is gone although the published placement names them (they
   * held documents once). Empty on a first start: no topology was published yet.
   */
  static Set<String> lostVolumes(LocalLayout layout, Collection<String> ids) throws java.io.IOException {
    Set<String> lost = new TreeSet<>();
    if (!Files.exists(layout.topologyFile())) {
      return lost;
    }
    TopologyDocument current = new FileStores.Topology(layout.topologyFile()).read();
    Set<String> named = new TreeSet<>();
    current.placement().forEach(a -> named.addAll(a.writeTargets()));
    for (String id : ids) {
      if (named.contains(id) && volumeLost(layout, id)) {
        lost.add(id);
      }
    }
    return lost;
  }

  static FileStores.Journal journals(LocalLayout layout) {
    return new FileStores.Journal(LocalRebalance.journalFile(layout));
  }

  /** Whether a saved refill already covers {@code empty}: they are out of reads, the resumed refill fills them. */
  private static boolean alreadyRefilling(LocalLayout layout, Set<String> empty) {
    return journals(layout).load().filter(RefillPlanner::isRefill)
        .map(j -> RefillPlanner.refilling(j).containsAll(empty)).orElse(false);
  }

  private static RebalanceJournal plan(LocalLayout layout, Set<String> empty) {
    if (journals(layout).load().isPresent()) {
      throw new IllegalStateException("nodes " + empty + " came back empty while a rebalance is in progress ("
          + LocalRebalance.journalFile(layout) + "); finish it first (rerun its command), then restart them");
    }
    TopologyDocument current = new FileStores.Topology(layout.topologyFile()).read();
    try {
      return RefillPlanner.plan(current, empty, CONCURRENT_MOVES);
    } catch (dev.miroir.core.move.RebalancePlanner.Refused e) {
      throw new IllegalStateException(e.getMessage() + " (" + e.rule() + ")");
    }
  }

  /**
   * With the router running: takes {@code empty} out of every shard's readers and waits until the router
   * serves that epoch. Called before the empty node starts.
   */
  static void takeOutOfReads(LocalLayout layout, String masterKey, String routerUrl, Set<String> empty,
      PrintWriter log) {
    if (alreadyRefilling(layout, empty)) {
      return;
    }
    RebalanceJournal plan = plan(layout, empty);
    try (MoverRuntime runtime = new MoverRuntime(masterKey, () -> List.of(routerUrl))) {
      RebalanceJournal saved = runtime.mover(new FileStores.Topology(layout.topologyFile()), journals(layout),
          Mover.Options.defaults(), new Mover.Listener() {}).publishAndAwait(plan);
      log.printf("miroir: nodes %s came back empty: refilling %d shards from their peers (epoch %d; they take"
          + " writes, and reads once verified)%n", empty, saved.moves().size(), saved.lastEpoch());
      log.flush();
    }
  }

  /** Before the router starts ({@code local up}): publish the refill's first epoch; the router starts on it. */
  static void publishBeforeRouter(LocalLayout layout, Set<String> empty, PrintWriter log) {
    if (alreadyRefilling(layout, empty)) {
      return;
    }
    RebalanceJournal plan = plan(layout, empty);
    FileStores.Topology topology = new FileStores.Topology(layout.topologyFile());
    TopologyDocument current = topology.read();
    TopologyDocument next = RebalanceTopology.next(plan, current);
    journals(layout).save(plan);
    if (next != current) {
      topology.write(current, next);
    }
    journals(layout).save(plan.withLastEpoch(next.epoch()));
    log.printf("miroir: nodes %s came back empty: refilling %d shards from their peers (epoch %d)%n", empty,
        plan.moves().size(), next.epoch());
    log.flush();
  }

  /** Runs the saved refill in the background until it is done; empty when no refill is saved. */
  static Optional<LocalRefill> resume(LocalLayout layout, String masterKey, String routerUrl, PrintWriter log) {
    Optional<RebalanceJournal> saved = journals(layout).load();
    if (saved.isEmpty() || !RefillPlanner.isRefill(saved.get())) {
      return Optional.empty();
    }
    Thread thread = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try (MoverRuntime runtime = new MoverRuntime(masterKey, () -> List.of(routerUrl))) {
          RebalanceJournal journal = journals(layout).load().orElse(null);
          if (journal == null) {
            return;
          }
          RebalanceJournal done = runtime.mover(new FileStores.Topology(layout.topologyFile()), journals(layout),
              Mover.Options.defaults(), new Mover.Listener() {}).run(journal);
          log.printf("miroir: nodes %s refilled: %d shards verified, %d documents copied%n",
              RefillPlanner.refilling(done), done.progress().movesDone(), done.progress().documentsCopied());
          log.flush();
          return;
        } catch (MoveNotSafeException e) {
          log.println("miroir: refill stopped, not safe (" + e.rule() + "): " + e.getMessage());
          log.flush();
          return;
        } catch (RuntimeException e) {
          if (Thread.currentThread().isInterrupted()) {
            return;
          }
          log.println("miroir: refill interrupted (" + e.getMessage() + "); resuming");
          log.flush();
          try {
            Thread.sleep(2_000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, "miroir-refill");
    thread.setDaemon(true);
    thread.start();
    return Optional.of(new LocalRefill(thread));
  }

  boolean running() {
    return thread.isAlive();
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
