package dev.miroir.router.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.write.QuorumRule.NodeOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node that missed writes catches up: the router keeps, per node, the write calls the node did
 * not enqueue (it was down, timed out or answered 5xx) and replays them to it, in order, once it
 * answers {@code /health} again.
 *
 * <p><b>Order.</b> While a node has writes waiting, every new write for it joins the end of its queue
 * instead of going straight to it, so the node enqueues writes in the order the router sent them: a
 * write sent after another write's answer reached the client is applied after it, as on the nodes that
 * never missed anything. (Two writes in flight at once have no order, here as on any node.) Such a
 * write counts as not enqueued by that node when the router judges it, so with RF 2 it fails with a
 * 503 until the node has caught up; the client retries, and the retry is queued behind the rest.
 *
 * <p><b>What it replays.</b> Writes only (not {@code GET}; not task cancel/delete, whose node task uids
 * would be stale), with the client's own Authorization, so a replay is allowed exactly what the
 * original request was. A replay the node refuses with a 4xx (e.g. the index was deleted meanwhile, or
 * the key revoked) is dropped and logged. Replaying a call the node had in fact enqueued before timing
 * out applies it twice; Meilisearch writes are idempotent in sequence (replace, partial update, delete,
 * settings), so the end state is the same.
 *
 * <p><b>Limits.</b> In process and bounded: at most {@code maxHints} calls and {@code maxBytes} of
 * bodies per node. A queue that overflows is dropped whole and the node is reported with
 * {@code lostWrites} at {@code GET /_miroir/handoff}; so is every queue when the router stops. Those
 * writes were never acknowledged (RF 1 and 2 need every copy; RF 3 reports the shard degraded), but the
 * node now lacks copies its peers hold: the operator must rebuild that node's copies from its peers
 * (drain it and add it back, so that the rebalance copies its shards), or clients re-send the writes.
 */
public final class HintedHandoff implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HintedHandoff.class);

  public static final int DEFAULT_MAX_HINTS = 10_000;
  public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;

  private record Hint(NodeCall call, long bytes) {}

  private static final class NodeQueue {
    final Deque<Hint> hints = new ArrayDeque<>();
    TopologyNode node;
    long bytes;
    boolean replaying;
    long lostWrites;
    long replayed;
    String since;
  }

  private final Vertx vertx;
  private final NodeClient nodes;
  private final int maxHints;
  private final long maxBytes;
  private final Map<String, NodeQueue> queues = new ConcurrentHashMap<>();
  private final long timer;

  public HintedHandoff(Vertx vertx, NodeClient nodes, int maxHints, long maxBytes, long replayIntervalMillis) {
    this.vertx = vertx;
    this.nodes = nodes;
    this.maxHints = maxHints;
    this.maxBytes = maxBytes;
    this.timer = vertx.setPeriodic(replayIntervalMillis, id -> queues.values().forEach(this::replay));
  }

  /** Whether a call changes a node, so that a node that missed it must get it later. */
  public static boolean isReplayable(NodeCall call) {
    return call.method() != HttpMethod.GET && call.method() != HttpMethod.HEAD && !call.uri().startsWith("/tasks");
  }

  /** Sends a write to a node, or queues it behind the writes the node is still missing. */
  public Future<NodeReply> send(TopologyNode node, NodeCall call) {
    NodeQueue q = queues.computeIfAbsent(node.id(), id -> new NodeQueue());
    synchronized (q) {
      q.node = node;
      if (!q.hints.isEmpty()) {
        int ahead = q.hints.size();
        add(q, call);
        return Future.succeededFuture(NodeReply.unreachable(node.id(),
            "catching up: " + ahead + " earlier write(s) are being replayed to it first"));
      }
    }
    return nodes.send(node, call.method(), call.uri(), call.body(), call.contentType(), call.authorization())
        .map(reply -> {
          if (reply.outcome() == NodeOutcome.UNAVAILABLE) {
            synchronized (q) {
              add(q, call);
            }
          }
          return reply;
        });
  }

  /** Writes waiting for a node (0 when it is caught up). */
  public int pending(String nodeId) {
    NodeQueue q = queues.get(nodeId);
    if (q == null) {
      return 0;
    }
    synchronized (q) {
      return q.hints.size();
    }
  }

  /** For {@code GET /_miroir/handoff}: per node, writes waiting, replayed and lost. */
  public ObjectNode report() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode list = out.putArray("nodes");
    long pendingTotal = 0;
    long lostTotal = 0;
    for (Map.Entry<String, NodeQueue> e : new TreeMap<>(queues).entrySet()) {
      NodeQueue q = e.getValue();
      synchronized (q) {
        ObjectNode n = list.addObject();
        n.put("id", e.getKey());
        n.put("pendingWrites", q.hints.size());
        n.put("pendingBytes", q.bytes);
        if (q.since == null) {
          n.putNull("pendingSince");
        } else {
          n.put("pendingSince", q.since);
        }
        n.put("replayedWrites", q.replayed);
        n.put("lostWrites", q.lostWrites);
        pendingTotal += q.hints.size();
        lostTotal += q.lostWrites;
      }
    }
    out.put("pendingWrites", pendingTotal);
    out.put("lostWrites", lostTotal);
    return out;
  }

  private void add(NodeQueue q, NodeCall call) {
    long size = call.body() == null ? 0 : call.body().length();
    if (q.hints.size() >= maxHints || q.bytes + size > maxBytes) {
      q.lostWrites += q.hints.size() + 1;
      LOG.error("node {} missed more writes than the router can hold ({} writes, {} bytes): dropped them; the"
          + " node lacks copies its peers hold until an operator rebuilds it", q.node.id(), q.hints.size() + 1,
          q.bytes + size);
      q.hints.clear();
      q.bytes = 0;
      q.since = null;
      return;
    }
    if (q.hints.isEmpty()) {
      q.since = Instant.now().toString();
      LOG.warn("node {} missed a write; queuing its writes until it answers again", q.node.id());
    }
    q.hints.addLast(new Hint(call, size));
    q.bytes += size;
  }

  private void replay(NodeQueue q) {
    TopologyNode node;
    synchronized (q) {
      if (q.replaying || q.hints.isEmpty()) {
        return;
      }
      q.replaying = true;
      node = q.node;
    }
    nodes.send(node, HttpMethod.GET, "/health", null, null, null).onComplete(health -> {
      if (health.succeeded() && health.result().isSuccess()) {
        drain(q, node);
      } else {
        synchronized (q) {
          q.replaying = false;
        }
      }
    });
  }

  /** Sends the head of the queue; on an answer, drops it and goes on; on a failure, stops for now. */
  private void drain(NodeQueue q, TopologyNode node) {
    Hint head;
    synchronized (q) {
      head = q.hints.peekFirst();
      if (head == null) {
        q.replaying = false;
        q.since = null;
        LOG.info("node {} caught up: every missed write was replayed", node.id());
        return;
      }
    }
    NodeCall call = head.call();
    nodes.send(node, call.method(), call.uri(), call.body(), call.contentType(), call.authorization())
        .onComplete(done -> {
          NodeReply reply = done.result();
          if (reply == null || reply.outcome() == NodeOutcome.UNAVAILABLE) {
            synchronized (q) {
              q.replaying = false;
            }
            return;
          }
          if (reply.isClientError()) {
            LOG.warn("node {} refused a replayed {} {}: {}; dropped", node.id(), call.method(),
                call.uri().replaceAll("\\?.*", ""), reply.describe());
          }
          synchronized (q) {
            // Only this drain removes from the head; an overflow may have cleared the queue meanwhile.
            if (q.hints.peekFirst() == head) {
              q.hints.pollFirst();
              q.bytes -= head.bytes();
              q.replayed++;
            }
          }
          drain(q, node);
        });
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
    long pending = queues.values().stream().mapToLong(q -> {
      synchronized (q) {
        return q.hints.size();
      }
    }).sum();
    if (pending > 0) {
      LOG.error("router stopping with {} write(s) not yet replayed to nodes that missed them; those nodes"
          + " lack copies until an operator rebuilds them", pending);
    }
  }
}
