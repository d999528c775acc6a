package dev.miroir.router.write;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.write.WriteSequencer.WritePlan;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's write path as one object: the replica log, the sequencer (and its fences), the
 * per-node dispatchers and this router's role in sequencer election. Routes hand it write plans; it
 * answers with each copy's first attempt. See {@code docs/design/writes.md}.
 */
public final class WritePath implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WritePath.class);

  private final Vertx vertx;
  private final NodeClient nodes;
  private final Supplier<RoutingSnapshot> topology;
  private final WriteOptions options;
  private final String routerAuthorization;
  private final MeterRegistry meters;
  private final ReplicaLog log;
  private final SequencerRole role;
  private final WriteSequencer sequencer;
  private final Map<String, NodeDispatcher> dispatchers = new ConcurrentHashMap<>();
  /** Bumped when a write that may change an index's shape is submitted, when it is answered, and on a change of leader. */
  private final java.util.concurrent.atomic.AtomicLong shapeGeneration = new java.util.concurrent.atomic.AtomicLong();
  /** Writes that may change an index's shape, submitted and not yet answered by every copy's first attempt. */
  private final java.util.concurrent.atomic.AtomicInteger shapeChangesInFlight = new java.util.concurrent.atomic.AtomicInteger();

  public WritePath(Vertx vertx, NodeClient nodes, Supplier<RoutingSnapshot> topology, WriteOptions options,
      String routerAuthorization, MeterRegistry meters) {
    this.vertx = vertx;
    this.nodes = nodes;
    this.topology = topology;
    this.options = options;
    this.routerAuthorization = routerAuthorization;
    this.meters = meters;
    ReplicaLogStore store;
    if (options.isRedis()) {
      RedisSequencer redis = new RedisSequencer(vertx, options);
      store = redis.store();
      role = redis;
    } else {
      store = options.isFile() ? new FileLogStore(options.fileDir(), options.fsync(), vertx) : new MemoryLogStore();
      role = SequencerRole.single();
    }
    this.log = new ReplicaLog(store, options.maxCopies(), options.maxBytes());
    this.sequencer = new WriteSequencer(vertx, log, this::dispatcher, role);
    role.onLost(() -> {
      shapeGeneration.incrementAndGet();
      sequencer.liftAll();
    });
  }

  /** Loads the log and takes part in the election; returns once this router can serve. */
  public Future<Void> start() {
    if (!options.isRedis() && !options.isFile()) {
      LOG.warn("replica log in memory: copies nodes missed do not survive a router restart"
          + " (set MIROIR_REPLICA_LOG=file:/dir, or a redis:// URL for several routers)");
    }
    topology.get().nodes().keySet().forEach(this::dispatcher);
    return role.start(this::becomeLeader).onSuccess(v -> LOG.info("replica log {}; {}", log.store().describe(),
        role.leading() ? "this router sequences writes" : "another router sequences writes"));
  }

  /** Loads the log (the previous leader's, in Redis mode) and finishes its undelivered copies first. */
  private Future<Void> becomeLeader() {
    // Another router sequenced writes meanwhile: whatever this one knew of the indexes' shapes is void.
    shapeGeneration.incrementAndGet();
    return log.load().onSuccess(v -> {
      for (String node : log.knownNodes()) {
        NodeDispatcher d = dispatcher(node);
        d.resumeAfterLoad();
        d.kick();
      }
    });
  }

  public Future<Map<String, NodeReply>> submit(WritePlan plan) {
    if (ShapeWrites.keepShape(plan)) {
      return sequencer.submit(plan);
    }
    return changingShape(() -> sequencer.submit(plan));
  }

  /**
   * Runs something that may change an index's shape (a write other than to documents, a task
   * cancellation): facts about shapes read before it is answered are void ({@link #shapeStamp}).
   */
  public <T> Future<T> changingShape(Supplier<Future<T>> change) {
    shapeChangesInFlight.incrementAndGet();
    shapeGeneration.incrementAndGet();
    Future<T> done;
    try {
      done = change.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.onComplete(answered -> {
      // Again once answered: a shape read while the change waited (at a fence, in the log) is void too.
      shapeGeneration.incrementAndGet();
      shapeChangesInFlight.decrementAndGet();
    });
  }

  /**
   * A stamp of what this sequencer knows about the indexes' shapes (existence, primary key,
   * settings); empty while a write that may change one is in flight, or when this router does not
   * sequence writes. Facts read from a node while the stamp stays equal are still true, provided the
   * node is not {@link #behind} and had no change of the shape queued when they were read (see
   * {@link ShapeWrites}): with no such write in flight, each one's copy for that node was enqueued
   * on it, or held back while it was late and enqueued since (a node is late until its last held-back
   * copy is), or refused (the node then needs repair).
   */
  public java.util.Optional<ShapeWrites.Stamp> shapeStamp() {
    if (!role.leading() || shapeChangesInFlight.get() > 0) {
      return java.util.Optional.empty();
    }
    ShapeWrites.Stamp stamp = new ShapeWrites.Stamp(shapeGeneration.get(), role.term());
    return shapeChangesInFlight.get() > 0 ? java.util.Optional.empty() : java.util.Optional.of(stamp);
  }


  public ShardFence fence() {
    return sequencer;
  }

  /** See {@link WriteSequencer#lastTasks}: for every node this router knows. */
  public Map<String, Long> fenceTasks(String fenceId) {
    java.util.Set<String> known = new TreeSet<>(topology.get().nodes().keySet());
    known.addAll(log.knownNodes());
    return sequencer.lastTasks(fenceId, known);
  }

  public boolean liftFence(String fenceId) {
    return sequencer.lift(fenceId);
  }

  public boolean leading() {
    return role.leading();
  }

  /** Where to forward writes when another router sequences them; null when unknown. */
  public String leaderUrl() {
    return role.leaderUrl();
  }

  public ReplicaStatus status(String nodeId) {
    ReplicaStatus remote = role.remoteStatus(nodeId);
    return remote != null ? remote : log.status(nodeId);
  }

  /**
   * Whether a read should go elsewhere when it can: the node is missing acknowledged writes. On the
   * sequencer that is a node whose copies are held back after a failed one or not yet processed after
   * catching up, or that needs repair (a copy merely in flight is not "behind": its write is not
   * acknowledged without it). A router that
   * forwards writes sees the sequencer's last published status, in which any pending copy counts.
   */
  public boolean behind(String nodeId) {
    ReplicaStatus remote = role.remoteStatus(nodeId);
    if (remote != null) {
      return remote.needsRepair() || remote.pendingCopies() > 0;
    }
    NodeDispatcher d = dispatchers.get(nodeId);
    return log.status(nodeId).needsRepair() || (d != null && d.readsStale());
  }

  /** Marks a node as needing repair (e.g. it refused its part of a write its peers enqueued). */
  public Future<Void> markNeedsRepair(String nodeId, String reason) {
    return log.markNeedsRepair(nodeId, reason);
  }

  /** Anti-entropy repaired the node's shards: it is authoritative again. */
  public Future<Void> clearNeedsRepair(String nodeId) {
    return log.markNeedsRepair(nodeId, null);
  }

  /** For {@code GET /_miroir/replicas}: every topology node and every node with copies. */
  public ObjectNode report(Collection<String> topologyNodes) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    TreeSet<String> ids = new TreeSet<>(topologyNodes);
    ids.addAll(log.knownNodes());
    ArrayNode results = out.putArray("results");
    long pending = 0;
    for (String id : ids) {
      ReplicaStatus s = status(id);
      NodeDispatcher d = dispatchers.get(id);
      ObjectNode n = results.addObject();
      n.put("nodeId", id);
      n.put("pendingCopies", s.pendingCopies());
      n.put("pendingBytes", log.pendingBytes(id));
      n.put("deliveredCopies", log.deliveredCount(id));
      n.put("state", s.pendingCopies() == 0 ? "caughtUp" : d != null && d.isLate() ? "late" : "delivering");
      if (d != null && d.lateSince() != null) {
        n.put("lateSince", d.lateSince());
      }
      n.put("needsRepair", s.needsRepair());
      if (s.reason() == null) {
        n.putNull("reason");
      } else {
        n.put("reason", s.reason());
      }
      pending += s.pendingCopies();
    }
    out.put("pendingCopies", pending);
    out.put("replicaLog", log.store().describe());
    out.put("sequencer", role.leading() ? "self" : role.leaderUrl() == null ? "unknown" : role.leaderUrl());
    out.put("term", role.term());
    return out;
  }

  private NodeDispatcher dispatcher(String nodeId) {
    return dispatchers.computeIfAbsent(nodeId, id -> {
      if (meters != null) {
        Gauge.builder("miroir_replica_log_pending", log, l -> l.status(id).pendingCopies())
            .description("Write copies sequenced for a node and not yet enqueued on it")
            .tag("node", id).register(meters);
        Gauge.builder("miroir_replica_needs_repair", log, l -> l.status(id).needsRepair() ? 1 : 0)
            .description("1 when a node may lack acknowledged writes (overflow or refusal) until repaired")
            .tag("node", id).register(meters);
      }
      return new NodeDispatcher(id, log, nodes, vertx, topology, role::leading, routerAuthorization);
    });
  }

  @Override
  public void close() {
    dispatchers.values().forEach(NodeDispatcher::close);
    sequencer.liftAll();
    long pending = log.knownNodes().stream().mapToLong(n -> log.status(n).pendingCopies()).sum();
    if (pending > 0) {
      LOG.warn("router stopping with {} cop(ies) not yet enqueued on their nodes; they stay in {} and are"
          + " delivered when a router starts over it", pending, log.store().describe());
    }
    role.close();
    log.store().close();
  }
}
