package dev.miroir.router.task;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.List;

/**
 * A task as clients see it, mapped to the node tasks that carry it out.
 *
 * @param uid router task uid (what the client polls)
 * @param indexUid index, or null for cluster-wide tasks
 * @param type Meilisearch task type, e.g. {@code documentAdditionOrUpdate}
 * @param enqueuedAt when the router accepted the request (RFC 3339)
 * @param details details known from the client's request (e.g. {@code receivedDocuments}); numeric
 *     fields absent here are filled in from the node tasks
 * @param detailsMode how node details combine into the router task's
 * @param nodeTasks the node tasks
 * @param finalView the aggregated view once terminal; stored so that finished tasks need no node
 *     call and stay readable when a node has pruned its own task
 */
public record RouterTask(
    long uid,
    String indexUid,
    String type,
    String enqueuedAt,
    ObjectNode details,
    DetailsMode detailsMode,
    List<NodeTaskRef> nodeTasks,
    ObjectNode finalView) {

  public enum DetailsMode {
    /**
     * Each document lives on RF nodes: a node-reported count (e.g. {@code deletedDocuments}) summed
     * over the node tasks and divided by RF counts each document once when every copy was written.
     */
    SUM_OVER_REPLICAS,
    /** The same operation on every node (settings, index creation): take one node's details. */
    ONE_NODE
  }

  public RouterTask {
    nodeTasks = List.copyOf(nodeTasks);
  }

  public RouterTask withFinalView(ObjectNode view) {
    return new RouterTask(uid, indexUid, type, enqueuedAt, details, detailsMode, nodeTasks, view);
  }

  /**
   * A task the router fails itself, at enqueue time, because it knows every node would fail it (a
   * document batch Meilisearch rejects whole, a delete or edit whose filter names an attribute that is
   * not filterable). No node sees it; clients see what a node shows for
   * such a task: 202 {@code enqueued}, then {@code failed} with the node's own error, a batch of its
   * own and outcome counts of zero.
   *
   * @param error the node-shaped error ({@code message, code, type, link})
   */
  public static RouterTask failedAtEnqueue(
      long uid, String indexUid, String type, Instant enqueuedAt, ObjectNode details, ObjectNode error) {
    ObjectNode view = JsonNodeFactory.instance.objectNode();
    view.put("uid", uid);
    view.put("batchUid", uid);
    view.put("indexUid", indexUid);
    view.put("status", "failed");
    view.put("type", type);
    view.putNull("canceledBy");
    view.set("details", details == null ? JsonNodeFactory.instance.objectNode() : details.deepCopy());
    view.set("error", error.deepCopy());
    // A node takes a few milliseconds to fail such a batch; the router fails it as it enqueues it.
    Instant started = enqueuedAt.plusNanos(1_000);
    Instant finished = started.plusNanos(1_000);
    view.put("duration", TaskAggregator.duration(java.time.Duration.between(started, finished)));
    view.put("enqueuedAt", enqueuedAt.toString());
    view.put("startedAt", started.toString());
    view.put("finishedAt", finished.toString());
    return new RouterTask(uid, indexUid, type, enqueuedAt.toString(), details, DetailsMode.ONE_NODE, List.of(), view);
  }
}
