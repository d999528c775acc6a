package dev.miroir.router.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one node's copies strictly in sequence order, one in flight: the next copy is sent only
 * once the previous one is enqueued (or refused) and that is recorded in the log. A node that fails a
 * copy is <em>late</em>: its newer copies are held back (their first attempt answers at once, as not
 * enqueued) and the head is retried with backoff once the node answers {@code /health}.
 *
 * <p>A retried head is the only copy that may have reached the node already, and nothing after it
 * was sent, so a duplicate is applied right after the original: the same as once for every
 * idempotent write. For {@code documents/edit} and {@code swap-indexes} the node's task list is
 * checked first: the sequencer is the node's only writer, so a task of that type newer than the last
 * one we saw the node enqueue is this copy.
 */
final class NodeDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(NodeDispatcher.class);
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 3_000;
  static final long CATCH_UP_POLL_MS = 200;

  private final String nodeId;
  private final ReplicaLog log;
  private final NodeClient nodes;
  private final Vertx vertx;
  private final Supplier<RoutingSnapshot> topology;
  private final BooleanSupplier allowed;
  private final String routerAuthorization;

  private boolean busy;
  private boolean late;
  private boolean draining;
  private boolean headMaybeSent;
  private boolean closed;
  private boolean catchingUp;
  private long catchUpGeneration;
  private long backoff = MIN_BACKOFF_MS;
  private long timer = -1;
  private String lateSince;

  NodeDispatcher(String nodeId, ReplicaLog log, NodeClient nodes, Vertx vertx, Supplier<RoutingSnapshot> topology,
      BooleanSupplier allowed, String routerAuthorization) {
    this.nodeId = nodeId;
    this.log = log;
    this.nodes = nodes;
    this.vertx = vertx;
    this.topology = topology;
    this.allowed = allowed;
    this.routerAuthorization = routerAuthorization;
  }

  /** New copies were queued for this node. */
  void afterAppend() {
    boolean holdBack;
    synchronized (this) {
      holdBack = late;
    }
    if (holdBack) {
      holdBackPending("node is catching up on earlier copies");
      schedule();
    } else {
      pump();
    }
  }

  /** Copies loaded from the log after a restart or a leader change: the head may have been sent. */
  synchronized void resumeAfterLoad() {
    headMaybeSent = true;
    late = log.head(nodeId) != null;
    draining = false;
    if (late) {
      lateSince = Instant.now().toString();
    }
  }

  synchronized boolean isLate() {
    return late;
  }

  /**
   * Whether a read from this node could miss an acknowledged write: it is late, or it has enqueued
   * the copies it missed but not processed them yet (a node's task is visible to searches only once
   * it succeeded). Writes do not wait for the second part; reads go to a current peer meanwhile.
   */
  synchronized boolean readsStale() {
    return late || catchingUp;
  }

  /** Polls the node's last caught-up task until it is finished, then lets reads come back. */
  private void awaitProcessed(long taskUid, long generation) {
    TopologyNode node = topology.get().nodes().get(nodeId);
    if (taskUid < 0 || node == null) {
      finishCatchUp(generation);
      return;
    }
    nodes.send(node, HttpMethod.GET, "/tasks/" + taskUid, null, null, routerAuthorization).onComplete(ar -> {
      NodeReply reply = ar.succeeded() ? ar.result() : null;
      // 404: the task was deleted from the node's history, so it finished long ago.
      boolean done = reply != null && (reply.status() == 404 || (reply.isSuccess()
          && dev.miroir.router.task.TaskAggregator.isTerminal(reply.json().path("status").asText())));
      if (done) {
        finishCatchUp(generation);
        return;
      }
      synchronized (this) {
        if (closed || generation != catchUpGeneration) {
          return;
        }
      }
      vertx.setTimer(CATCH_UP_POLL_MS, t -> awaitProcessed(taskUid, generation));
    });
  }

  private synchronized void finishCatchUp(long generation) {
    if (generation == catchUpGeneration) {
      catchingUp = false;
    }
  }

  synchronized String lateSince() {
    return lateSince;
  }

  void pump() {
    ReplicaLog.Entry head;
    synchronized (this) {
      if (busy || closed || (late && !draining) || !allowed.getAsBoolean()) {
        // Not allowed: the lease is being renewed or moved; try again shortly rather than strand copies.
        if (!busy && !closed && (late && !draining || !allowed.getAsBoolean())) {
          scheduleLocked();
        }
        return;
      }
      busy = true;
    }
    head = log.head(nodeId);
    if (head == null) {
      boolean again;
      long catchUp = -1;
      synchronized (this) {
        busy = false;
        if (late) {
          late = false;
          draining = false;
          lateSince = null;
          LOG.info("node {} caught up: every copy it missed is enqueued", nodeId);
          catchingUp = true;
          catchUp = ++catchUpGeneration;
        }
        again = log.head(nodeId) != null;
      }
      if (catchUp >= 0) {
        awaitProcessed(log.lastTaskUid(nodeId), catchUp);
      }
      if (again) {
        pump();
      }
      return;
    }
    ReplicaLog.Entry sent = head;
    attempt(sent).onComplete(ar -> handle(sent, ar.succeeded() ? ar.result()
        : NodeReply.unreachable(nodeId, String.valueOf(ar.cause()))));
  }

  private Future<NodeReply> attempt(ReplicaLog.Entry entry) {
    NodeCopy copy = entry.copy();
    TopologyNode node = topology.get().nodes().get(nodeId);
    if (node == null) {
      return Future.succeededFuture(NodeReply.unreachable(nodeId, CopyOutcome.HELD_BACK + "node `" + nodeId
          + "` is not in the topology"));
    }
    boolean maybeSent;
    synchronized (this) {
      maybeSent = headMaybeSent;
      headMaybeSent = true;
    }
    if (maybeSent && copy.nonIdempotentType() != null) {
      return alreadyEnqueued(node, copy).compose(found -> found != null ? Future.succeededFuture(found) : send(node, copy));
    }
    return send(node, copy);
  }

  private Future<NodeReply> send(TopologyNode node, NodeCopy copy) {
    return nodes.send(node, HttpMethod.valueOf(copy.method()), copy.uri(),
        copy.body() == null ? null : NodeCopy.wrap(copy.body()), copy.contentType(), copy.authorization());
  }

  /**
   * Whether the node already enqueued a non-idempotent copy whose earlier attempt was ambiguous: a 202
   * made from its task if so, null if not; a failed future when the node cannot tell.
   */
  private Future<NodeReply> alreadyEnqueued(TopologyNode node, NodeCopy copy) {
    long lastSeen = log.lastTaskUid(nodeId);
    StringBuilder q = new StringBuilder("/tasks?limit=1&types=").append(copy.nonIdempotentType());
    if (copy.indexUid() != null) {
      q.append("&indexUids=").append(URLEncoder.encode(copy.indexUid(), StandardCharsets.UTF_8));
    }
    if (lastSeen < 0) {
      q.append("&afterEnqueuedAt=").append(URLEncoder.encode(
          Instant.ofEpochMilli(copy.loggedAtMillis() - 1_000).toString(), StandardCharsets.UTF_8));
    }
    return nodes.send(node, HttpMethod.GET, q.toString(), null, null, routerAuthorization).compose(reply -> {
      if (!reply.isSuccess()) {
        return Future.failedFuture("cannot check " + nodeId + "'s tasks before re-sending " + copy + ": "
            + reply.describe());
      }
      JsonNode latest = reply.json().path("results").path(0);
      if (latest.isMissingNode() || latest.path("uid").asLong(-1) <= lastSeen) {
        return Future.succeededFuture(null);
      }
      LOG.info("node {} had enqueued {} before its answer was lost (task {}); not sending it again", nodeId, copy,
          latest.path("uid").asLong());
      ObjectNode summary = JsonNodeFactory.instance.objectNode();
      summary.put("taskUid", latest.path("uid").asLong());
      summary.set("indexUid", latest.path("indexUid"));
      summary.put("status", "enqueued");
      summary.set("type", latest.path("type"));
      summary.set("enqueuedAt", latest.path("enqueuedAt"));
      return Future.succeededFuture(new NodeReply(nodeId, 202, Buffer.buffer(summary.toString()), null));
    });
  }

  private void handle(ReplicaLog.Entry entry, NodeReply reply) {
    CopyOutcome outcome = CopyOutcome.of(reply);
    if (outcome == CopyOutcome.ENQUEUED || outcome == CopyOutcome.REFUSED) {
      long taskUid = outcome == CopyOutcome.ENQUEUED ? reply.taskUid(-1) : -1;
      // The first attempt is answered now, before the delivery is recorded: the write's copies are
      // in the log already (what a 202 promises) and the node has this one; recording it only saves
      // a re-send after a crash (the head, checked against the node's tasks when not idempotent),
      // and with fsync or Redis it costs a sync or a round trip the client need not wait for. The
      // next copy still waits for the record, so the head stays the only copy that may be re-sent.
      boolean refusedReplay = outcome == CopyOutcome.REFUSED && (entry.first() == null || entry.first().future().isComplete());
      complete(entry, reply);
      log.delivered(nodeId, entry, taskUid).onComplete(recorded -> {
        synchronized (this) {
          busy = false;
          headMaybeSent = !recorded.succeeded();
          backoff = MIN_BACKOFF_MS;
        }
        if (recorded.failed()) {
          // The node has it but the log does not say so: stop here, so that a re-send stays the head.
          LOG.error("node {} enqueued {} but the replica log could not record it: {}", nodeId, entry.copy(),
              recorded.cause().toString());
          becomeLate();
          return;
        }
        if (refusedReplay) {
          // A replay refused: its peers applied the write, this node never will.
          log.markNeedsRepair(nodeId, "refused a replayed write (" + entry.copy() + "): " + reply.describe() + " "
              + reply.json().path("message").asText(""));
        }
        pump();
      });
      return;
    }
    synchronized (this) {
      busy = false;
      if (outcome == CopyOutcome.UNAVAILABLE) {
        headMaybeSent = false;
      }
      if (!late) {
        LOG.warn("node {} did not enqueue {} ({}); holding its later copies until it is back", nodeId, entry.copy(),
            reply.describe());
      }
    }
    complete(entry, reply);
    becomeLate();
  }

  private void becomeLate() {
    synchronized (this) {
      if (!late) {
        lateSince = Instant.now().toString();
      }
      late = true;
      draining = false;
    }
    holdBackPending("an earlier copy for this node is not enqueued yet");
    schedule();
  }

  private void complete(ReplicaLog.Entry entry, NodeReply reply) {
    if (entry.first() != null) {
      entry.first().tryComplete(reply);
    }
  }

  private void holdBackPending(String why) {
    List<Promise<NodeReply>> pending = log.pendingFirsts(nodeId);
    for (Promise<NodeReply> p : pending) {
      p.tryComplete(NodeReply.unreachable(nodeId, CopyOutcome.HELD_BACK + why));
    }
  }

  private void schedule() {
    synchronized (this) {
      scheduleLocked();
    }
  }

  private void scheduleLocked() {
    if (timer >= 0 || closed) {
      return;
    }
    long delay = backoff;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    timer = vertx.setTimer(delay, id -> {
      synchronized (this) {
        timer = -1;
      }
      probe();
    });
  }

  /** Retries a late node once it answers {@code /health}. */
  private void probe() {
    if (!allowed.getAsBoolean()) {
      schedule();
      return;
    }
    TopologyNode node = topology.get().nodes().get(nodeId);
    if (node == null) {
      schedule();
      return;
    }
    nodes.send(node, HttpMethod.GET, "/health", null, null, null).onComplete(health -> {
      if (health.succeeded() && health.result().isSuccess()) {
        synchronized (this) {
          draining = true;
        }
        pump();
      } else {
        schedule();
      }
    });
  }

  /** Starts delivering again (e.g. this router just became the leader). */
  void kick() {
    boolean isLate;
    synchronized (this) {
      isLate = late;
    }
    if (isLate) {
      schedule();
    } else {
      pump();
    }
  }

  void close() {
    synchronized (this) {
      closed = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
