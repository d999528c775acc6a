package dev.miroir.router.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One API key as every node holds it (the router creates keys with the same uid everywhere, so the
 * value, an HMAC of the uid under the master key, is the same on every node).
 *
 * @param value the secret a client sends; never logged
 * @param actions the actions granted, wildcards already expanded
 * @param indexes index uid patterns
 * @param expiresAt null when the key never expires
 */
public record ApiKey(String uid, String value, Set<Action> actions, List<String> indexes, Instant expiresAt) {

  /** A key as {@code GET /keys} lists it, or null when the entry is not a key. */
  public static ApiKey fromJson(JsonNode key) {
    String uid = key.path("uid").asText(null);
    String value = key.path("key").asText(null);
    if (uid == null || value == null) {
      return null;
    }
    List<String> actions = new ArrayList<>();
    key.path("actions").forEach(a -> actions.add(a.asText()));
    List<String> indexes = new ArrayList<>();
    key.path("indexes").forEach(i -> indexes.add(i.asText()));
    JsonNode expires = key.get("expiresAt");
    Instant expiresAt = expires == null || expires.isNull() ? null : Instant.parse(expires.asText());
    return new ApiKey(uid, value, Action.expand(actions), List.copyOf(indexes), expiresAt);
  }

  public boolean allIndexes() {
    return IndexPattern.isAll(indexes);
  }

  /**
   * Meilisearch's {@code is_key_authorized}: the action is granted, for this index (or, with no index
   * named by the route, for some index), and the key has not expired.
   */
  public boolean authorizes(Action action, String indexUid, Instant now) {
    if (!actions.contains(action) || indexes.isEmpty()) {
      return false;
    }
    if (indexUid != null && !allIndexes() && !IndexPattern.matchesAny(indexes, indexUid)) {
      return false;
    }
    return expiresAt == null || now.isBefore(expiresAt);
  }
}
