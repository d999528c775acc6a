package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.bodyOrNull;
import static dev.miroir.router.http.Endpoints.clientAuthorization;
import static dev.miroir.router.http.Endpoints.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * API keys, identical on every node. Meilisearch derives a key's value as HMAC-SHA256 of its uid
 * with the master key, so creating it with the same explicit uid on nodes sharing a master key gives
 * the same key everywhere: the router fills in a uid when the client gave none, then broadcasts.
 * Key routes are synchronous in Meilisearch (no task), so the answer waits for every node.
 */
public final class KeyRoutes implements RouteModule {

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    e.on(HttpMethod.GET, "/keys", "keys.list", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.GET, "/keys/:key", "keys.get", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.POST, "/keys", "keys.create", ctx -> create(fleet, ctx));
    e.on(HttpMethod.PATCH, "/keys/:key", "keys.update", ctx -> broadcast(fleet, ctx, bodyOrNull(ctx)));
    e.on(HttpMethod.DELETE, "/keys/:key", "keys.delete", ctx -> broadcast(fleet, ctx, null));
  }

  private Future<Reply> create(Fleet fleet, RoutingContext ctx) {
    clientAuthorization(ctx);
    JsonNode body = IndexRoutes.jsonBody(ctx);
    Buffer forwarded = bodyOrNull(ctx);
    if (body instanceof ObjectNode key && !key.hasNonNull("uid")) {
      key.put("uid", UUID.randomUUID().toString());
      forwarded = Buffer.buffer(key.toString());
    }
    return broadcast(fleet, ctx, forwarded);
  }

  static Future<Reply> broadcast(Fleet fleet, RoutingContext ctx, Buffer body) {
    String auth = clientAuthorization(ctx);
    RoutingSnapshot s = fleet.snapshot();
    return fleet.broadcast(s, new NodeCall(ctx.request().method(), ctx.request().path() + query(ctx), body,
        body == null ? null : "application/json", auth)).map(fleet::acknowledgeEverywhere);
  }
}
