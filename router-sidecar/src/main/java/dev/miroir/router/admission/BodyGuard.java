package dev.miroir.router.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.router.ApiException;
import dev.miroir.router.MeiliError;
import dev.miroir.router.auth.Access;
import dev.miroir.router.auth.RouteRule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.http.Endpoints;
import dev.miroir.router.http.Fleet;
import dev.miroir.router.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Runs once the body is read and before any route: a JSON body is read as a node would read it
 * ({@link StrictJson}), off the event loop when it is large, and refused when it names the router's
 * reserved field ({@link ReservedFieldGuard}) or asks for what the credential cannot do with it (an
 * index creation outside the key's indexes). The routes then trust the body is JSON.
 */
public final class BodyGuard implements Handler<RoutingContext> {

  private final Fleet fleet;

  public BodyGuard(Fleet fleet) {
    this.fleet = fleet;
  }

  /**
   * Bodies above this are parsed on a worker thread; smaller ones on the event loop, where parsing
   * them costs less than the two thread wake-ups of a worker hop (the document routes use it too).
   */
  public static final int INLINE_PARSE_BYTES = 64 * 1024;

  @Override
  public void handle(RoutingContext ctx) {
    RouteRule admitted = ctx.get(RouteRule.CONTEXT_KEY);
    RouteRule rule = admitted != null ? admitted : RouteRule.of(ctx.request().method(), ctx.request().path());
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.GET) {
      try {
        ReservedFieldGuard.checkQuery(RouteRule.segments(ctx.request().path()), ctx.queryParams());
      } catch (ApiException api) {
        Endpoints.send(ctx, Reply.error(api.error(), api.headers()));
        return;
      }
    }
    if (rule.body() != RouteRule.Body.JSON) {
      ctx.next();
      return;
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    List<String> segments = RouteRule.segments(ctx.request().path());
    String method = ctx.request().method().name();
    Access access = ctx.get(Access.CONTEXT_KEY);
    Future<Checked> checked = bytes.length <= INLINE_PARSE_BYTES
        ? check(bytes, method, segments, access)
        : ctx.vertx().executeBlocking(() -> check(bytes, method, segments, access).await(), false);
    checked.onComplete(result -> {
      if (result.succeeded()) {
        if (result.result().replacement() != null) {
          ((io.vertx.ext.web.impl.RoutingContextInternal) ctx).setBody(result.result().replacement());
        }
        ctx.put(PARSED_BODY, result.result().json());
        ctx.next();
      } else if (result.cause() instanceof ApiException api) {
        Endpoints.send(ctx, Reply.error(api.error(), api.headers()));
      } else if (result.cause() instanceof ReservedFieldGuard.FilterOnReservedField failed) {
        failAtEnqueue(ctx, segments, (com.fasterxml.jackson.databind.node.ObjectNode) parsed(bytes), failed.error());
      } else {
        ctx.fail(result.cause());
      }
    });
  }

  /** What a node records for the delete or edit it accepts and then fails. */
  private void failAtEnqueue(RoutingContext ctx, List<String> s, ObjectNode body, MeiliError error) {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    String type;
    if (s.get(3).equals("edit")) {
      type = "documentEdition";
      details.put("deletedDocuments", 0);
      details.put("editedDocuments", 0);
      details.set("function", body.get("function"));
      details.set("context", body.get("context"));
      details.put("originalFilter", body.get("filter").toString());
    } else {
      type = "documentDeletion";
      details.put("providedIds", 0);
      details.put("deletedDocuments", 0);
      details.put("originalFilter", body.get("filter").toString());
    }
    fleet.failAtEnqueue(s.get(1), type, details, error)
        .onComplete(r -> Endpoints.send(ctx, r.succeeded() ? r.result()
            : Reply.error(MeiliError.internal("The router could not record the task."), Map.of())));
  }

  private static JsonNode parsed(byte[] bytes) {
    return StrictJson.read(bytes);
  }

  /** The body as checked; {@code replacement} is the body to use instead of the client's, or null. */
  private record Checked(JsonNode json, Buffer replacement) {}

  private static Future<Checked> check(byte[] bytes, String method, List<String> segments, Access access) {
    try {
      JsonNode json = StrictJson.read(bytes);
      boolean rewritten = ReservedFieldGuard.check(method, segments, json);
      if (access != null && segments.size() == 1 && segments.get(0).equals("indexes") && method.equals("POST")
          && json.path("uid").isTextual() && !access.mayCreateIndex(json.get("uid").textValue(), Instant.now())) {
        throw MeiliError.invalidApiKey().exception();
      }
      return Future.succeededFuture(new Checked(json, rewritten ? Buffer.buffer(json.toString()) : null));
    } catch (ApiException | ReservedFieldGuard.FilterOnReservedField e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The JSON tree of the body this guard read (strict, exact decimals), for the route to use instead
   * of parsing the same bytes again; null when the guard did not read the body.
   */
  public static JsonNode parsedBody(RoutingContext ctx) {
    return ctx.get(PARSED_BODY);
  }

  private static final String PARSED_BODY = "miroir.parsedBody";

}
