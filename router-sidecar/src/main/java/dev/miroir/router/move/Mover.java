package dev.miroir.router.move;

import dev.miroir.core.move.MoveAction;
import dev.miroir.core.move.MoveMachine;
import dev.miroir.core.move.MoveOutcome;
import dev.miroir.core.move.MoveStep;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalanceTopology;
import dev.miroir.core.move.ShardMoveState;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.write.ReplicaStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a rebalance journal to its end: the I/O half of {@link MoveMachine}. Up to
 * {@code maxConcurrentMoves} shards move at once, each on its own thread; every new state is saved
 * before its action runs; topology publications are serialized and derived from the whole journal.
 * The same code runs in {@code ./miroir local scale} and in the operator's Job ({@link MoverMain}).
 */
public final class Mover {

  private static final Logger LOG = LoggerFactory.getLogger(Mover.class);

  /** Hooks for progress display and for tests that kill the mover at a chosen save. */
  public interface Listener {
    /** Called after every save, with the move that changed. Throwing stops the mover like a kill. */
    default void saved(RebalanceJournal journal, ShardMoveState move) {}

    /**
     * Called after a fenced verification (verified or not) and the lift of its fence, before the state
     * after it is saved, with where the fence's time went: milliseconds per phase ({@link FenceClock}).
     * For benchmarks; throwing stops the mover like a kill, in the window between the lift and the save.
     */
    default void fenced(ShardMoveState move, Map<String, Long> phaseMillis, List<String> notes) {}
  }

  /** Tuning; defaults suit a loaded test machine and a real cluster alike. */
  public record Options(Duration routerWait, int fenceTtlSeconds, int abandonAfterFailures, Duration retryPause) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(120), 120, 60, Duration.ofMillis(250));
    }
  }

  private final TopologyStore topology;
  private final JournalStore journals;
  private final RouterApi routers;
  private final ShardCopier copier;
  private final Options options;
  private final Listener listener;
  private final Object saveLock = new Object();
  private final Object publishLock = new Object();
  private RebalanceJournal journal;
  private volatile boolean stopped;
  /**
   * Keeps the nodes of a move that is fencing or fenced quiet for the other moves (bounded to a minute):
   * a node applies its tasks in order, so a fenced drain would otherwise wait for another move's bulk
   * copy or drop (the longest part of a fence measured).
   */
  private final NodeGate gate = new NodeGate(Duration.ofSeconds(60));
  /** The clock of each move's last fenced step, handed to the listener once the step returned. */
  private final Map<Integer, FenceClock> fenceClocks = new java.util.concurrent.ConcurrentHashMap<>();

  public Mover(TopologyStore topology, JournalStore journals, RouterApi routers, ShardCopier copier, Options options,
      Listener listener) {
    this.topology = topology;
    this.journals = journals;
    this.routers = routers;
    this.copier = copier;
    this.options = options;
    this.listener = listener;
  }

  /**
   * Resumes {@code start} (a new plan or a saved journal) and runs it to its end; the finished journal
   * is archived.
   *
   * @throws MoveNotSafeException when the stores cannot be trusted; the journal stays for a rerun
   */
  public RebalanceJournal run(RebalanceJournal start) {
    TopologyDocument current = topology.read();
    if (current.epoch() < start.lastEpoch()) {
      throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_OLDER, "the topology store holds epoch "
          + current.epoch() + " but this rebalance already published epoch " + start.lastEpoch()
          + "; it was replaced by an older document, not safe to continue");
    }
    RebalanceJournal resumed = start;
    for (ShardMoveState m : start.moves()) {
      resumed = resumed.with(MoveMachine.resume(m));
    }
    journal = resumed;
    journals.save(journal);
    // The first publication marks leaving nodes draining even before a move begins.
    publish();
    LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
    // In-progress moves first (a resumed run finishes what it started), then planned ones in shard order.
    journal.moves().stream().filter(m -> !m.step().isFinal() && m.step() != MoveStep.PLANNED)
        .forEach(m -> queue.add(m.shard()));
    journal.moves().stream().filter(m -> m.step() == MoveStep.PLANNED).forEach(m -> queue.add(m.shard()));
    int workers = Math.max(1, Math.min(journal.maxConcurrentMoves(), queue.size()));
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "miroir-mover");
      t.setDaemon(true);
      return t;
    });
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      running.add(pool.submit(() -> {
        Integer shard;
        while (!stopped && (shard = queue.poll()) != null) {
          try {
            runMove(shard);
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            stopped = true;
          }
        }
      }));
    }
    try {
      for (Future<?> f : running) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    } catch (java.util.concurrent.ExecutionException e) {
      failure.compareAndSet(null, new IllegalStateException(e.getCause()));
    } finally {
      pool.shutdownNow();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    confirmDrops();
    // The last publication drops finished leaving nodes from the document.
    publish();
    journals.finish(journal);
    return journal;
  }

  /**
   * Saves {@code start}, publishes the topology it calls for and waits until every router serves it,
   * without running any move. A refill does this before the empty node answers at all, so that no
   * router reads from it even for a moment; {@link #run} later finds that epoch already published.
   *
   * @return the journal as saved, with the epoch it published
   */
  public RebalanceJournal publishAndAwait(RebalanceJournal start) {
    TopologyDocument current = topology.read();
    if (current.epoch() < start.lastEpoch()) {
      throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_OLDER, "the topology store holds epoch "
          + current.epoch() + " but this rebalance already published epoch " + start.lastEpoch());
    }
    synchronized (this) {
      journal = start;
    }
    journals.save(start);
    long epoch = publish();
    journals.save(journal());
    if (awaitRouters(epoch) instanceof MoveOutcome.Failed f) {
      throw new IllegalStateException(f.why());
    }
    return journal();
  }

  /**
   * Every copy a finished move gave up is gone from the losing nodes that stay: their queued deletions
   * processed and no document of those shards left (a deletion that failed is enqueued again). Runs
   * before the journal is archived, so a rerun after a crash checks again.
   */
  private void confirmDrops() {
    Map<String, List<Integer>> dropped = new LinkedHashMap<>();
    RebalanceJournal j = journal();
    for (ShardMoveState m : j.moves()) {
      if (m.step() == MoveStep.DONE) {
        m.losing().stream().filter(j.staying()::contains)
            .forEach(n -> dropped.computeIfAbsent(n, x -> new ArrayList<>()).add(m.shard()));
      }
    }
    for (Map.Entry<String, List<Integer>> e : dropped.entrySet()) {
      TopologyNode node = node(e.getKey());
      for (int attempt = 0; copier.remaining(node, e.getValue()) > 0; attempt++) {
        if (attempt >= 3) {
          throw new IllegalStateException("node " + node.id() + " still holds documents of shards " + e.getValue()
              + " after dropping them");
        }
        for (int shard : e.getValue()) {
          copier.drop(node, shard);
        }
      }
    }
  }

  public synchronized RebalanceJournal journal() {
    return journal;
  }

  private void runMove(int shard) {
    ShardMoveState move = journal().move(shard);
    if (move.step() == MoveStep.PLANNED) {
      move = save(MoveMachine.begin(move), 0);
    }
    NodeGate.Held quiet = null;
    try {
      while (!move.step().isFinal()) {
        boolean fencing = move.step() == MoveStep.FENCING || move.step() == MoveStep.FENCED;
        if (fencing && quiet == null) {
          // From the drain before the fence to the end of the fenced verification, one span: no other
          // move enqueues on these nodes in between.
          quiet = gate.quiet(quietNodes(move));
        } else if (!fencing && quiet != null) {
          quiet.close();
          quiet = null;
        }
        move = step(move);
      }
    } finally {
      if (quiet != null) {
        quiet.close();
      }
    }
  }

  /** The nodes a fencing move drains, reads and rewrites: the gaining nodes and every possible source. */
  private static List<String> quietNodes(ShardMoveState move) {
    List<String> nodes = new ArrayList<>(move.gaining());
    nodes.addAll(move.before());
    return nodes;
  }

  /** Runs the action the move's state calls for and saves the state it leads to. */
  private ShardMoveState step(ShardMoveState move) {
    int shard = move.shard();
    if (stopped) {
      throw new Sync.MoveInterruptedException();
    }
    MoveAction action = MoveMachine.next(move, journal().staying());
    MoveOutcome outcome;
    try {
      outcome = execute(action, move);
    } catch (MoveNotSafeException | Sync.MoveInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("shard {} {}: {}", shard, move.step().wireName(), e.getMessage());
      outcome = new MoveOutcome.Failed(e.getMessage());
    }
    FenceClock fence = fenceClocks.remove(shard);
    if (fence != null) {
      // After the fence's lift and before the state after it is saved: a listener that throws here
      // stops the mover in that window (the rerun resumes FENCED and verifies again under a new fence).
      try {
        listener.fenced(move, fence.millis(), fence.notes());
      } catch (RuntimeException e) {
        stopped = true;
        throw e;
      }
    }
    long epoch = outcome instanceof MoveOutcome.Published p ? p.epoch() : 0;
    if (outcome instanceof MoveOutcome.Failed && move.failures() + 1 >= options.abandonAfterFailures()
        && move.step().canRollBack()) {
      outcome = new MoveOutcome.Abandon("gave up after " + options.abandonAfterFailures() + " failures: "
          + ((MoveOutcome.Failed) outcome).why());
    }
    try {
      move = save(MoveMachine.advance(move, outcome), epoch);
    } catch (Sync.MoveInterruptedException e) {
      if (outcome instanceof MoveOutcome.FenceRaised raised) {
        // Stopped between raising a fence and saving it: no rerun would know to lift it.
        try {
          routers.liftFence(raised.fenceId());
        } catch (RuntimeException ignored) {
          // Its ttl ends it.
        }
      }
      throw e;
    }
    if (outcome instanceof MoveOutcome.Failed) {
      Sync.sleep(Math.min(5_000, options.retryPause().toMillis() * Math.min(20, move.failures())));
    }
    return move;
  }

  private ShardMoveState save(ShardMoveState move, long publishedEpoch) {
    RebalanceJournal saved;
    synchronized (saveLock) {
      if (stopped) {
        throw new Sync.MoveInterruptedException();
      }
      synchronized (this) {
        journal = journal.with(move).withLastEpoch(publishedEpoch);
        saved = journal;
      }
      journals.save(saved);
    }
    try {
      listener.saved(saved, move);
    } catch (RuntimeException e) {
      stopped = true;
      throw e;
    }
    return move;
  }

  private MoveOutcome execute(MoveAction action, ShardMoveState move) {
    if (action instanceof MoveAction.PublishTopology) {
      return new MoveOutcome.Published(publish());
    }
    if (action instanceof MoveAction.AwaitRouters a) {
      return awaitRouters(a.epoch());
    }
    if (action instanceof MoveAction.PrepareTargets p) {
      TopologyNode source = chooseSource(move);
      copier.prepare(source, nodes(p.gaining()));
      return new MoveOutcome.Prepared(source.id());
    }
    if (action instanceof MoveAction.CopyPage c) {
      TopologyNode source = chooseSource(move);
      ShardCopier.PageResult page = gate.enqueuing(c.gaining(), () -> copier.copyPage(source, nodes(c.gaining()),
          move.shard(), c.index(), c.offset()));
      return new MoveOutcome.PageCopied(page.nextIndex(), page.nextOffset(), page.documents(), page.finished());
    }
    if (action instanceof MoveAction.CatchUp c) {
      return new MoveOutcome.CaughtUp(copier.reconcile(chooseSource(move), nodes(c.gaining()), move.shard(),
          (target, rewrite) -> gate.enqueuing(List.of(target.id()), () -> {
            rewrite.run();
            return null;
          })));
    }
    if (action instanceof MoveAction.RaiseFence r) {
      TopologyNode source = chooseSource(move);
      List<TopologyNode> involved = new ArrayList<>(nodes(move.gaining()));
      involved.add(source);
      // Drained before the fence, while writes still flow (runMove keeps these nodes quiet for the other
      // moves from here on): the fenced drain then waits only for the writes of the last moments.
      copier.awaitDrained(involved, ShardCopier.FENCED_DRAIN_PAUSE_MS);
      if (stopped) {
        // A fence raised now could not be saved: it would hold the shard's writes for its whole ttl.
        throw new Sync.MoveInterruptedException();
      }
      return new MoveOutcome.FenceRaised(routers.raiseFence(r.shard(), options.fenceTtlSeconds()));
    }
    if (action instanceof MoveAction.ReconcileAndVerify v) {
      return reconcileAndVerify(move, v);
    }
    if (action instanceof MoveAction.LiftFence l) {
      routers.liftFence(l.fenceId());
      return new MoveOutcome.FenceLifted();
    }
    if (action instanceof MoveAction.DropShard d) {
      if (move.step() == MoveStep.DROPPING) {
        // After the cut-over nobody reads or writes the shard on these nodes: the deletion need not hold
        // the move; confirmDrops checks it before the rebalance ends (and again on a rerun).
        gate.enqueuing(d.nodes(), () -> {
          for (TopologyNode node : nodes(d.nodes())) {
            copier.enqueueDrop(node, move.shard());
          }
          return null;
        });
      } else {
        for (TopologyNode node : nodes(d.nodes())) {
          copier.drop(node, move.shard());
        }
      }
      return new MoveOutcome.Dropped();
    }
    throw new IllegalStateException("finished moves take no action");
  }

  private MoveOutcome reconcileAndVerify(ShardMoveState move, MoveAction.ReconcileAndVerify v) {
    FenceClock clock = new FenceClock();
    TopologyNode source = chooseSource(move);
    List<TopologyNode> targets = nodes(v.gaining());
    clock.lap("source");
    awaitCaughtUp(source, targets);
    clock.lap("caught up");
    // Asked once nothing is pending: the task of each node's last write to the shard, which the drain
    // waits for instead of the node's whole queue (the mover's own earlier tasks were drained before
    // the fence was raised).
    Map<String, Long> lastTasks = routers.fenceTasks(v.fenceId());
    clock.lap("last tasks");
    ShardCopier.Settled settled = copier.settle(source, targets, move.shard(), true, clock, lastTasks);
    // The fence ends with the verification, before the state after it is saved: a crash in between
    // resumes FENCED, which raises a new fence and verifies again (never a guess). The LiftFence of the
    // next state then finds it gone, which counts as lifted.
    try {
      routers.liftFence(v.fenceId());
    } catch (Sync.MoveInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("shard {}: lifting fence {} after the verification: {} (lifted again next)", move.shard(), v.fenceId(),
          e.getMessage());
    }
    clock.lap("lift");
    fenceClocks.put(move.shard(), clock);
    if (settled.difference() != null) {
      return new MoveOutcome.NotVerified(settled.difference(), settled.rewritten());
    }
    return new MoveOutcome.Verified(settled.rewritten());
  }

  /**
   * A copy the write path still has to deliver would be applied after our rewrite, a second time: wait
   * until neither the source nor a target has one.
   */
  private void awaitCaughtUp(TopologyNode source, List<TopologyNode> targets) {
    long deadline = System.nanoTime() + options.routerWait().toNanos();
    while (true) {
      Map<String, ReplicaStatus> status = routers.replicaStatus();
      List<String> behind = new ArrayList<>();
      ReplicaStatus s = status.get(source.id());
      if (s != null && !s.authoritative()) {
        behind.add(source.id());
      }
      for (TopologyNode t : targets) {
        ReplicaStatus ts = status.get(t.id());
        if (ts != null && !ts.caughtUp()) {
          behind.add(t.id());
        }
      }
      if (behind.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nodes " + behind + " still have copies to receive (or need repair)");
      }
      // Under the fence: a short pause, since every millisecond here holds the shard's writes.
      Sync.sleep(20);
    }
  }

  /** Publishes the topology the whole journal calls for; returns the epoch that holds it. */
  private long publish() {
    synchronized (publishLock) {
      RebalanceJournal now = journal();
      TopologyDocument current = topology.read();
      if (current.epoch() < now.lastEpoch()) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_OLDER, "the topology store went back to epoch "
            + current.epoch() + " after this rebalance published " + now.lastEpoch());
      }
      TopologyDocument next = RebalanceTopology.next(now, current);
      if (next != current) {
        topology.write(current, next);
        LOG.info("published topology epoch {}", next.epoch());
      }
      synchronized (this) {
        journal = journal.withLastEpoch(next.epoch());
      }
      return next.epoch();
    }
  }

  private MoveOutcome awaitRouters(long epoch) {
    long deadline = System.nanoTime() + options.routerWait().toNanos();
    long pause = 10;
    while (true) {
      Map<String, Long> epochs = routers.servedEpochs();
      List<String> behind = epochs.entrySet().stream().filter(e -> e.getValue() < epoch)
          .map(e -> e.getKey() + " serves " + e.getValue()).toList();
      if (behind.isEmpty()) {
        return new MoveOutcome.RoutersConfirmed();
      }
      if (System.nanoTime() > deadline) {
        return new MoveOutcome.Failed("routers behind epoch " + epoch + ": " + behind);
      }
      // Routers switch within their own poll (or watch) interval; asking often is cheap (one GET each).
      Sync.sleep(pause);
      pause = Math.min(50, pause * 2);
    }
  }

  /**
   * A source for the shard: an old owner that answers and whose copies the write path trusts, one that
   * stays an owner preferred (it is not about to be dropped).
   */
  private TopologyNode chooseSource(ShardMoveState move) {
    Map<String, ReplicaStatus> status = routers.replicaStatus();
    List<String> candidates = new ArrayList<>();
    move.before().stream().filter(move.after()::contains).forEach(candidates::add);
    move.before().stream().filter(n -> !move.after().contains(n)).forEach(candidates::add);
    for (String id : candidates) {
      ReplicaStatus s = status.get(id);
      if (s != null && s.needsRepair()) {
        continue;
      }
      TopologyNode node = node(id);
      if (copier.healthy(node)) {
        return node;
      }
    }
    throw new IllegalStateException("no old owner of shard " + move.shard() + " answers: " + candidates);
  }

  private List<TopologyNode> nodes(List<String> ids) {
    return ids.stream().map(this::node).toList();
  }

  private TopologyNode node(String id) {
    RebalanceJournal j = journal();
    Map<String, TopologyNode> all = new LinkedHashMap<>();
    j.beforeNodes().forEach(n -> all.put(n.id(), n));
    j.nodes().forEach(n -> all.put(n.id(), n));
    TopologyNode node = all.get(id);
    if (node == null) {
      throw new IllegalStateException("node `" + id + "` is not in this rebalance");
    }
    return node;
  }
}
