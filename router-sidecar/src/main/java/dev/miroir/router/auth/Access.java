package dev.miroir.router.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;

/**
 * What an authenticated request may do, as Meilisearch's {@code AuthFilter}: the key's index patterns
 * and, for a tenant token, its search rules. Routes ask it which indexes and tasks the client may see;
 * the nodes, which receive the client's own credential, remain the final judges.
 *
 * @param key null for the master key
 * @param searchRules null unless a tenant token was used
 * @param routerKey whether the credential is the router's own node key (it may call {@code /_miroir/*})
 */
public record Access(ApiKey key, Map<String, JsonNode> searchRules, boolean routerKey) {

  public static final String CONTEXT_KEY = "miroir.access";

  public static Access master() {
    return new Access(null, null, true);
  }

  public boolean isMaster() {
    return key == null;
  }

  public boolean isTenantToken() {
    return searchRules != null;
  }

  /** Master key, or the router's own key: what {@code /_miroir/*} requires. */
  public boolean isOperator() {
    return key == null || routerKey;
  }

  public boolean allIndexes() {
    return key == null
        || (key.allIndexes() && (searchRules == null || searchRules.containsKey("*")));
  }

  /** Meilisearch's {@code is_index_authorized}: by the key's patterns and by the token's rules. */
  public boolean indexAuthorized(String indexUid) {
    if (key == null) {
      return true;
    }
    boolean byKey = key.allIndexes() || IndexPattern.matchesAny(key.indexes(), indexUid);
    boolean byToken = searchRules == null || searchRules.containsKey("*")
        || IndexPattern.matchesAny(searchRules.keySet(), indexUid);
    return byKey && byToken;
  }

  /**
   * Whether a task of {@code indexUid} (null: a task of no single index, e.g. a swap or a task
   * deletion) is listed for this client: with a finite list of indexes, only tasks of one authorized
   * index are, as on a node.
   */
  public boolean canSeeTask(String indexUid) {
    if (allIndexes()) {
      return true;
    }
    return indexUid != null && indexAuthorized(indexUid);
  }

  /**
   * Whether this credential may do {@code action} on {@code indexUid} (null: no single index) at
   * {@code now}: the key's grant and expiry, its index patterns and a tenant token's rules. A tenant
   * token grants nothing but the search it was read for.
   */
  public boolean allows(Action action, String indexUid, Instant now) {
    if (key == null) {
      return true;
    }
    if (searchRules != null && action != Action.SEARCH && action != Action.CHAT_COMPLETIONS) {
      return false;
    }
    return key.authorizes(action, indexUid, now) && (indexUid == null || indexAuthorized(indexUid));
  }

  /** Meilisearch's {@code allow_index_creation}. */
  public boolean mayCreateIndex(String indexUid, Instant now) {
    return key == null || (key.authorizes(Action.INDEXES_CREATE, null, now) && indexAuthorized(indexUid));
  }

  /** The tenant token's extra filter for an index, or null. */
  public JsonNode searchFilter(String indexUid) {
    if (searchRules == null) {
      return null;
    }
    String pattern = IndexPattern.mostSpecific(searchRules.keySet(), indexUid);
    return pattern == null ? null : searchRules.get(pattern);
  }
}
