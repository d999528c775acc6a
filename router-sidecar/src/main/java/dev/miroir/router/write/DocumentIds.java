package dev.miroir.router.write;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.router.MeiliError;
import java.nio.charset.StandardCharsets;

/**
 * Meilisearch's rule for document identifiers, checked before a batch is split: a document whose id
 * cannot be hashed to a shard cannot be routed, and Meilisearch would fail the batch anyway. The
 * messages are Meilisearch 1.21's, word for word.
 */
public final class DocumentIds {

  static final int MAX_ID_BYTES = 511;

  private DocumentIds() {}

  /**
   * The id of {@code document} under {@code primaryKey} as a value {@code ShardHash.shardOfId} accepts:
   * a String or a Long (or BigInteger for u64 ids above Long.MAX_VALUE).
   *
   * @throws dev.miroir.router.ApiException {@code missing_document_id} or {@code invalid_document_id}
   */
  public static Object idOf(JsonNode document, String primaryKey) {
    JsonNode value = valueAt(document, primaryKey);
    if (value == null || value.isMissingNode()) {
      throw MeiliError.invalidRequest(
              "missing_document_id",
              "Document doesn't have a `" + primaryKey + "` attribute: `" + document + "`.")
          .exception();
    }
    return validId(value);
  }

  /**
   * The value of a primary key in a document. A key with dots ({@code a.b}) is a nested key, as in
   * Meilisearch: found under the literal name, or by walking objects ({@code {"a":{"b":…}}}), or both
   * mixed ({@code {"a":{"b.c":…}}} for {@code a.b.c}).
   */
  public static JsonNode valueAt(JsonNode document, String primaryKey) {
    JsonNode direct = document.get(primaryKey);
    if (direct != null || primaryKey.indexOf('.') < 0) {
      return direct;
    }
    for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = document.fields(); it.hasNext(); ) {
      java.util.Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (primaryKey.startsWith(name + ".") && field.getValue().isObject()) {
        JsonNode nested = valueAt(field.getValue(), primaryKey.substring(name.length() + 1));
        if (nested != null) {
          return nested;
        }
      }
    }
    return null;
  }

  /** Checks one id as a client sends it, e.g. in delete-batch. */
  public static Object validId(JsonNode value) {
    if (value.isTextual()) {
      String id = value.textValue();
      if (isValidStringId(id)) {
        return id;
      }
    } else if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.longValue();
    } else if (value.isBigInteger()) {
      return value.bigIntegerValue();
    }
    throw invalid(value.toString());
  }

  /** A path segment id ({@code DELETE /documents/{id}}): always a string in the URL. */
  public static String validPathId(String id) {
    if (!isValidStringId(id)) {
      throw invalid("\"" + id + "\"");
    }
    return id;
  }

  static boolean isValidStringId(String id) {
    if (id.isEmpty() || id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static dev.miroir.router.ApiException invalid(String shown) {
    return MeiliError.invalidRequest(
            "invalid_document_id",
            "Document identifier `" + shown + "` is invalid. A document identifier can be of type"
                + " integer or string, only composed of alphanumeric characters (a-z A-Z 0-9),"
                + " hyphens (-) and underscores (_), and can not be more than 511 bytes.")
        .exception();
  }
}
