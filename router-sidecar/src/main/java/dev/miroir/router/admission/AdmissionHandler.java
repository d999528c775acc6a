package dev.miroir.router.admission;

import dev.miroir.router.MeiliError;
import dev.miroir.router.auth.Access;
import dev.miroir.router.auth.Action;
import dev.miroir.router.auth.Authorizer;
import dev.miroir.router.auth.KeyRing;
import dev.miroir.router.auth.RouteRule;
import dev.miroir.router.http.Endpoints;
import dev.miroir.router.http.Reply;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;

/**
 * The first thing every request meets, before its body is read: who is asking and may they
 * ({@link KeyRing}), is the body of a type the route reads, does it fit the payload limit and the
 * router's budget of bytes in flight. A refusal is answered at once with the error a Meilisearch 1.21
 * node gives, in the order a node checks: credential, then content type, then size. Nothing of a
 * refused request is read, parsed or sent to a node.
 *
 * <p>The request is paused while the credential is checked (a key the router has not seen yet
 * costs one refresh), and {@code BodyHandler} resumes it.
 */
public final class AdmissionHandler implements Handler<RoutingContext> {

  private static final String JSON = "application/json";
  private static final String NDJSON = "application/x-ndjson";
  private static final String CSV = "text/csv";

  private final KeyRing keys;
  private final long maxPayloadBytes;
  private final DocumentBytesBudget budget;

  public AdmissionHandler(KeyRing keys, long maxPayloadBytes, DocumentBytesBudget budget) {
    this.keys = keys;
    this.maxPayloadBytes = maxPayloadBytes;
    this.budget = budget;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String rawPath = request.path() == null ? "/" : request.path();
    if (hasLiteralDotSegment(rawPath)) {
      // actix matches the path as sent: `/indexes/../keys` is no route (Vert.x would resolve it).
      refuseEmpty(ctx, 404);
      return;
    }
    RouteRule rule = RouteRule.of(request.method(), rawPath);
    // BodyGuard needs the same rule once the body is read: derived once per request.
    ctx.put(RouteRule.CONTEXT_KEY, rule);
    if (rule.action() == null && !rule.operatorOnly()) {
      admitBody(ctx, rule);
      return;
    }
    request.pause();
    Action action = rule.operatorOnly() ? Action.KEYS_GET : rule.action();
    String index = rule.operatorOnly() ? null : rule.indexUid();
    keys.authorize(request.getHeader("Authorization"), action, index).onComplete(result -> {
      if (result.failed()) {
        refuse(ctx, result.cause() instanceof dev.miroir.router.ApiException api ? api.error()
            : MeiliError.internal("The router could not check the API key."));
        return;
      }
      Authorizer.Verdict verdict = result.result();
      if (verdict instanceof Authorizer.Refused refused) {
        refuse(ctx, refused.error());
        return;
      }
      Access access = ((Authorizer.Allowed) verdict).access();
      if (rule.operatorOnly() && !access.isOperator()) {
        refuse(ctx, MeiliError.invalidApiKey());
        return;
      }
      ctx.put(Access.CONTEXT_KEY, access);
      if (rule.action() == Action.KEYS_CREATE || rule.action() == Action.KEYS_UPDATE
          || rule.action() == Action.KEYS_DELETE) {
        ctx.addEndHandler(done -> keys.refresh());
      }
      admitBody(ctx, rule);
    });
  }

  private void admitBody(RoutingContext ctx, RouteRule rule) {
    HttpServerRequest request = ctx.request();
    if (rule.indexUid() != null && (rule.indexUid().equals(".") || rule.indexUid().equals(".."))) {
      // Sent percent-encoded, so no dot segment to the client; Vert.x would still resolve it.
      refuse(ctx, MeiliError.invalidRequest("invalid_index_uid", "`" + rule.indexUid() + "` is not a valid index"
          + " uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-)"
          + " and underscores (_), and can not be more than 512 bytes."));
      return;
    }
    MeiliError typeError = switch (rule.body()) {
      case JSON -> contentTypeError(request.getHeader("Content-Type"), JSON);
      case DOCUMENTS -> documentTypeError(request.getHeader("Content-Type"), request.getParam("csvDelimiter"));
      case NONE -> null;
    };
    if (typeError != null) {
      refuse(ctx, typeError);
      return;
    }
    long declared = declaredLength(request);
    if (declared > maxPayloadBytes) {
      refuse(ctx, MeiliError.payloadTooLarge(maxPayloadBytes));
      return;
    }
    boolean hasBody = declared > 0 || (declared < 0 && request.headers().contains("Transfer-Encoding"));
    if (hasBody) {
      long reserved = declared > 0 ? declared : maxPayloadBytes;
      if (!budget.tryAcquire(reserved)) {
        refuse(ctx, tooManyBytes(), Map.of("Retry-After", "10"));
        return;
      }
      ctx.addEndHandler(done -> budget.release(reserved));
    }
    ctx.next();
  }

  /** Meilisearch's JSON routes accept {@code application/json} (any case, any parameters) only. */
  static MeiliError contentTypeError(String contentType, String accepted) {
    if (contentType == null) {
      return new MeiliError(415, "A Content-Type header is missing. Accepted values for the Content-Type header"
          + " are: `" + accepted + "`", "missing_content_type", "invalid_request");
    }
    if (!mime(contentType).equals(accepted)) {
      return new MeiliError(415, "The Content-Type `" + contentType + "` is invalid. Accepted values for the"
          + " Content-Type header are: `" + accepted + "`", "invalid_content_type", "invalid_request");
    }
    return null;
  }

  static MeiliError documentTypeError(String contentType, String csvDelimiter) {
    if (contentType == null) {
      return MeiliError.missingContentType();
    }
    String mime = mime(contentType);
    if (!mime.equals(JSON) && !mime.equals(NDJSON) && !mime.equals(CSV)) {
      return MeiliError.invalidContentType(contentType);
    }
    if (csvDelimiter != null && !mime.equals(CSV)) {
      return new MeiliError(415, "The Content-Type `" + contentType + "` does not support the use of a csv"
          + " delimiter. The csv delimiter can only be used with the Content-Type `text/csv`.",
          "invalid_content_type", "invalid_request");
    }
    return null;
  }

  private static String mime(String contentType) {
    return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }

  static MeiliError tooManyBytes() {
    return new MeiliError(503, "Too many document bytes are being received at the same time. Retry after 10s.",
        "miroir_too_many_document_bytes", "system");
  }

  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static boolean hasLiteralDotSegment(String rawPath) {
    for (String segment : rawPath.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static void refuse(RoutingContext ctx, MeiliError error) {
    refuse(ctx, error, Map.of());
  }

  /**
   * Answers and closes the connection: the unread body is never consumed, so the connection could
   * not carry another request anyway.
   */
  private static void refuse(RoutingContext ctx, MeiliError error, Map<String, String> headers) {
    ctx.response().putHeader("Connection", "close");
    Endpoints.send(ctx, Reply.error(error, headers));
    ctx.request().resume();
  }

  private static void refuseEmpty(RoutingContext ctx, int status) {
    ctx.response().setStatusCode(status).end();
  }
}
