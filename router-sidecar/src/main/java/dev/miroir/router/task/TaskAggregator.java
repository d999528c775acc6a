package dev.miroir.router.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One router task status from the node tasks behind it. Pure.
 *
 * <p>Status, in this order: <b>failed</b> when any node task failed (with the first failed node's
 * error, so the client sees Meilisearch's own message); <b>canceled</b> when any was canceled;
 * <b>succeeded</b> when all succeeded; <b>processing</b> when any has started or finished;
 * otherwise <b>enqueued</b>. A node that cannot be asked (down, or it pruned the task) leaves the
 * task unfinished rather than guessing: its copy may still be applied when it comes back.
 */
public final class TaskAggregator {

  /**
   * What a node said about one of its tasks.
   *
   * @param task the node's task JSON, or null when the node could not be asked
   */
  public record NodeTaskView(NodeTaskRef ref, JsonNode task) {}

  private TaskAggregator() {}

  public static boolean isTerminal(String status) {
    return "succeeded".equals(status) || "failed".equals(status) || "canceled".equals(status);
  }

  public static ObjectNode aggregate(RouterTask task, List<NodeTaskView> views, int replicationFactor) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    boolean anyFailed = false;
    boolean anyCanceled = false;
    boolean allSucceeded = !views.isEmpty();
    boolean anyStarted = false;
    JsonNode error = null;
    Instant startedAt = null;
    Instant finishedAt = null;
    for (NodeTaskView view : views) {
      JsonNode t = view.task();
      String status = t == null ? "unknown" : t.path("status").asText();
      switch (status) {
        case "failed" -> {
          anyFailed = true;
          if (error == null) {
            error = t.get("error");
          }
        }
        case "canceled" -> anyCanceled = true;
        default -> {}
      }
      if (!"succeeded".equals(status)) {
        allSucceeded = false;
      }
      Instant started = instant(t, "startedAt");
      Instant finished = instant(t, "finishedAt");
      if (started != null) {
        anyStarted = true;
        startedAt = startedAt == null || started.isBefore(startedAt) ? started : startedAt;
      }
      if (finished != null) {
        finishedAt = finishedAt == null || finished.isAfter(finishedAt) ? finished : finishedAt;
      }
    }
    String status;
    if (anyFailed) {
      status = "failed";
    } else if (anyCanceled) {
      status = "canceled";
    } else if (allSucceeded) {
      status = "succeeded";
    } else if (anyStarted) {
      status = "processing";
    } else {
      status = "enqueued";
    }
    boolean terminal = isTerminal(status);

    ObjectNode out = f.objectNode();
    out.put("uid", task.uid());
    if (anyStarted || terminal) {
      out.put("batchUid", task.uid()); // a router task is its own batch (see TaskQuery)
    } else {
      out.putNull("batchUid");
    }
    out.put("indexUid", task.indexUid());
    out.put("status", status);
    out.put("type", task.type());
    out.putNull("canceledBy");
    boolean nodesHaveDetails = views.stream().anyMatch(v -> v.task() != null && v.task().has("details"));
    if (task.details() != null || nodesHaveDetails || views.stream().allMatch(v -> v.task() == null)) {
      ObjectNode details = details(task, views, replicationFactor, terminal);
      if (details.path("filterableAttributes").isArray()) {
        details.set("filterableAttributes", dev.miroir.router.write.ReservedFields.withoutShard(
            details.get("filterableAttributes")));
      }
      out.set("details", details);
    }
    out.set("error", error == null || !anyFailed ? f.nullNode() : clientError(error));
    if (terminal && startedAt != null && finishedAt != null) {
      out.put("duration", duration(Duration.between(startedAt, finishedAt)));
    } else {
      out.putNull("duration");
    }
    out.put("enqueuedAt", task.enqueuedAt());
    putInstant(out, "startedAt", anyStarted ? startedAt : null);
    putInstant(out, "finishedAt", terminal ? finishedAt : null);
    return out;
  }

  private static ObjectNode details(
      RouterTask task, List<NodeTaskView> views, int replicationFactor, boolean terminal) {
    ObjectNode details =
        task.details() == null ? JsonNodeFactory.instance.objectNode() : task.details().deepCopy();
    if (task.detailsMode() == RouterTask.DetailsMode.ONE_NODE) {
      for (NodeTaskView view : views) {
        if (view.ref().primary() && view.task() != null && view.task().get("details") instanceof ObjectNode d) {
          d.fields().forEachRemaining(e -> {
            if (!details.has(e.getKey())) {
              details.set(e.getKey(), e.getValue().deepCopy());
            }
          });
          break;
        }
      }
      return details;
    }
    Map<String, Long> sums = new TreeMap<>();
    Map<String, JsonNode> others = new TreeMap<>();
    for (NodeTaskView view : views) {
      if (!view.ref().primary() || view.task() == null) {
        continue;
      }
      JsonNode d = view.task().get("details");
      if (d == null) {
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isIntegralNumber()) {
          sums.merge(e.getKey(), e.getValue().longValue(), Long::sum);
        } else {
          others.putIfAbsent(e.getKey(), e.getValue());
        }
      }
    }
    others.forEach((k, v) -> {
      if (!details.has(k)) {
        details.set(k, v.deepCopy());
      }
    });
    for (Map.Entry<String, Long> e : sums.entrySet()) {
      if (details.hasNonNull(e.getKey())) {
        continue; // known from the client's request, e.g. receivedDocuments
      }
      details.put(e.getKey(), e.getValue() / Math.max(1, replicationFactor));
    }
    if (!terminal) {
      // Meilisearch reports outcome counts as null until the task is done.
      for (String field : List.of("indexedDocuments", "deletedDocuments")) {
        if (details.has(field) || sums.containsKey(field)) {
          details.putNull(field);
        }
      }
    }
    return details;
  }

  /** Meilisearch's form: seconds with nine decimals, e.g. {@code PT0.005567580S}, never minutes. */
  public static String duration(Duration d) {
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    return "PT" + d.getSeconds() + "." + String.format("%09d", d.getNano()) + "S";
  }

  private static JsonNode clientError(JsonNode error) {
    JsonNode copy = error.deepCopy();
    if (copy instanceof ObjectNode o && o.path("message").isTextual()) {
      o.put("message", dev.miroir.router.ErrorTexts.forClient(o.get("message").textValue()));
    }
    return copy;
  }

  private static Instant instant(JsonNode task, String field) {
    if (task == null || !task.path(field).isTextual()) {
      return null;
    }
    try {
      return Instant.parse(task.get(field).asText());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void putInstant(ObjectNode out, String field, Instant value) {
    if (value == null) {
      out.putNull(field);
    } else {
      out.put(field, value.toString());
    }
  }
}
