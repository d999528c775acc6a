package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.bodyOrNull;

import dev.miroir.router.MeiliError;
import dev.miroir.router.auth.Action;
import dev.miroir.router.task.RouterTask.DetailsMode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Instance-wide routes: dumps, snapshots, webhooks, chats and the network.
 *
 * <ul>
 *   <li>{@code POST /dumps} and {@code POST /snapshots} create one on every node and answer one
 *       router task that succeeds when every node's did (docs/dumps-and-snapshots.md: file names and
 *       how to restore the cluster from them).
 *   <li>Chat workspace settings change on every node, like index settings, and are read from one.
 *       A chat completion is answered by one node (see docs/compatibility.md).
 *   <li>Webhooks live on one node, the first of the topology: Meilisearch gives each webhook a
 *       random uuid, so copies on several nodes could not be addressed by one uuid, and every node
 *       calling the webhook for its own share of each task would multiply the calls.
 *   <li>{@code /network} answers as a node with the feature off: the router owns the network.
 * </ul>
 */
public final class InstanceRoutes implements RouteModule {

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    // Sequenced like writes, so every node's dump holds the same writes.
    e.on(HttpMethod.POST, "/dumps", "dumps.create",
        fleet.sequenced(ctx -> IndexRoutes.broadcastTask(fleet, ctx, null, DetailsMode.ONE_NODE, null)));
    e.on(HttpMethod.POST, "/snapshots", "snapshots.create",
        fleet.sequenced(ctx -> IndexRoutes.broadcastTask(fleet, ctx, null, DetailsMode.ONE_NODE, null)));

    e.on(HttpMethod.GET, "/webhooks", "webhooks.list", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.POST, "/webhooks", "webhooks.create", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PATCH, HttpMethod.DELETE)) {
      e.on(method, "/webhooks/:uuid", "webhooks.one", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    }

    e.on(HttpMethod.GET, "/chats", "chats.list", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.GET, "/chats/:workspace", "chats.get", ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    e.on(HttpMethod.DELETE, "/chats/:workspace", "chats.delete",
        ctx -> KeyRoutes.broadcast(fleet, ctx, bodyOrNull(ctx)));
    e.on(HttpMethod.GET, "/chats/:workspace/settings", "chats.settings.get",
        ctx -> IndexRoutes.forwardToOne(fleet, ctx));
    for (HttpMethod method : List.of(HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE)) {
      e.on(method, "/chats/:workspace/settings", "chats.settings.update",
          ctx -> KeyRoutes.broadcast(fleet, ctx, bodyOrNull(ctx)));
    }
    e.on(HttpMethod.POST, "/chats/:workspace/chat/completions", "chats.completions",
        ctx -> IndexRoutes.forwardToOne(fleet, ctx));

    e.on(HttpMethod.GET, "/network", "network.get", ctx -> networkOff(ctx, Action.NETWORK_GET));
    e.on(HttpMethod.PATCH, "/network", "network.update", ctx -> networkOff(ctx, Action.NETWORK_UPDATE));
  }

  private Future<Reply> networkOff(RoutingContext ctx, Action action) {
    Endpoints.permitted(ctx, action, null);
    return Future.succeededFuture(Reply.error(MeiliError.invalidRequest("feature_not_enabled",
        "Using the /network route requires enabling the `network` experimental feature. See"
            + " https://github.com/orgs/meilisearch/discussions/805"), java.util.Map.of()));
  }
}
