package dev.miroir.router.task;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
}
