package dev.miroir.router.write;

import dev.miroir.router.node.NodeReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The cluster's one write order. Every write passes the fences on its shards, is appended to the
 * replica log with all its copies (in groups: while one append is in flight the next writes gather,
 * so the log sees one append per group), and its copies are handed to their nodes' dispatchers. The
 * answer is each copy's first attempt, for {@link QuorumRule} to judge.
 */
public final class WriteSequencer implements ShardFence {

  /**
   * One write, split into its node copies.
   *
   * @param indexUid the index it changes, or null for cluster-wide writes (swap)
   * @param shards the shards it touches, or null for every shard (broadcasts)
   * @param copies one per node, without sequence numbers
   */
  public record WritePlan(String indexUid, Set<Integer> shards, List<NodeCopy> copies) {}

  private record Pending(WritePlan plan, Promise<Map<String, NodeReply>> result) {}

  private record InFlight(WritePlan plan, Future<Map<String, NodeReply>> done) {}

  private final class Fence implements ShardFence.Handle {
    final String id = UUID.randomUUID().toString();
    final String indexUid;
    final Set<Integer> shards;
    final Promise<Void> lifted = Promise.promise();
    long timer = -1;

    Fence(String indexUid, Set<Integer> shards) {
      this.indexUid = indexUid;
      this.shards = Set.copyOf(shards);
    }

    boolean holds(WritePlan plan) {
      boolean sameIndex = indexUid == null || plan.indexUid() == null || indexUid.equals(plan.indexUid());
      return sameIndex && (plan.shards() == null || !Collections.disjoint(shards, plan.shards()));
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Future<Void> lift() {
      WriteSequencer.this.lift(id);
      return Future.succeededFuture();
    }
  }

  private final Vertx vertx;
  private final ReplicaLog log;
  private final Function<String, NodeDispatcher> dispatchers;
  private final SequencerRole role;
  private final List<Pending> queue = new ArrayList<>();
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<String, Fence> fences = new ConcurrentHashMap<>();
  private boolean appending;

  WriteSequencer(Vertx vertx, ReplicaLog log, Function<String, NodeDispatcher> dispatchers, SequencerRole role) {
    this.vertx = vertx;
    this.log = log;
    this.dispatchers = dispatchers;
    this.role = role;
  }

  /** Sequences a write; the result maps each node to its copy's first attempt. */
  public Future<Map<String, NodeReply>> submit(WritePlan plan) {
    if (!role.leading()) {
      return Future.failedFuture(new ReplicaLogStore.NotLeaderException("this router is not the write sequencer"));
    }
    Promise<Map<String, NodeReply>> result = Promise.promise();
    admit(plan, result);
    return result.future();
  }

  private void admit(WritePlan plan, Promise<Map<String, NodeReply>> result) {
    Future<?> wait;
    synchronized (this) {
      List<Future<Void>> holding = fences.values().stream().filter(f -> f.holds(plan))
          .map(f -> f.lifted.future()).toList();
      if (holding.isEmpty()) {
        InFlight f = new InFlight(plan, result.future());
        inFlight.add(f);
        result.future().onComplete(done -> inFlight.remove(f));
        queue.add(new Pending(plan, result));
      } else {
        wait = Future.join(holding);
        wait.onComplete(lifted -> admit(plan, result));
        return;
      }
    }
    flush();
  }

  private void flush() {
    List<Pending> batch;
    synchronized (this) {
      if (appending || queue.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(queue);
      queue.clear();
      appending = true;
    }
    List<List<NodeCopy>> writes = new ArrayList<>();
    List<List<Promise<NodeReply>>> firsts = new ArrayList<>();
    List<Set<Integer>> shards = new ArrayList<>();
    for (Pending p : batch) {
      writes.add(p.plan().copies());
      shards.add(p.plan().shards());
      List<Promise<NodeReply>> promises = new ArrayList<>();
      p.plan().copies().forEach(c -> promises.add(Promise.promise()));
      firsts.add(promises);
    }
    log.append(writes, firsts, shards).onComplete(appended -> {
      synchronized (this) {
        appending = false;
      }
      if (appended.failed()) {
        batch.forEach(p -> p.result().tryFail(appended.cause()));
      } else {
        appended.result().forEach(overflow -> overflow.dropped().forEach(e -> {
          if (e.first() != null) {
            e.first().tryComplete(NodeReply.unreachable(overflow.nodeId(), CopyOutcome.HELD_BACK
                + "the replica log's bound for this node was exceeded; it needs repair"));
          }
        }));
        java.util.Set<String> touched = new java.util.LinkedHashSet<>();
        for (int i = 0; i < batch.size(); i++) {
          List<NodeCopy> copies = batch.get(i).plan().copies();
          List<Promise<NodeReply>> promises = firsts.get(i);
          List<Future<NodeReply>> futures = promises.stream().map(Promise::future).toList();
          Promise<Map<String, NodeReply>> result = batch.get(i).result();
          Future.join(futures).onComplete(all -> {
            Map<String, NodeReply> replies = new LinkedHashMap<>();
            for (int j = 0; j < copies.size(); j++) {
              replies.put(copies.get(j).nodeId(), futures.get(j).result());
            }
            result.tryComplete(replies);
          });
          copies.forEach(c -> touched.add(c.nodeId()));
        }
        touched.forEach(node -> dispatchers.apply(node).afterAppend());
      }
      flush();
    });
  }

  @Override
  public Future<Handle> raise(String indexUid, Set<Integer> shards, Duration ttl) {
    if (!role.leading()) {
      return Future.failedFuture(new ReplicaLogStore.NotLeaderException("this router is not the write sequencer"));
    }
    Fence fence = new Fence(indexUid, shards);
    List<Future<Map<String, NodeReply>>> earlier = new ArrayList<>();
    synchronized (this) {
      fences.put(fence.id, fence);
      fence.timer = vertx.setTimer(Math.max(1, ttl.toMillis()), id -> lift(fence.id));
      for (InFlight f : inFlight) {
        if (fence.holds(f.plan())) {
          earlier.add(f.done());
        }
      }
    }
    return Future.join(earlier).transform(done -> Future.succeededFuture(fence));
  }

  /**
   * For a standing fence, per node: the node task at or after every task holding a write to the fence's
   * shards (of any index), or null when this leader cannot tell; null altogether when no such fence
   * stands. Once a node has no pending copy, a mover waits for that task instead of the node's queue.
   */
  public Map<String, Long> lastTasks(String fenceId, java.util.Collection<String> nodeIds) {
    Fence fence = fences.get(fenceId);
    if (fence == null) {
      return null;
    }
    Map<String, Long> out = new java.util.TreeMap<>();
    for (String node : nodeIds) {
      out.put(node, log.lastShardTask(node, fence.shards));
    }
    return out;
  }

  /** Lifts a fence; false when no such fence stands (lifted, expired, or raised on another leader). */
  public boolean lift(String fenceId) {
    Fence fence = fences.remove(fenceId);
    if (fence == null) {
      return false;
    }
    vertx.cancelTimer(fence.timer);
    fence.lifted.tryComplete();
    return true;
  }

  /** Held writes are let go (to fail or retry on the new leader) when this router stops leading. */
  void liftAll() {
    List.copyOf(fences.keySet()).forEach(this::lift);
  }

  int fenceCount() {
    return fences.size();
  }
}
