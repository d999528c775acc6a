package dev.miroir.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.miroir.router.MeiliError;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The write path's own routes, master key only: replica status ({@code GET /_miroir/replicas}) and
 * shard fences ({@code POST /_miroir/fences}, {@code DELETE /_miroir/fences/{id}}), which the
 * cluster's write sequencer serves (other routers forward them).
 */
public final class ReplicaRoutes implements RouteModule {

  static final int MAX_FENCE_TTL_SECONDS = 3_600;

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    // The sequencer's view is the authoritative one (its memory mirrors the shared log): forwarded.
    e.on(HttpMethod.GET, "/_miroir/replicas", "miroir.replicas", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return fleet.sequenced(c -> Future.succeededFuture(
          Reply.json(200, fleet.writes().report(fleet.snapshot().nodes().keySet())))).apply(ctx);
    });
    e.on(HttpMethod.POST, "/_miroir/fences", "miroir.fences.raise", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return fleet.sequenced(c -> raise(fleet, c)).apply(ctx);
    });
    e.on(HttpMethod.GET, "/_miroir/fences/:id", "miroir.fences.get", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return fleet.sequenced(c -> show(fleet, c)).apply(ctx);
    });
    e.on(HttpMethod.DELETE, "/_miroir/fences/:id", "miroir.fences.lift", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return fleet.sequenced(c -> lift(fleet, c)).apply(ctx);
    });
  }

  private Future<Reply> raise(Fleet fleet, RoutingContext ctx) {
    JsonNode body = IndexRoutes.jsonBody(ctx);
    JsonNode index = body.path("indexUid");
    if (!body.isObject() || !(index.isMissingNode() || index.isNull() || index.isTextual())) {
      throw invalid("expected `{\"indexUid\": null or a string, \"shards\": [numbers], \"ttlSeconds\": n}`");
    }
    int shardCount = fleet.snapshot().shards();
    Set<Integer> shards = new LinkedHashSet<>();
    JsonNode list = body.path("shards");
    if (!list.isArray() || list.isEmpty()) {
      throw invalid("`shards` must be a non-empty array of shard numbers");
    }
    for (JsonNode n : list) {
      if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0 || n.asInt() >= shardCount) {
        throw invalid("`shards` must hold shard numbers in [0, " + shardCount + "), got `" + n + "`");
      }
      shards.add(n.asInt());
    }
    JsonNode ttl = body.path("ttlSeconds");
    int seconds = ttl.isMissingNode() || ttl.isNull() ? 60 : ttl.isIntegralNumber() ? ttl.asInt() : -1;
    if (seconds < 1 || seconds > MAX_FENCE_TTL_SECONDS) {
      throw invalid("`ttlSeconds` must be a number in [1, " + MAX_FENCE_TTL_SECONDS + "]");
    }
    return fleet.fence().raise(index.isTextual() ? index.asText() : null, shards, Duration.ofSeconds(seconds))
        .map(handle -> Reply.json(200, JsonNodeFactory.instance.objectNode().put("fenceId", handle.id())));
  }

  /**
   * A standing fence and, per node, the task at or after every task holding a write to its shards
   * ({@code lastTasks}, null where this sequencer cannot tell): a fenced move waits for that task, not
   * for the node's whole queue (rebalance.md, section 8).
   */
  private Future<Reply> show(Fleet fleet, RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Map<String, Long> tasks = fleet.writes().fenceTasks(id);
    if (tasks == null) {
      return Future.succeededFuture(notFound(id));
    }
    com.fasterxml.jackson.databind.node.ObjectNode body = JsonNodeFactory.instance.objectNode().put("fenceId", id);
    com.fasterxml.jackson.databind.node.ObjectNode last = body.putObject("lastTasks");
    tasks.forEach((node, uid) -> {
      if (uid == null) {
        last.putNull(node);
      } else {
        last.put(node, uid);
      }
    });
    return Future.succeededFuture(Reply.json(200, body));
  }

  private Future<Reply> lift(Fleet fleet, RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!fleet.writes().liftFence(id)) {
      return Future.succeededFuture(notFound(id));
    }
    return Future.succeededFuture(new Reply(204, Map.of(), null));
  }

  private static Reply notFound(String id) {
    return Reply.error(new MeiliError(404, "Fence `" + id + "` not found: it was lifted, its time to live ran out,"
        + " or the sequencer that held it stopped.", "miroir_fence_not_found", "invalid_request"), Map.of());
  }

  private static dev.miroir.router.ApiException invalid(String detail) {
    return MeiliError.invalidRequest("miroir_invalid_fence", "Invalid fence: " + detail + ".").exception();
  }
}
