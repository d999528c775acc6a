package dev.miroir.router.auth;

import dev.miroir.router.MeiliError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Meilisearch 1.21's authentication decision ({@code extract_token_from_request} and
 * {@code ActionPolicy::authenticate}), as a pure function of the Authorization header, the route's
 * action and index, and the keys the router knows: the same checks in the same order, so the same
 * credential gets the same status and code from the router as from one node.
 */
public final class Authorizer {

  /** The outcome for one request. */
  public sealed interface Verdict permits Allowed, Refused, Unknown {}

  public record Allowed(Access access) implements Verdict {}

  public record Refused(MeiliError error) implements Verdict {}

  /**
   * The token is neither a known key nor a tenant token of a known key: the router's key list may be
   * stale (refresh and decide again), or, when {@code mayBeMaster}, it may be the master key, which the
   * router never stores.
   */
  public record Unknown(boolean mayBeMaster) implements Verdict {}

  /** The keys the router knows, and which tokens it knows to be the master key. */
  public interface Keys {
    ApiKey byValue(String value);

    ApiKey byUid(String uid);

    boolean isMaster(String token);

    boolean isRouterKey(String token);
  }

  private Authorizer() {}

  /** The bearer token of an Authorization header, or the refusal a node gives for the header. */
  public static Object bearer(String header) {
    if (header == null) {
      return MeiliError.missingAuthorizationHeader();
    }
    String[] typeToken = header.split(" ", 2);
    if (!typeToken[0].equals("Bearer")) {
      return MeiliError.missingAuthorizationHeader();
    }
    if (typeToken.length < 2) {
      return MeiliError.invalidApiKey();
    }
    return typeToken[1];
  }

  public static Verdict decide(String header, Action action, String indexUid, Keys keys, Instant now) {
    Object bearer = bearer(header);
    if (bearer instanceof MeiliError error) {
      return new Refused(error);
    }
    String token = (String) bearer;
    if (keys.isMaster(token)) {
      return new Allowed(Access.master());
    }
    ApiKey key = null;
    Map<String, com.fasterxml.jackson.databind.JsonNode> searchRules = null;
    // Only search and chat completions read tenant tokens; elsewhere a JWT is just a wrong key.
    if (action == Action.SEARCH || action == Action.CHAT_COMPLETIONS) {
      TenantToken.Reading reading = TenantToken.read(token);
      if (reading instanceof TenantToken.Invalid invalid) {
        return new Refused(invalidApiKey(invalid.message()));
      }
      if (reading instanceof TenantToken.Claims claims) {
        key = keys.byUid(claims.apiKeyUid());
        if (key == null) {
          return new Unknown(false);
        }
        String problem = claims.verify(key.value(), now);
        if (problem != null) {
          return new Refused(invalidApiKey(problem));
        }
        searchRules = claims.searchRules();
      }
    }
    if (key == null) {
      key = keys.byValue(token);
      if (key == null) {
        return new Unknown(true);
      }
    }
    Access access = new Access(key, searchRules, keys.isRouterKey(token));
    if (indexUid != null) {
      if (searchRules != null && !searchRules.containsKey("*")
          && !IndexPattern.matchesAny(searchRules.keySet(), indexUid)) {
        return new Refused(invalidApiKey("The provided tenant token cannot acces the index `" + indexUid
            + "`, allowed indexes are " + debugList(List.copyOf(searchRules.keySet())) + "."));
      }
      if (!key.allIndexes() && !IndexPattern.matchesAny(key.indexes(), indexUid)) {
        return new Refused(invalidApiKey(searchRules != null
            ? "The API key used to generate this tenant token cannot acces the index `" + indexUid + "`."
            : "The API key cannot acces the index `" + indexUid + "`, authorized indexes are "
                + debugList(key.indexes()) + "."));
      }
    }
    if (key.authorizes(action, indexUid, now)) {
      return new Allowed(access);
    }
    return new Refused(MeiliError.invalidApiKey());
  }

  static MeiliError invalidApiKey(String message) {
    return new MeiliError(403, message, "invalid_api_key", "auth");
  }

  /** Rust's {@code {:?}} of a sorted {@code Vec<String>}: {@code ["a", "b"]}. */
  static String debugList(List<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (String v : new TreeSet<>(values)) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return out.append(']').toString();
  }
}
