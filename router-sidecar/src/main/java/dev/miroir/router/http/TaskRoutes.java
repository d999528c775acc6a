package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.clientAuthorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.http.Fleet.TaskTemplate;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.task.NodeTaskRef;
import dev.miroir.router.task.RouterTask;
import dev.miroir.router.task.RouterTask.DetailsMode;
import dev.miroir.router.task.TaskAggregator;
import dev.miroir.router.task.TaskAggregator.NodeTaskView;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Router tasks: what clients poll after a write. Each is answered from the node tasks behind it
 * ({@link TaskAggregator}), asked with the client's own key so Meilisearch's task permissions apply.
 * Batches are a node's internal scheduling, so {@code /batches} shows one node's.
 */
public final class TaskRoutes implements RouteModule {

  private static final int DEFAULT_LIMIT = 20;

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    e.on(HttpMethod.GET, "/tasks", "tasks.list", ctx -> list(fleet, ctx));
    e.on(HttpMethod.GET, "/tasks/:uid", "tasks.get", ctx -> get(fleet, ctx));
    e.on(HttpMethod.POST, "/tasks/cancel", "tasks.cancel", ctx -> cancelOrDelete(fleet, ctx, true));
    e.on(HttpMethod.DELETE, "/tasks", "tasks.delete", ctx -> cancelOrDelete(fleet, ctx, false));
    e.on(HttpMethod.GET, "/batches", "batches.list", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.GET, "/batches/:uid", "batches.get", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
  }

  private Future<Reply> get(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    long uid = parseUid(ctx.pathParam("uid"));
    return fleet.blocking(() -> fleet.tasks().get(uid))
        .compose(task -> {
          dev.miroir.router.auth.Access access = Endpoints.access(ctx);
          // A task of an index the key cannot see does not exist for it, as on a node.
          if (task.isEmpty() || (access != null && !access.canSeeTask(task.get().indexUid()))) {
            return Future.succeededFuture(Reply.error(MeiliError.taskNotFound(uid), Map.of()));
          }
          return view(fleet, task.get(), auth).map(v -> Reply.json(200, v));
        });
  }

  /** The client's view of one task; terminal views are stored so they are computed once. */
  private Future<ObjectNode> view(Fleet fleet, RouterTask task, String auth) {
    if (task.finalView() != null) {
      return Future.succeededFuture(task.finalView());
    }
    RoutingSnapshot s = fleet.snapshot();
    List<Future<NodeReply>> asks = new ArrayList<>();
    for (NodeTaskRef ref : task.nodeTasks()) {
      TopologyNode node = new TopologyNode(ref.nodeId(), ref.url(), null, NodeState.ACTIVE);
      asks.add(fleet.nodes().send(node, HttpMethod.GET, "/tasks/" + ref.taskUid(), null, null, auth));
    }
    return Future.join(asks).transform(ignored -> {
      List<NodeTaskView> views = new ArrayList<>();
      for (int i = 0; i < asks.size(); i++) {
        NodeReply reply = asks.get(i).result();
        if (reply.isClientError() && reply.status() != 404) {
          // The client's key may not read tasks: Meilisearch's own answer.
          return Future.failedFuture(new dev.miroir.router.ApiException(new MeiliError(reply.status(),
              reply.json().path("message").asText(), reply.json().path("code").asText(),
              reply.json().path("type").asText())));
        }
        views.add(new NodeTaskView(task.nodeTasks().get(i), reply.isSuccess() ? reply.json() : null));
      }
      ObjectNode view = TaskAggregator.aggregate(task, views, s.replicationFactor());
      if (TaskAggregator.isTerminal(view.path("status").asText())) {
        return fleet.blocking(() -> {
          fleet.tasks().put(task.withFinalView(view));
          return view;
        });
      }
      return Future.succeededFuture(view);
    });
  }

  /**
   * {@code GET /tasks} with Meilisearch's filters ({@code uids, statuses, types, indexUids}) and its
   * {@code limit}/{@code from} pagination, newest first, over the router's tasks.
   */
  private Future<Reply> list(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    MultiMap q = ctx.queryParams();
    int limit = q.contains("limit") ? Integer.parseInt(q.get("limit")) : DEFAULT_LIMIT;
    long from = q.contains("from") ? Long.parseLong(q.get("from")) : Long.MAX_VALUE;
    Set<String> uids = csv(q.get("uids"));
    Set<String> statuses = csv(q.get("statuses"));
    Set<String> types = csv(q.get("types"));
    Set<String> indexUids = csv(q.get("indexUids"));
    return fleet.blocking(() -> fleet.tasks().listDescending(from, Integer.MAX_VALUE)).compose(candidates -> {
      dev.miroir.router.auth.Access access = Endpoints.access(ctx);
      List<RouterTask> matching = candidates.stream()
          .filter(t -> access == null || access.canSeeTask(t.indexUid()))
          .filter(t -> uids == null || uids.contains(Long.toString(t.uid())))
          .filter(t -> types == null || types.contains(t.type()))
          .filter(t -> indexUids == null || (t.indexUid() != null && indexUids.contains(t.indexUid())))
          .toList();
      return collect(fleet, auth, matching, 0, statuses, limit + 1, new ArrayList<>()).map(views -> {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode results = out.putArray("results");
        views.stream().limit(limit).forEach(results::add);
        out.put("total", statuses == null ? matching.size() : views.size());
        out.put("limit", limit);
        if (views.isEmpty()) {
          out.putNull("from");
        } else {
          out.put("from", views.get(0).path("uid").asLong());
        }
        if (views.size() > limit) {
          out.put("next", views.get(limit).path("uid").asLong());
        } else {
          out.putNull("next");
        }
        return Reply.json(200, out);
      });
    });
  }

  private Future<List<ObjectNode>> collect(Fleet fleet, String auth, List<RouterTask> tasks, int i,
      Set<String> statuses, int wanted, List<ObjectNode> acc) {
    if (i >= tasks.size() || acc.size() >= wanted) {
      return Future.succeededFuture(acc);
    }
    return view(fleet, tasks.get(i), auth).compose(v -> {
      if (statuses == null || statuses.contains(v.path("status").asText())) {
        acc.add(v);
      }
      return collect(fleet, auth, tasks, i + 1, statuses, wanted, acc);
    });
  }

  /**
   * Cancel or delete: router uids in {@code uids} become each node's own uids; the other filters mean
   * the same on every node and pass unchanged. One router task records the nodes' tasks.
   */
  private Future<Reply> cancelOrDelete(Fleet fleet, RoutingContext ctx, boolean cancel) {
    String auth = clientAuthorization(ctx);
    MultiMap q = ctx.queryParams();
    Set<String> uids = csv(q.get("uids"));
    RoutingSnapshot s = fleet.snapshot();
    Future<Map<String, Set<Long>>> nodeUids = uids == null ? Future.succeededFuture(null)
        : fleet.blocking(() -> {
          Map<String, Set<Long>> perNode = new LinkedHashMap<>();
          s.broadcastNodes().forEach(n -> perNode.put(n, new LinkedHashSet<>()));
          for (String uid : uids) {
            Optional<RouterTask> task = fleet.tasks().get(Long.parseLong(uid));
            task.ifPresent(t -> t.nodeTasks().forEach(ref ->
                perNode.computeIfAbsent(ref.nodeId(), k -> new LinkedHashSet<>()).add(ref.taskUid())));
          }
          return perNode;
        });
    String path = cancel ? "/tasks/cancel" : "/tasks";
    HttpMethod method = cancel ? HttpMethod.POST : HttpMethod.DELETE;
    return nodeUids.compose(perNode -> {
      Map<String, NodeCall> calls = new LinkedHashMap<>();
      for (String node : s.broadcastNodes()) {
        List<String> parts = new ArrayList<>();
        q.forEach(entry -> {
          if (!entry.getKey().equals("uids")) {
            parts.add(entry.getKey() + "=" + java.net.URLEncoder.encode(entry.getValue(), java.nio.charset.StandardCharsets.UTF_8));
          }
        });
        if (perNode != null) {
          Set<Long> own = perNode.getOrDefault(node, Set.of());
          // A node with none of the tasks gets an impossible uid so the filter still matches nothing.
          parts.add("uids=" + (own.isEmpty() ? Long.toString(Integer.MAX_VALUE)
              : own.stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        calls.put(node, new NodeCall(method, path + "?" + String.join("&", parts), null, null, auth));
      }
      ObjectNode details = JsonNodeFactory.instance.objectNode();
      details.put("originalFilter", "?" + (ctx.request().query() == null ? "" : ctx.request().query()));
      return fleet.sendEach(s, calls).compose(replies -> fleet.acknowledgeWrite(s, replies, s.allWriteTargets(),
          new TaskTemplate(null, details, DetailsMode.ONE_NODE), null)).compose(reply -> {
            if (!cancel && uids != null && reply.status() == 202) {
              List<Long> removed = uids.stream().map(Long::parseLong).toList();
              return fleet.blocking(() -> {
                fleet.tasks().remove(removed);
                return reply;
              });
            }
            return Future.succeededFuture(reply);
          });
    });
  }

  private static Set<String> csv(String value) {
    if (value == null || value.isBlank() || value.equals("*")) {
      return null;
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static long parseUid(String raw) {
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw MeiliError.invalidRequest("invalid_task_uids", "Invalid value in parameter `taskUid`: could"
          + " not parse `" + raw + "` as a positive integer").exception();
    }
  }

}
