package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.bodyOrNull;
import static dev.miroir.router.http.Endpoints.clientAuthorization;
import static dev.miroir.router.http.Endpoints.query;
import static dev.miroir.router.http.Endpoints.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.http.Fleet.TaskTemplate;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.task.RouterTask.DetailsMode;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.write.DocumentPayloads;
import dev.miroir.router.write.ReservedFields;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Indexes and settings: the same change on every node (a sharded index is one index per node with
 * identical settings), reads from one node. Nodes always keep the shard stamp filterable;
 * clients never see it.
 */
public final class IndexRoutes implements RouteModule {

  private static final String FILTERABLE = "filterableAttributes";
  private static final String FILTERABLE_ROUTE = "filterable-attributes";

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    e.on(HttpMethod.GET, "/indexes", "indexes.list", ctx -> forwardToOne(fleet, ctx));
    e.on(HttpMethod.POST, "/indexes", "indexes.create", fleet.sequenced(ctx -> createIndex(fleet, ctx)));
    e.on(HttpMethod.GET, "/indexes/:uid", "indexes.get", ctx -> forwardToOne(fleet, ctx));
    e.on(HttpMethod.PATCH, "/indexes/:uid", "indexes.update",
        fleet.sequenced(ctx -> broadcastTask(fleet, ctx, ctx.pathParam("uid"), null, null)));
    e.on(HttpMethod.DELETE, "/indexes/:uid", "indexes.delete", // deletedDocuments counts each document once
        fleet.sequenced(ctx -> broadcastTask(fleet, ctx, ctx.pathParam("uid"), DetailsMode.SUM_OVER_REPLICAS, null)));
    // Not idempotent: a replay whose first send was ambiguous checks the node's tasks first.
    e.on(HttpMethod.POST, "/swap-indexes", "indexes.swap",
        fleet.sequenced(ctx -> broadcastTask(fleet, ctx, null, null, "indexSwap")));

    e.on(HttpMethod.GET, "/indexes/:uid/settings", "settings.get", ctx -> readSettings(fleet, ctx, null));
    e.on(HttpMethod.GET, "/indexes/:uid/settings/:setting", "settings.get",
        ctx -> readSettings(fleet, ctx, ctx.pathParam("setting")));
    for (HttpMethod method : List.of(HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.POST, HttpMethod.DELETE)) {
      e.on(method, "/indexes/:uid/settings", "settings.update",
          fleet.sequenced(ctx -> writeSettings(fleet, ctx, null)));
      e.on(method, "/indexes/:uid/settings/:setting", "settings.update",
          fleet.sequenced(ctx -> writeSettings(fleet, ctx, ctx.pathParam("setting"))));
    }

    e.on(HttpMethod.GET, "/_miroir/indexes/:uid/drift", "miroir.drift", ctx -> drift(fleet, ctx, false));
    e.on(HttpMethod.POST, "/_miroir/indexes/:uid/drift/repair", "miroir.drift.repair",
        fleet.sequenced(ctx -> drift(fleet, ctx, true)));
  }

  static Future<Reply> forwardToOne(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    RoutingSnapshot s = fleet.snapshot();
    return fleet.askOne(s, new NodeCall(ctx.request().method(), ctx.request().path() + query(ctx),
            bodyOrNull(ctx), ctx.request().getHeader("Content-Type"), auth))
        .map(Reply::of);
  }

  private Future<Reply> createIndex(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    JsonNode body = jsonBody(ctx);
    String uid = body.path("uid").asText(null);
    RoutingSnapshot s = fleet.snapshot();
    NodeCall call = new NodeCall(HttpMethod.POST, "/indexes", bodyOrNull(ctx), "application/json", auth);
    return fleet.writeEverywhere(s, uid, call, null).compose(replies -> fleet.acknowledgeWrite(s, replies, s.allWriteTargets(),
        new TaskTemplate(uid, null, DetailsMode.ONE_NODE),
        uid == null ? null : snap -> makeShardFilterable(fleet, snap, uid, null, null)));
  }

  /**
   * Sends the client's request unchanged to every node, as one sequenced write, and records one router
   * task. {@code nonIdempotentType}: the node task type when applying the write twice differs from once.
   */
  static Future<Reply> broadcastTask(
      Fleet fleet, RoutingContext ctx, String indexUid, DetailsMode mode, String nonIdempotentType) {
    String auth = clientAuthorization(ctx);
    RoutingSnapshot s = fleet.snapshot();
    NodeCall call = new NodeCall(ctx.request().method(), ctx.request().path() + query(ctx), bodyOrNull(ctx),
        ctx.request().getHeader("Content-Type"), auth);
    return fleet.writeEverywhere(s, indexUid, call, nonIdempotentType).compose(replies -> fleet.acknowledgeWrite(
        s, replies, s.allWriteTargets(), new TaskTemplate(indexUid, null, mode == null ? DetailsMode.ONE_NODE : mode),
        null));
  }

  /**
   * Whether a node still has a settings update (or index creation) for {@code indexUid} queued or
   * running. Filterable attributes are replaced whole, so the router must not write its own list
   * over one that is about to be applied.
   */
  static Future<Boolean> pendingSettingsUpdate(Fleet fleet, RoutingSnapshot s, String indexUid) {
    return fleet.askOne(s, new NodeCall(HttpMethod.GET, "/tasks?indexUids=" + segment(indexUid)
            + "&statuses=enqueued,processing&types=settingsUpdate,indexCreation&limit=1",
            null, null, fleet.masterAuthorization()))
        .map(reply -> reply.isSuccess() && reply.json().path("results").size() > 0);
  }

  /**
   * Router bookkeeping with the master key: keep the index's shard stamp filterable on every node,
   * alongside the client's own filterable attributes ({@code clientFilterable}, null when unknown:
   * then the node's current list is kept by asking for it first). {@code stamp}: the index's form,
   * null to take it from that list (no entry there: a new index, {@link ShardStamp#GEO}).
   */
  static Future<Map<String, NodeReply>> makeShardFilterable(
      Fleet fleet, RoutingSnapshot s, String indexUid, JsonNode clientFilterable, ShardStamp stamp) {
    Future<JsonNode> current = clientFilterable != null
        ? Future.succeededFuture(clientFilterable)
        : fleet.askOne(s, new NodeCall(HttpMethod.GET, "/indexes/" + segment(indexUid) + "/settings/"
                + FILTERABLE_ROUTE, null, null, fleet.masterAuthorization()))
            .map(reply -> reply.isSuccess() ? reply.json() : JsonNodeFactory.instance.arrayNode());
    return current.compose(list -> fleet.writeEverywhere(s, indexUid, new NodeCall(HttpMethod.PUT,
        "/indexes/" + segment(indexUid) + "/settings/" + FILTERABLE_ROUTE,
        Buffer.buffer(ReservedFields.withShard(list, stamp != null ? stamp : ShardStamp.of(list)).toString()),
        "application/json", fleet.masterAuthorization()), null));
  }

  /**
   * The index's shard stamp, from one node's filterable attributes (master key); {@link ShardStamp#GEO}
   * when the index does not exist yet (a settings write creates it).
   */
  static Future<ShardStamp> stampOf(Fleet fleet, RoutingSnapshot s, String indexUid) {
    return fleet.askOne(s, new NodeCall(HttpMethod.GET, "/indexes/" + segment(indexUid) + "/settings/"
            + FILTERABLE_ROUTE, null, null, fleet.masterAuthorization()))
        .compose(reply -> {
          if (reply.isSuccess()) {
            return Future.succeededFuture(ShardStamp.of(reply.json()));
          }
          if (reply.status() == 0 || reply.status() >= 500) {
            return Future.failedFuture(MeiliError.nodeUnreachable("No node could be asked about index `" + indexUid
                + "`: " + reply.describe()).exception());
          }
          // No such index (or no valid uid: the write itself gets the node's error).
          return Future.succeededFuture(ShardStamp.GEO);
        });
  }

  private Future<Reply> readSettings(Fleet fleet, RoutingContext ctx, String setting) {
    return forwardToOne(fleet, ctx).map(reply -> {
      if (reply.status() != 200) {
        return reply;
      }
      JsonNode json = parse(reply.body());
      if (setting == null && json instanceof ObjectNode settings && settings.has(FILTERABLE)) {
        settings.set(FILTERABLE, ReservedFields.withoutShard(settings.get(FILTERABLE)));
        return Reply.json(200, settings);
      }
      if (FILTERABLE_ROUTE.equals(setting)) {
        return Reply.json(200, ReservedFields.withoutShard(json));
      }
      return reply;
    });
  }

  /**
   * Every settings write goes to every node. Writes that would drop the shard stamp from the
   * filterable attributes (setting them, resetting them, resetting all settings) are rewritten so the
   * nodes keep it; resetting all settings is followed by putting it back.
   */
  private Future<Reply> writeSettings(Fleet fleet, RoutingContext ctx, String setting) {
    RoutingSnapshot s = fleet.snapshot();
    String uid = ctx.pathParam("uid");
    boolean resetAll = setting == null && ctx.request().method() == HttpMethod.DELETE;
    boolean filterable = resetAll || FILTERABLE_ROUTE.equals(setting)
        || (setting == null && bodyOrNull(ctx) != null && jsonBody(ctx) instanceof ObjectNode o && o.has(FILTERABLE));
    // The router's entry must stay the one of the index's stamp form (docs/compatibility.md).
    return (filterable ? stampOf(fleet, s, uid) : Future.<ShardStamp>succeededFuture(null))
        .compose(stamp -> writeSettings(fleet, ctx, setting, s, uid, resetAll, stamp));
  }

  private Future<Reply> writeSettings(Fleet fleet, RoutingContext ctx, String setting, RoutingSnapshot s,
      String uid, boolean resetAll, ShardStamp stamp) {
    String auth = clientAuthorization(ctx);
    HttpMethod method = ctx.request().method();
    String path = ctx.request().path();
    Buffer body = bodyOrNull(ctx);
    // What the client asked for, as a node's task details say it (the router's entry is not the client's).
    ObjectNode details = null;
    if (setting == null && body != null) {
      JsonNode json = jsonBody(ctx);
      if (json instanceof ObjectNode settings && settings.has(FILTERABLE)) {
        settings.set(FILTERABLE, ReservedFields.withShard(settings.get(FILTERABLE), stamp));
        body = Buffer.buffer(settings.toString());
      }
    } else if (FILTERABLE_ROUTE.equals(setting)) {
      if (method == HttpMethod.DELETE) {
        details = JsonNodeFactory.instance.objectNode().putNull(FILTERABLE);
        method = HttpMethod.PUT;
        body = Buffer.buffer(ReservedFields.withShard(null, stamp).toString());
      } else if (body != null) {
        body = Buffer.buffer(ReservedFields.withShard(jsonBody(ctx), stamp).toString());
      }
    }
    NodeCall call = new NodeCall(method, path + query(ctx), body,
        body == null ? null : "application/json", auth);
    ObjectNode clientDetails = details;
    return fleet.writeEverywhere(s, uid, call, null).compose(replies -> fleet.acknowledgeWrite(s, replies,
        s.allWriteTargets(),
        new TaskTemplate(uid, clientDetails, DetailsMode.ONE_NODE),
        resetAll ? snap -> makeShardFilterable(fleet, snap, uid, JsonNodeFactory.instance.arrayNode(), stamp) : null));
  }

  /**
   * Compares every node's settings (read with the master key). Repair copies the settings of the
   * first readable node that answers to the nodes that differ; an operator decides which node is
   * right by fixing it first if needed.
   */
  private Future<Reply> drift(Fleet fleet, RoutingContext ctx, boolean repair) {
    String uid = ctx.pathParam("uid");
    Endpoints.requireMasterKey(ctx, fleet);
    RoutingSnapshot s = fleet.snapshot();
    String path = "/indexes/" + segment(uid) + "/settings";
    return fleet.broadcast(s, new NodeCall(HttpMethod.GET, path, null, null, fleet.masterAuthorization()))
        .compose(replies -> {
          JsonNode reference = null;
          String referenceNode = null;
          for (NodeReply r : replies.values()) {
            if (r.isSuccess()) {
              reference = r.json();
              referenceNode = r.nodeId();
              break;
            }
          }
          if (reference == null) {
            return Future.succeededFuture(Reply.error(MeiliError.indexNotFound(uid), Map.of()));
          }
          ObjectNode out = JsonNodeFactory.instance.objectNode();
          out.put("indexUid", uid);
          out.put("referenceNode", referenceNode);
          ArrayNode nodes = out.putArray("nodes");
          List<String> drifted = new ArrayList<>();
          for (NodeReply r : replies.values()) {
            ObjectNode n = nodes.addObject();
            n.put("id", r.nodeId());
            if (!r.isSuccess()) {
              n.put("state", r.status() == 0 ? "unreachable" : "error");
              n.put("status", r.status());
              continue;
            }
            List<String> differing = differingSettings(reference, r.json());
            n.put("state", differing.isEmpty() ? "inSync" : "drifted");
            ArrayNode diff = n.putArray("differingSettings");
            differing.forEach(diff::add);
            if (!differing.isEmpty()) {
              drifted.add(r.nodeId());
            }
          }
          out.put("consistent", drifted.isEmpty() && replies.values().stream().allMatch(NodeReply::isSuccess));
          if (!repair || drifted.isEmpty()) {
            return Future.succeededFuture(Reply.json(200, out));
          }
          Map<String, NodeCall> calls = new LinkedHashMap<>();
          Buffer settings = Buffer.buffer(reference.toString());
          drifted.forEach(id -> calls.put(id, new NodeCall(HttpMethod.PATCH, path, settings,
              "application/json", fleet.masterAuthorization())));
          return fleet.write(uid, calls, null, null).map(repaired -> {
            ArrayNode enqueued = out.putArray("repairTasks");
            repaired.values().forEach(r -> enqueued.addObject().put("node", r.nodeId())
                .put("status", r.status()).set("task", r.json()));
            return Reply.json(202, out);
          });
        });
  }

  static List<String> differingSettings(JsonNode reference, JsonNode other) {
    List<String> differing = new ArrayList<>();
    reference.fieldNames().forEachRemaining(f -> {
      if (!Objects.equals(reference.get(f), other.get(f))) {
        differing.add(f);
      }
    });
    other.fieldNames().forEachRemaining(f -> {
      if (!reference.has(f)) {
        differing.add(f);
      }
    });
    return differing;
  }

  static JsonNode jsonBody(RoutingContext ctx) {
    Buffer body = bodyOrNull(ctx);
    if (body == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    try {
      return DocumentPayloads.JSON.readTree(body.getBytes());
    } catch (IOException e) {
      throw MeiliError.invalidRequest("bad_request", "The json payload provided is malformed: "
          + e.getMessage()).exception();
    }
  }

  static JsonNode parse(Buffer body) {
    try {
      return DocumentPayloads.JSON.readTree(body.getBytes());
    } catch (IOException e) {
      return JsonNodeFactory.instance.nullNode();
    }
  }
}
