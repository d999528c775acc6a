package dev.miroir.router.http;

import dev.miroir.router.ApiException;
import dev.miroir.router.MeiliError;
import dev.miroir.router.auth.Access;
import dev.miroir.router.auth.Action;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers routes with one error policy and one metric: every failure becomes a Meilisearch-shaped
 * error, and every request is timed under its route name (not its path, which holds index names and
 * ids and would explode the series count).
 */
public final class Endpoints {

  private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);

  private final Router router;
  private final MeterRegistry meters;

  public Endpoints(Router router, MeterRegistry meters) {
    this.router = router;
    this.meters = meters;
  }

  public Router router() {
    return router;
  }

  /** A route whose handler answers with a future reply. */
  public void on(HttpMethod method, String path, String name, Function<RoutingContext, Future<Reply>> handler) {
    router.route(method, path).handler(ctx -> {
      Timer.Sample sample = Timer.start(meters);
      Future<Reply> reply;
      try {
        reply = handler.apply(ctx);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(result -> {
        Reply r = result.succeeded() ? result.result() : failureReply(result.cause(), name);
        sample.stop(timer(name, method, r.status()));
        send(ctx, r);
      });
    });
  }

  private record TimerKey(String route, HttpMethod method, int status) {}

  /**
   * One timer per route, method and status, looked up without building its id: registering through
   * {@code Timer.builder(...).register} on every request allocated the tags and the id each time.
   */
  private final java.util.concurrent.ConcurrentMap<TimerKey, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

  private Timer timer(String route, HttpMethod method, int status) {
    return timers.computeIfAbsent(new TimerKey(route, method, status), k -> Timer.builder("miroir_requests")
        .description("Client requests by route, method and status")
        .tag("route", k.route())
        .tag("method", k.method().name())
        .tag("status", Integer.toString(k.status()))
        .publishPercentileHistogram(false)
        .register(meters));
  }

  static Reply failureReply(Throwable failure, String route) {
    if (failure instanceof ApiException api) {
      return Reply.error(api.error(), api.headers());
    }
    LOG.error("route {} failed", route, failure);
    return Reply.error(MeiliError.internal("The router failed to handle the request: " + failure), Map.of());
  }

  public static void send(RoutingContext ctx, Reply reply) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(reply.status());
    reply.headers().forEach(ctx.response()::putHeader);
    Buffer body = reply.body();
    if (reply.status() >= 400 && body != null && body.length() > 0
        && body.toString().contains(dev.miroir.router.write.ReservedFields.SHARD)) {
      body = clientError(body);
    }
    if (body != null && body.length() > 0) {
      ctx.response().putHeader("Content-Type", "application/json");
      ctx.response().end(body);
    } else {
      ctx.response().end();
    }
  }

  /** A node's error as a single node would word it ({@link dev.miroir.router.ErrorTexts}). */
  private static Buffer clientError(Buffer body) {
    try {
      com.fasterxml.jackson.databind.JsonNode json = dev.miroir.router.write.DocumentPayloads.JSON.readTree(body.getBytes());
      if (json instanceof com.fasterxml.jackson.databind.node.ObjectNode error && error.path("message").isTextual()) {
        error.put("message", dev.miroir.router.ErrorTexts.forClient(error.get("message").textValue()));
        return Buffer.buffer(error.toString());
      }
    } catch (java.io.IOException e) {
      // not JSON: leave it
    }
    return body;
  }

  /**
   * The client's Authorization header, forwarded to nodes so that Meilisearch itself enforces keys,
   * actions, index scopes and tenant tokens. Nodes always run with a master key in a Miroir cluster,
   * so a request without one is refused here as Meilisearch would refuse it.
   */
  public static String clientAuthorization(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization == null || authorization.isBlank()) {
      throw MeiliError.missingAuthorizationHeader().exception();
    }
    return authorization;
  }

  /**
   * For the router's own {@code /_miroir} operations, which no node checks: only the master key may
   * call them. Meilisearch's errors for a missing or wrong key.
   */
  public static void requireMasterKey(RoutingContext ctx, Fleet fleet) {
    Access access = access(ctx);
    if (access != null) {
      // Admission already decided (master key, or the router's own key).
      if (!access.isOperator()) {
        throw MeiliError.invalidApiKey().exception();
      }
      return;
    }
    String authorization = clientAuthorization(ctx);
    String expected = fleet.masterAuthorization();
    if (expected != null && !java.security.MessageDigest.isEqual(
        expected.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        authorization.trim().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
      throw MeiliError.invalidApiKey().exception();
    }
  }

  /**
   * For an answer the router gives without a node judging the client's own credential (a batch it
   * fails itself, a route it answers alone): the client's access if it may still do {@code action} on
   * {@code indexUid} now (a key may have expired since admission), else the node's refusal.
   */
  public static Access permitted(RoutingContext ctx, Action action, String indexUid) {
    Access access = access(ctx);
    if (access == null || !access.allows(action, indexUid, java.time.Instant.now())) {
      // No access on a guarded route means admission did not run: refuse rather than guess.
      throw MeiliError.invalidApiKey().exception();
    }
    return access;
  }

  /**
   * What the client's credential may do, as admission established it before the body was read; null
   * only on routes no credential guards.
   */
  public static Access access(RoutingContext ctx) {
    return ctx.get(Access.CONTEXT_KEY);
  }

  /** The raw query string with its leading '?', or "". */
  public static String query(RoutingContext ctx) {
    String q = ctx.request().query();
    return q == null || q.isEmpty() ? "" : "?" + q;
  }

  public static Buffer bodyOrNull(RoutingContext ctx) {
    Buffer b = ctx.body() == null ? null : ctx.body().buffer();
    return b == null || b.length() == 0 ? null : b;
  }

  /** Path segment as sent by the client (already decoded by Vert.x), re-encoded for a node URL. */
  public static String segment(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
