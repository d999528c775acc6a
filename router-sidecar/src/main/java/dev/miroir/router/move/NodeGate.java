package dev.miroir.router.move;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Keeps the nodes of a fence quiet: while a move drains, fences and verifies on some nodes, other moves
 * enqueue nothing there (copy pages, catch-up rewrites, drops). A node applies its tasks in order, so a
 * fenced drain would otherwise wait for whatever another move had just enqueued: a whole bulk page or
 * a delete-by-filter, whose cost grows with the node's index, not with the fenced shard.
 *
 * <p>One monitor for both sides, so the rule has no window: a move {@linkplain #quiet quieting} nodes
 * first waits until no other move is {@linkplain #enqueuing enqueuing} on them (an enqueue that began
 * before is finished and lands in the drain that precedes the fence), and an enqueue that begins after
 * waits until the nodes are no longer quiet. Both waits are bounded ({@code patience}): the rule is an
 * optimization, never a condition of correctness, so a fence that lasts longer than that no longer
 * holds the other moves, and an enqueue that lasts longer no longer delays the fence.
 */
final class NodeGate {

  private final Duration patience;
  private final Map<String, Integer> quiet = new HashMap<>();
  private final Map<String, Integer> enqueuing = new HashMap<>();

  NodeGate(Duration patience) {
    this.patience = patience;
  }

  /** Quiet nodes, released by {@link #close}. */
  final class Held implements AutoCloseable {
    private final Collection<String> nodes;
    private boolean released;

    private Held(Collection<String> nodes) {
      this.nodes = nodes;
    }

    @Override
    public void close() {
      synchronized (NodeGate.this) {
        if (!released) {
          released = true;
          nodes.forEach(n -> quiet.merge(n, -1, Integer::sum));
          NodeGate.this.notifyAll();
        }
      }
    }
  }

  /**
   * Makes {@code nodes} quiet for every other move until the handle is closed, once the enqueues that
   * were running on them ended.
   */
  Held quiet(Collection<String> nodes) {
    List<String> held = List.copyOf(new java.util.LinkedHashSet<>(nodes));
    synchronized (this) {
      held.forEach(n -> quiet.merge(n, 1, Integer::sum));
      awaitNone(enqueuing, held);
    }
    return new Held(held);
  }

  /** Runs {@code action}, which enqueues tasks on {@code nodes}, once none of them is quiet. */
  <T> T enqueuing(Collection<String> nodes, Supplier<T> action) {
    synchronized (this) {
      awaitNone(quiet, nodes);
      nodes.forEach(n -> enqueuing.merge(n, 1, Integer::sum));
    }
    try {
      return action.get();
    } finally {
      synchronized (this) {
        nodes.forEach(n -> enqueuing.merge(n, -1, Integer::sum));
        notifyAll();
      }
    }
  }

  /** Whether another move keeps {@code node} quiet now (for tests and status). */
  synchronized boolean isQuiet(String node) {
    return quiet.getOrDefault(node, 0) > 0;
  }

  private void awaitNone(Map<String, Integer> held, Collection<String> nodes) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (nodes.stream().anyMatch(n -> held.getOrDefault(n, 0) > 0)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Sync.MoveInterruptedException();
      }
    }
  }
}
