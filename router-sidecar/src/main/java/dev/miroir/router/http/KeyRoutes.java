package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.bodyOrNull;
import static dev.miroir.router.http.Endpoints.clientAuthorization;
import static dev.miroir.router.http.Endpoints.query;
import static dev.miroir.router.http.Endpoints.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
    e.on(HttpMethod.PATCH, "/keys/:key", "keys.update", ctx -> update(fleet, ctx));
    e.on(HttpMethod.DELETE, "/keys/:key", "keys.delete", ctx -> delete(fleet, ctx));
  }

  private Future<Reply> create(Fleet fleet, RoutingContext ctx) {
    clientAuthorization(ctx);
    JsonNode body = IndexRoutes.jsonBody(ctx);
    Buffer forwarded = bodyOrNull(ctx);
    String uid = body.path("uid").asText(null);
    if (body instanceof ObjectNode key && !key.hasNonNull("uid")) {
      uid = UUID.randomUUID().toString();
      key.put("uid", uid);
      forwarded = Buffer.buffer(key.toString());
    }
    String created = uid;
    return AllOrNone.apply(fleet, clientCall(ctx, forwarded), null, prior -> created == null ? null
        : new NodeCall(HttpMethod.DELETE, "/keys/" + segment(created), null, null, fleet.masterAuthorization()));
  }

  /** Undone by patching back the two fields a key update may change. */
  private Future<Reply> update(Fleet fleet, RoutingContext ctx) {
    clientAuthorization(ctx);
    String key = ctx.pathParam("key");
    return AllOrNone.apply(fleet, clientCall(ctx, bodyOrNull(ctx)), masterGet(fleet, "/keys/" + segment(key)),
        prior -> {
          if (prior == null) {
            return null;
          }
          ObjectNode back = JsonNodeFactory.instance.objectNode();
          back.set("name", prior.get("name"));
          back.set("description", prior.get("description"));
          return new NodeCall(HttpMethod.PATCH, "/keys/" + segment(key), Buffer.buffer(back.toString()),
              "application/json", fleet.masterAuthorization());
        });
  }

  /** Undone by creating the key again with its uid, hence its value. */
  private Future<Reply> delete(Fleet fleet, RoutingContext ctx) {
    clientAuthorization(ctx);
    String key = ctx.pathParam("key");
    return AllOrNone.apply(fleet, clientCall(ctx, null), masterGet(fleet, "/keys/" + segment(key)), prior -> {
      if (prior == null) {
        return null;
      }
      ObjectNode again = JsonNodeFactory.instance.objectNode();
      for (String field : new String[] {"uid", "name", "description", "actions", "indexes", "expiresAt"}) {
        again.set(field, prior.get(field));
      }
      return new NodeCall(HttpMethod.POST, "/keys", Buffer.buffer(again.toString()), "application/json",
          fleet.masterAuthorization());
    });
  }

  /**
   * A synchronous settings-like change (experimental features, chat workspace settings) on every node
   * or none, undone by writing back what one node held before (or deleting it when there was none).
   */
  static Future<Reply> broadcast(Fleet fleet, RoutingContext ctx, Buffer body) {
    clientAuthorization(ctx);
    String path = ctx.request().path();
    String readPath = ctx.request().method() == HttpMethod.DELETE && !path.endsWith("/settings") ? null : path;
    return AllOrNone.apply(fleet, clientCall(ctx, body), readPath == null ? null : masterGet(fleet, readPath),
        prior -> prior == null
            ? (path.endsWith("/settings") ? new NodeCall(HttpMethod.DELETE, path, null, null, fleet.masterAuthorization())
                : null)
            : new NodeCall(HttpMethod.PATCH, path, Buffer.buffer(prior.toString()), "application/json",
                fleet.masterAuthorization()));
  }

  private static NodeCall clientCall(RoutingContext ctx, Buffer body) {
    return new NodeCall(ctx.request().method(), ctx.request().path() + query(ctx), body,
        body == null ? null : "application/json", clientAuthorization(ctx));
  }

  private static NodeCall masterGet(Fleet fleet, String path) {
    return new NodeCall(HttpMethod.GET, path, null, null, fleet.masterAuthorization());
  }
}
