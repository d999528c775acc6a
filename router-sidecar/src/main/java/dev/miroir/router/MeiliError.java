package dev.miroir.router;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error in Meilisearch's own shape ({@code message, code, type, link}), so that SDKs written for
 * Meilisearch parse router errors unchanged. Codes are Meilisearch's where one exists; the router's own
 * conditions use a {@code miroir_} prefix so they are never mistaken for a node's.
 */
public record MeiliError(int status, String message, String code, String type) {

  public static final String LINK_PREFIX = "https://docs.meilisearch.com/errors#";

  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("message", message);
    node.put("code", code);
    node.put("type", type);
    node.put("link", LINK_PREFIX + code);
    return node;
  }

  public ApiException exception() {
    return new ApiException(this);
  }

  public static MeiliError invalidRequest(String code, String message) {
    return new MeiliError(400, message, code, "invalid_request");
  }

  public static MeiliError malformedPayload(String format, String detail) {
    return invalidRequest(
        "malformed_payload", "The `" + format + "` payload provided is malformed. `" + detail + "`.");
  }

  public static MeiliError missingAuthorizationHeader() {
    return new MeiliError(
        401,
        "The Authorization header is missing. It must use the bearer authorization method.",
        "missing_authorization_header",
        "auth");
  }

  public static MeiliError invalidApiKey() {
    return new MeiliError(403, "The provided API key is invalid.", "invalid_api_key", "auth");
  }

  public static MeiliError indexNotFound(String uid) {
    return new MeiliError(404, "Index `" + uid + "` not found.", "index_not_found", "invalid_request");
  }

  public static MeiliError taskNotFound(long uid) {
    return new MeiliError(404, "Task `" + uid + "` not found.", "task_not_found", "invalid_request");
  }

  public static MeiliError payloadTooLarge(long limitBytes) {
    return new MeiliError(
        413,
        "The provided payload reached the size limit. The maximum accepted payload size is "
            + humanBytes(limitBytes) + ".",
        "payload_too_large",
        "invalid_request");
  }

  public static MeiliError invalidContentType(String contentType) {
    return new MeiliError(
        415,
        "The Content-Type `" + contentType + "` is invalid. Accepted values for the Content-Type"
            + " header are: `application/json`, `application/x-ndjson`, `text/csv`",
        "invalid_content_type",
        "invalid_request");
  }

  public static MeiliError missingContentType() {
    return new MeiliError(
        415,
        "A Content-Type header is missing. Accepted values for the Content-Type header are:"
            + " `application/json`, `application/x-ndjson`, `text/csv`",
        "missing_content_type",
        "invalid_request");
  }

  /** Our own: the client sent the field the router uses to tag each document with its shard. */
  public static MeiliError reservedField(String field) {
    return invalidRequest(
        "miroir_reserved_field",
        "The field `" + field + "` is reserved by Miroir to record a document's shard and cannot"
            + " be sent by clients. Rename or remove it.");
  }

  /** Our own: the write did not reach a quorum of some shard's write targets. */
  public static MeiliError writeQuorumNotReached(String detail) {
    return new MeiliError(503, detail, "miroir_write_quorum_not_reached", "system");
  }

  /**
   * Our own: the cluster's write sequencer cannot take the write now (being elected, unreachable, or
   * this router just lost its lease). Nothing was sequenced; retry.
   */
  public static MeiliError sequencerUnavailable(String detail) {
    return new MeiliError(503, detail, "miroir_sequencer_unavailable", "system");
  }

  /** Our own: a node could not be reached at all. */
  public static MeiliError nodeUnreachable(String detail) {
    return new MeiliError(503, detail, "miroir_node_unreachable", "system");
  }

  public static MeiliError internal(String detail) {
    return new MeiliError(500, detail, "internal", "internal");
  }

  public static MeiliError routeNotFound() {
    return new MeiliError(404, "Resource not found.", "miroir_route_not_found", "invalid_request");
  }

  /** Meilisearch prints sizes in decimal units, e.g. {@code 100 MB}. */
  static String humanBytes(long bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return (value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.2f", value))
        + " " + units[unit];
  }
}
