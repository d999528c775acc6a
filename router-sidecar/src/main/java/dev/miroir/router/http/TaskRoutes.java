package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.clientAuthorization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.http.Fleet.TaskTemplate;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.task.NodeTaskRef;
import dev.miroir.router.task.RouterTask;
import dev.miroir.router.task.RouterTask.DetailsMode;
import dev.miroir.router.task.TaskAggregator;
import dev.miroir.router.task.TaskAggregator.NodeTaskView;
import dev.miroir.router.task.TaskQuery;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Router tasks and batches, served as a node serves its own: every filter, sort and pagination
 * parameter of {@code GET /tasks}, {@code GET /batches}, {@code POST /tasks/cancel} and
 * {@code DELETE /tasks} ({@link TaskQuery}), each task answered from the node tasks behind it
 * ({@link TaskAggregator}).
 *
 * <p>A query's parameters are first judged by a node (the same query string, with the client's key
 * for reads), so invalid values get Meilisearch's own {@code invalid_task_*} errors and a key without
 * {@code tasks.get} gets Meilisearch's refusal. A router task is its own batch: {@code batchUid} is
 * the task's uid once it started, and {@code /batches} shows one batch per router task, with the
 * nodes' progress trace and strategy of the batch that ran its first node task.
 */
public final class TaskRoutes implements RouteModule {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    e.on(HttpMethod.GET, "/tasks", "tasks.list", ctx -> list(fleet, ctx, false));
    e.on(HttpMethod.GET, "/tasks/:uid", "tasks.get", ctx -> get(fleet, ctx));
    e.on(HttpMethod.POST, "/tasks/cancel", "tasks.cancel", ctx -> cancelOrDelete(fleet, ctx, true));
    e.on(HttpMethod.DELETE, "/tasks", "tasks.delete", ctx -> cancelOrDelete(fleet, ctx, false));
    e.on(HttpMethod.GET, "/batches", "batches.list", ctx -> list(fleet, ctx, true));
    e.on(HttpMethod.GET, "/batches/:uid", "batches.get", ctx -> getBatch(fleet, ctx));
    e.on(HttpMethod.GET, "/_miroir/tasks/:uid", "miroir.task", ctx -> nodeTasks(fleet, ctx));
  }

  // ---- one task -------------------------------------------------------------------------------

  private Future<Reply> get(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    long uid = parseUid(ctx.pathParam("uid"), "Task", "invalid_task_uids");
    return readable(fleet, ctx, uid).compose(task -> task == null
        ? Future.succeededFuture(Reply.error(MeiliError.taskNotFound(uid), Map.of()))
        : view(fleet, task, auth).map(v -> Reply.json(200, v)));
  }

  /** The task if the client's key may read it (Meilisearch hides tasks of indexes the key cannot see). */
  private Future<RouterTask> readable(Fleet fleet, RoutingContext ctx, long uid) {
    // The router's own authentication decided who this is (see auth/).
    dev.miroir.router.auth.Access access = Endpoints.permitted(ctx, dev.miroir.router.auth.Action.TASKS_GET, null);
    return fleet.blocking(() -> fleet.tasks().get(uid)).map(found ->
        found.isPresent() && access.canSeeTask(found.get().indexUid()) ? found.get() : null);
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
      // The master key: the client's right to read tasks was checked when its request came in.
      asks.add(fleet.nodes().send(node, HttpMethod.GET, "/tasks/" + ref.taskUid(), null, null,
          fleet.masterAuthorization() != null ? fleet.masterAuthorization() : auth));
    }
    return Future.join(asks).transform(ignored -> {
      List<NodeTaskView> views = new ArrayList<>();
      for (int i = 0; i < asks.size(); i++) {
        NodeReply reply = asks.get(i).result();
        views.add(new NodeTaskView(task.nodeTasks().get(i), reply.isSuccess() ? reply.json() : null));
      }
      ObjectNode view = TaskAggregator.aggregate(task, views, s.replicationFactor());
      String status = view.path("status").asText();
      if (!TaskAggregator.isTerminal(status) && view.get("details") instanceof ObjectNode d) {
        // Meilisearch reports a cancelation's or deletion's outcome only once it is done.
        for (String field : List.of("canceledTasks", "deletedTasks")) {
          if (d.has(field)) {
            d.putNull(field);
          }
        }
      }
      Future<ObjectNode> complete = "canceled".equals(status)
          ? canceledBy(fleet, views).map(by -> {
              if (by != null) {
                view.put("canceledBy", by);
              }
              return view;
            })
          : Future.succeededFuture(view);
      return complete.compose(v -> TaskAggregator.isTerminal(status)
          ? fleet.blocking(() -> {
              fleet.tasks().put(task.withFinalView(v));
              return v;
            })
          : Future.succeededFuture(v));
    });
  }

  /** The router cancelation task whose node task canceled one of these node tasks. */
  private Future<Long> canceledBy(Fleet fleet, List<NodeTaskView> views) {
    Set<String> cancelers = new LinkedHashSet<>();
    for (NodeTaskView v : views) {
      if (v.task() != null && v.task().path("canceledBy").canConvertToLong()) {
        cancelers.add(v.ref().nodeId() + "/" + v.task().path("canceledBy").asLong());
      }
    }
    if (cancelers.isEmpty()) {
      return Future.succeededFuture(null);
    }
    return fleet.blocking(() -> fleet.tasks().listDescending(Long.MAX_VALUE, Integer.MAX_VALUE).stream()
        .filter(t -> "taskCancelation".equals(t.type()))
        .filter(t -> t.nodeTasks().stream().anyMatch(r -> cancelers.contains(r.nodeId() + "/" + r.taskUid())))
        .map(RouterTask::uid).findFirst().orElse(null));
  }

  // ---- lists ----------------------------------------------------------------------------------

  private record Matched(RouterTask task, ObjectNode view) {}

  private Future<Reply> list(Fleet fleet, RoutingContext ctx, boolean batches) {
    String auth = clientAuthorization(ctx);
    String path = batches ? "/batches" : "/tasks";
    return judgedByNode(fleet, path + Endpoints.query(ctx), auth).compose(refusal -> {
      if (refusal != null) {
        return Future.succeededFuture(refusal);
      }
      TaskQuery query = TaskQuery.parse(lastValues(ctx));
      dev.miroir.router.auth.Access access = Endpoints.access(ctx);
      return matching(fleet, auth, query, batches).map(all -> access == null ? all
          : all.stream().filter(m -> access.canSeeTask(m.task().indexUid())).toList()).compose(matched -> {
        TaskQuery.Page page = query.page(matched.stream().map(m -> m.task().uid()).toList());
        Map<Long, Matched> byUid = new LinkedHashMap<>();
        matched.forEach(m -> byUid.put(m.task().uid(), m));
        List<Future<ObjectNode>> rendered = new ArrayList<>();
        for (long uid : page.uids()) {
          Matched m = byUid.get(uid);
          Future<ObjectNode> v = m.view() != null ? Future.succeededFuture(m.view()) : view(fleet, m.task(), auth);
          rendered.add(batches ? v.compose(tv -> batchView(fleet, m.task(), tv)) : v);
        }
        return Future.all(rendered).map(done -> {
          ObjectNode out = F.objectNode();
          ArrayNode results = out.putArray("results");
          rendered.forEach(r -> results.add(r.result()));
          out.put("total", matched.size());
          out.put("limit", query.limit() == null ? TaskQuery.DEFAULT_LIMIT : query.limit());
          out.put("from", page.from());
          out.put("next", page.next());
          return Reply.json(200, out);
        });
      });
    });
  }

  /** Router tasks matching every filter, highest uid first; views computed only where a filter needs them. */
  private Future<List<Matched>> matching(Fleet fleet, String auth, TaskQuery query, boolean batches) {
    return fleet.blocking(() -> fleet.tasks().listDescending(Long.MAX_VALUE, Integer.MAX_VALUE)).compose(all -> {
      List<RouterTask> stored = all.stream().filter(query::matchesStored).toList();
      if (!query.needsView() && !batches) {
        return Future.succeededFuture(stored.stream().map(t -> new Matched(t, null)).toList());
      }
      List<Future<ObjectNode>> views = stored.stream().map(t -> view(fleet, t, auth)).toList();
      return Future.all(views).map(done -> {
        List<Matched> out = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
          ObjectNode v = views.get(i).result();
          if (query.matchesView(v) && (!batches || !v.path("batchUid").isNull())) {
            out.add(new Matched(stored.get(i), v));
          }
        }
        return out;
      });
    });
  }

  /**
   * Lets one node judge the query string (and the client's key for a read): null when it is valid,
   * else the node's refusal.
   */
  private Future<Reply> judgedByNode(Fleet fleet, String pathAndQuery, String auth) {
    return fleet.askOne(fleet.snapshot(), new NodeCall(HttpMethod.GET, pathAndQuery, null, null, auth))
        .map(reply -> reply.isSuccess() ? null : Reply.of(reply));
  }

  // ---- batches --------------------------------------------------------------------------------

  private Future<Reply> getBatch(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    long uid = parseUid(ctx.pathParam("uid"), "Batch", "invalid_batch_uids");
    MeiliError notFound = new MeiliError(404, "Batch `" + uid + "` not found.", "batch_not_found", "invalid_request");
    return readable(fleet, ctx, uid).compose(task -> task == null
        ? Future.succeededFuture(Reply.error(notFound, Map.of()))
        : view(fleet, task, auth).compose(v -> v.path("batchUid").isNull()
            ? Future.succeededFuture(Reply.error(notFound, Map.of()))
            : batchView(fleet, task, v).map(b -> Reply.json(200, b))));
  }

  /**
   * The batch of one router task: its own status, type, index and times, and the progress trace and
   * strategy of the node batch that ran its first node task (the nodes' internal figures).
   */
  private Future<ObjectNode> batchView(Fleet fleet, RouterTask task, ObjectNode taskView) {
    Future<JsonNode> nodeBatch = Future.succeededFuture(null);
    NodeTaskRef first = task.nodeTasks().stream().filter(NodeTaskRef::primary).findFirst().orElse(null);
    if (first != null && fleet.masterAuthorization() != null) {
      TopologyNode node = new TopologyNode(first.nodeId(), first.url(), null, NodeState.ACTIVE);
      nodeBatch = fleet.nodes().send(node, HttpMethod.GET, "/tasks/" + first.taskUid(), null, null,
              fleet.masterAuthorization())
          .compose(t -> !t.isSuccess() || !t.json().path("batchUid").canConvertToLong()
              ? Future.succeededFuture((NodeReply) null)
              : fleet.nodes().send(node, HttpMethod.GET, "/batches/" + t.json().path("batchUid").asLong(), null, null,
                  fleet.masterAuthorization()))
          .map(b -> b != null && b.isSuccess() ? b.json() : null);
    }
    return nodeBatch.map(nb -> {
      ObjectNode out = F.objectNode();
      String status = taskView.path("status").asText();
      boolean terminal = TaskAggregator.isTerminal(status);
      out.put("uid", task.uid());
      out.set("progress", terminal || nb == null ? F.nullNode() : nb.path("progress").deepCopy());
      // A finished node batch's details leave out what is null (a task's show it).
      ObjectNode details = taskView.path("details").isObject() ? ((ObjectNode) taskView.get("details")).deepCopy()
          : F.objectNode();
      List<String> nulls = new ArrayList<>();
      details.fields().forEachRemaining(f -> {
        if (f.getValue().isNull()) {
          nulls.add(f.getKey());
        }
      });
      if (terminal) {
        details.remove(nulls);
      }
      out.set("details", details);
      ObjectNode stats = out.putObject("stats");
      stats.put("totalNbTasks", 1);
      stats.putObject("status").put(status, 1);
      stats.putObject("types").put(task.type(), 1);
      ObjectNode indexUids = stats.putObject("indexUids");
      if (task.indexUid() != null) {
        indexUids.put(task.indexUid(), 1);
      }
      JsonNode nodeStats = nb == null ? F.objectNode() : nb.path("stats");
      stats.set("progressTrace", nodeStats.has("progressTrace") ? nodeStats.get("progressTrace").deepCopy() : F.objectNode());
      for (String extra : List.of("writeChannelCongestion", "internalDatabaseSizes")) {
        if (nodeStats.has(extra)) {
          stats.set(extra, nodeStats.get(extra).deepCopy());
        }
      }
      out.set("duration", taskView.path("duration").deepCopy());
      out.set("startedAt", taskView.path("startedAt").deepCopy());
      out.set("finishedAt", taskView.path("finishedAt").deepCopy());
      out.put("batchStrategy", nb != null && nb.path("batchStrategy").isTextual() ? nb.get("batchStrategy").asText()
          : "created batch containing only task with id " + task.uid() + " of type `" + task.type()
              + "` that cannot be batched with any other task.");
      return out;
    });
  }

  // ---- cancel and delete ----------------------------------------------------------------------

  /**
   * Cancel or delete: the router evaluates the filter over its own tasks and sends each node the uids
   * of its own node tasks behind the matched ones, so every filter (including router uids, batch
   * uids, {@code canceledBy} and dates) means on the nodes what it means to the client. One router
   * task records the nodes' tasks. A deletion forgets the matched finished router tasks.
   */
  private Future<Reply> cancelOrDelete(Fleet fleet, RoutingContext ctx, boolean cancel) {
    String auth = clientAuthorization(ctx);
    Map<String, String> params = lastValues(ctx);
    String what = cancel ? "cancel" : "delete";
    if (params.isEmpty()) {
      throw MeiliError.invalidRequest("missing_task_filters", "Query parameters to filter the tasks to " + what
          + " are missing. Available query parameters are: `uids`, `indexUids`, `statuses`, `types`, `canceledBy`,"
          + " `beforeEnqueuedAt`, `afterEnqueuedAt`, `beforeStartedAt`, `afterStartedAt`, `beforeFinishedAt`,"
          + " `afterFinishedAt`.").exception();
    }
    for (String name : params.keySet()) {
      if (!TaskQuery.FILTERS.contains(name)) {
        throw MeiliError.invalidRequest("bad_request", "Unknown parameter `" + name + "`: expected one of "
            + TaskQuery.FILTERS.stream().map(f -> "`" + f + "`").collect(Collectors.joining(", "))).exception();
      }
    }
    String master = fleet.masterAuthorization() != null ? fleet.masterAuthorization() : auth;
    return judgedByNode(fleet, "/tasks" + Endpoints.query(ctx), master).compose(refusal -> {
      if (refusal != null) {
        return Future.succeededFuture(refusal);
      }
      TaskQuery query = TaskQuery.parse(params);
      return matching(fleet, auth, query, false).compose(found -> matchedWithViews(fleet, auth, found))
          .compose(matched -> {
            List<Matched> affected = matched.stream()
                .filter(m -> cancel != TaskAggregator.isTerminal(m.view().path("status").asText())).toList();
            RoutingSnapshot s = fleet.snapshot();
            Map<String, Set<Long>> perNode = new LinkedHashMap<>();
            s.broadcastNodes().forEach(n -> perNode.put(n, new LinkedHashSet<>()));
            for (Matched m : affected) {
              m.task().nodeTasks().forEach(ref ->
                  perNode.computeIfAbsent(ref.nodeId(), k -> new LinkedHashSet<>()).add(ref.taskUid()));
            }
            String path = cancel ? "/tasks/cancel" : "/tasks";
            HttpMethod method = cancel ? HttpMethod.POST : HttpMethod.DELETE;
            Map<String, NodeCall> calls = new LinkedHashMap<>();
            perNode.forEach((node, own) -> {
              if (s.nodes().containsKey(node)) {
                // A node with none of the tasks gets an impossible uid: its task matches nothing.
                String uids = own.isEmpty() ? Long.toString(Integer.MAX_VALUE)
                    : own.stream().map(String::valueOf).collect(Collectors.joining(","));
                calls.put(node, new NodeCall(method, path + "?uids=" + uids, null, null, auth));
              }
            });
            ObjectNode details = F.objectNode();
            details.put("matchedTasks", matched.size());
            details.put(cancel ? "canceledTasks" : "deletedTasks", affected.size());
            details.put("originalFilter", "?" + (ctx.request().query() == null ? "" : ctx.request().query()));
            // A cancelation can undo a queued change of an index's shape (creation, settings).
            Future<Map<String, NodeReply>> sent = cancel
                ? fleet.writes().changingShape(() -> fleet.sendEach(s, calls)) : fleet.sendEach(s, calls);
            return sent.compose(replies -> fleet.acknowledgeWrite(s, replies,
                s.allWriteTargets(), new TaskTemplate(null, details, DetailsMode.ONE_NODE), null))
                .map(reply -> reply.status() == 202 ? new Reply(200, reply.headers(), reply.body()) : reply)
                .compose(reply -> {
                  if (!cancel && reply.status() == 200 && !affected.isEmpty()) {
                    List<Long> removed = affected.stream().map(m -> m.task().uid()).toList();
                    return fleet.blocking(() -> {
                      fleet.tasks().remove(removed);
                      return reply;
                    });
                  }
                  return Future.succeededFuture(reply);
                });
          });
    });
  }

  private Future<List<Matched>> matchedWithViews(Fleet fleet, String auth, List<Matched> found) {
    List<Future<ObjectNode>> views = found.stream()
        .map(m -> m.view() != null ? Future.succeededFuture(m.view()) : view(fleet, m.task(), auth)).toList();
    return Future.all(views).map(done -> {
      List<Matched> out = new ArrayList<>();
      for (int i = 0; i < found.size(); i++) {
        out.add(new Matched(found.get(i).task(), views.get(i).result()));
      }
      return out;
    });
  }

  // ---- the router's own view of a task's node tasks -------------------------------------------

  /**
   * {@code GET /_miroir/tasks/{uid}} (master key): the node tasks behind a router task, as each node
   * reports them. An operator reads here, for example, each node's dump file name after
   * {@code POST /dumps} (see docs/dumps-and-snapshots.md).
   */
  private Future<Reply> nodeTasks(Fleet fleet, RoutingContext ctx) {
    Endpoints.requireMasterKey(ctx, fleet);
    long uid = parseUid(ctx.pathParam("uid"), "Task", "invalid_task_uids");
    return fleet.blocking(() -> fleet.tasks().get(uid)).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Reply.error(MeiliError.taskNotFound(uid), Map.of()));
      }
      RouterTask task = found.get();
      List<Future<NodeReply>> asks = new ArrayList<>();
      for (NodeTaskRef ref : task.nodeTasks()) {
        TopologyNode node = new TopologyNode(ref.nodeId(), ref.url(), null, NodeState.ACTIVE);
        asks.add(fleet.nodes().send(node, HttpMethod.GET, "/tasks/" + ref.taskUid(), null, null,
            fleet.masterAuthorization()));
      }
      return Future.join(asks).transform(ignored -> {
        ObjectNode out = F.objectNode();
        out.put("uid", uid);
        ArrayNode nodes = out.putArray("nodeTasks");
        for (int i = 0; i < asks.size(); i++) {
          NodeTaskRef ref = task.nodeTasks().get(i);
          NodeReply reply = asks.get(i).result();
          ObjectNode n = nodes.addObject().put("nodeId", ref.nodeId()).put("url", ref.url())
              .put("taskUid", ref.taskUid()).put("primary", ref.primary());
          n.set("task", reply.isSuccess() ? reply.json() : F.nullNode());
        }
        return Future.succeededFuture(Reply.json(200, out));
      });
    });
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Map<String, String> lastValues(RoutingContext ctx) {
    Map<String, String> out = new LinkedHashMap<>();
    ctx.queryParams().forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static long parseUid(String raw, String what, String code) {
    try {
      long uid = Long.parseLong(raw);
      if (uid >= 0 && uid <= 0xFFFF_FFFFL) {
        return uid;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw MeiliError.invalidRequest(code, what + " uid `" + raw + "` is invalid. It should only contain numeric"
        + " characters.").exception();
  }
}
