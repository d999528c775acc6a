package dev.miroir.router.admission;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet;
import dev.miroir.router.http.Reply;
import dev.miroir.router.task.RouterTask;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * A router task born failed: for requests a node would accept with 202 and then fail (a delete whose
 * filter names an attribute that is not filterable), the router answers the same 202 and the task
 * reads {@code failed} with the node's error, without sending anything to a node. The one place
 * that records such tasks, so the shared facility (issue #8 item 4) can replace its inside.
 */
public final class FailedAtEnqueue {

  private FailedAtEnqueue() {}

  public static Future<Reply> record(Fleet fleet, String indexUid, String type, ObjectNode details, MeiliError error) {
    String now = Instant.now().toString();
    return fleet.blocking(() -> {
      long uid = fleet.tasks().nextUid();
      JsonNodeFactory f = JsonNodeFactory.instance;
      ObjectNode view = f.objectNode();
      view.put("uid", uid);
      view.putNull("batchUid");
      view.put("indexUid", indexUid);
      view.put("status", "failed");
      view.put("type", type);
      view.putNull("canceledBy");
      view.set("details", details);
      view.set("error", error.toJson());
      view.put("duration", "PT0S");
      view.put("enqueuedAt", now);
      view.put("startedAt", now);
      view.put("finishedAt", now);
      fleet.tasks().put(new RouterTask(uid, indexUid, type, now, details, RouterTask.DetailsMode.ONE_NODE,
          List.of(), view));
      return uid;
    }).map(uid -> {
      ObjectNode summary = JsonNodeFactory.instance.objectNode();
      summary.put("taskUid", uid);
      summary.put("indexUid", indexUid);
      summary.put("status", "enqueued");
      summary.put("type", type);
      summary.put("enqueuedAt", now);
      return Reply.json(202, summary);
    });
  }
}
