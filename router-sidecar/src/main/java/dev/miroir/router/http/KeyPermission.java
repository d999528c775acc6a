package dev.miroir.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;

/**
 * Whether the client's key may do one action on one index, judged as Meilisearch judges it, for the
 * few answers the router gives without asking a node with the client's key (a batch it fails itself,
 * the first step of an all-or-none broadcast). The key is looked up on a node with the master key;
 * nodes share their keys, so one node's record is every node's.
 */
final class KeyPermission {

  private KeyPermission() {}

  /** @return null when allowed, else the error a node would answer */
  static Future<MeiliError> refusal(Fleet fleet, String authorization, String action, String indexUid) {
    String master = fleet.masterAuthorization();
    String given = authorization.trim();
    if (master == null || master.equals(given)) {
      return Future.succeededFuture(null);
    }
    if (!given.startsWith("Bearer ")) {
      return Future.succeededFuture(MeiliError.invalidApiKey());
    }
    String key = given.substring("Bearer ".length()).trim();
    if (key.isEmpty() || key.contains(".") || key.contains("/")) {
      // A tenant token may only search; anything else is refused as an invalid key.
      return Future.succeededFuture(MeiliError.invalidApiKey());
    }
    return fleet.askOne(fleet.snapshot(), new NodeCall(HttpMethod.GET, "/keys/" + Endpoints.segment(key), null, null,
        master)).map(reply -> {
          if (!reply.isSuccess()) {
            return MeiliError.invalidApiKey();
          }
          return allows(reply.json(), action, indexUid, Instant.now()) ? null : MeiliError.invalidApiKey();
        });
  }

  /** Meilisearch's rule: an action matches itself, its family wildcard or {@code *}; indexes by name or prefix*. */
  static boolean allows(JsonNode key, String action, String indexUid, Instant now) {
    String expires = key.path("expiresAt").asText(null);
    if (expires != null && !key.path("expiresAt").isNull()) {
      try {
        if (!Instant.parse(expires).isAfter(now)) {
          return false;
        }
      } catch (RuntimeException e) {
        return false;
      }
    }
    boolean actionOk = false;
    String family = action.contains(".") ? action.substring(0, action.indexOf('.')) + ".*" : action;
    for (JsonNode a : key.path("actions")) {
      String granted = a.asText();
      if (granted.equals("*") || granted.equals(action) || granted.equals(family)) {
        actionOk = true;
      }
    }
    if (!actionOk) {
      return false;
    }
    if (indexUid == null) {
      return true;
    }
    for (JsonNode i : key.path("indexes")) {
      String pattern = i.asText();
      if (pattern.equals("*") || pattern.equals(indexUid)
          || (pattern.endsWith("*") && indexUid.startsWith(pattern.substring(0, pattern.length() - 1)))) {
        return true;
      }
    }
    return false;
  }
}
