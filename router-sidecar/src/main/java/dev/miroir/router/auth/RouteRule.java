package dev.miroir.router.auth;

import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a request needs before anything else happens: the action Meilisearch 1.21 guards its route
 * with, the index the route names (Meilisearch passes only {@code /indexes/{index_uid}/...} to its
 * policy), and the body the route reads. Derived from the method and path alone, so it is known
 * before a byte of the body is read.
 *
 * @param action null: the route needs no credential ({@code /health}) or is not a Meilisearch route
 * @param operatorOnly the router's own {@code /_miroir/*} routes: master key or the router's key
 */
public record RouteRule(Action action, String indexUid, Body body, boolean operatorOnly) {

  /** The body a route reads. */
  public enum Body {
    /** None, or one the route ignores. */
    NONE,
    /** {@code application/json} only, as actix's {@code JsonConfig} in Meilisearch requires. */
    JSON,
    /** A document payload: {@code application/json}, {@code application/x-ndjson} or {@code text/csv}. */
    DOCUMENTS
  }

  /** Where admission leaves a request's rule for the handlers after it (routing context data). */
  public static final String CONTEXT_KEY = "miroir.routeRule";

  static final RouteRule OPEN = new RouteRule(null, null, Body.NONE, false);
  static final RouteRule OPERATOR = new RouteRule(null, null, Body.NONE, true);

  private static RouteRule of(Action action, Body body) {
    return new RouteRule(action, null, body, false);
  }

  private static RouteRule of(Action action, String index, Body body) {
    return new RouteRule(action, index, body, false);
  }

  /** The rule of a request; {@link #OPEN} for paths Meilisearch does not guard or does not have. */
  public static RouteRule of(HttpMethod method, String rawPath) {
    List<String> s = segments(rawPath);
    if (s.isEmpty()) {
      return OPEN;
    }
    String m = method.name();
    String head = s.get(0);
    int n = s.size();
    switch (head) {
      case "_miroir":
        return OPERATOR;
      case "health":
        return OPEN;
      case "version":
        return n == 1 ? of(Action.VERSION, Body.NONE) : OPEN;
      case "stats":
        return n == 1 ? of(Action.STATS_GET, Body.NONE) : OPEN;
      case "metrics":
        // The router's own metrics (MIROIR_METRICS=master): master key or the router's key.
        return n == 1 ? OPERATOR : OPEN;
      case "multi-search":
        return n == 1 ? of(Action.SEARCH, Body.JSON) : OPEN;
      case "swap-indexes":
        return n == 1 ? of(Action.INDEXES_SWAP, Body.JSON) : OPEN;
      case "dumps":
        return n == 1 ? of(Action.DUMPS_CREATE, Body.NONE) : OPEN;
      case "snapshots":
        return n == 1 ? of(Action.SNAPSHOTS_CREATE, Body.NONE) : OPEN;
      case "export":
        return n == 1 ? of(Action.EXPORT, Body.JSON) : OPEN;
      case "experimental-features":
        return n == 1 ? pick(m, Action.EXPERIMENTAL_GET, Action.EXPERIMENTAL_UPDATE) : OPEN;
      case "network":
        return n == 1 ? pick(m, Action.NETWORK_GET, Action.NETWORK_UPDATE) : OPEN;
      case "logs":
        return n == 2 ? of(Action.METRICS_GET, m.equals("POST") ? Body.JSON : Body.NONE) : OPEN;
      case "keys":
        if (n == 1) {
          return m.equals("POST") ? of(Action.KEYS_CREATE, Body.JSON) : of(Action.KEYS_GET, Body.NONE);
        }
        if (n == 2) {
          return switch (m) {
            case "PATCH" -> of(Action.KEYS_UPDATE, Body.JSON);
            case "DELETE" -> of(Action.KEYS_DELETE, Body.NONE);
            default -> of(Action.KEYS_GET, Body.NONE);
          };
        }
        return OPEN;
      case "tasks":
        if (n == 1) {
          return m.equals("DELETE") ? of(Action.TASKS_DELETE, Body.NONE) : of(Action.TASKS_GET, Body.NONE);
        }
        if (n == 2 && s.get(1).equals("cancel") && m.equals("POST")) {
          return of(Action.TASKS_CANCEL, Body.NONE);
        }
        return n <= 3 ? of(Action.TASKS_GET, Body.NONE) : OPEN;
      case "batches":
        return n <= 2 ? of(Action.TASKS_GET, Body.NONE) : OPEN;
      case "webhooks":
        if (n == 1) {
          return m.equals("POST") ? of(Action.WEBHOOKS_CREATE, Body.JSON) : of(Action.WEBHOOKS_GET, Body.NONE);
        }
        return switch (m) {
          case "PATCH" -> of(Action.WEBHOOKS_UPDATE, Body.JSON);
          case "DELETE" -> of(Action.WEBHOOKS_DELETE, Body.NONE);
          default -> of(Action.WEBHOOKS_GET, Body.NONE);
        };
      case "chats":
        if (n <= 2) {
          return m.equals("DELETE") && n == 2 ? of(Action.CHATS_DELETE, Body.NONE) : of(Action.CHATS_GET, Body.NONE);
        }
        if (s.get(2).equals("chat")) {
          return of(Action.CHAT_COMPLETIONS, Body.JSON);
        }
        return pick(m, Action.CHATS_SETTINGS_GET, Action.CHATS_SETTINGS_UPDATE);
      case "indexes":
        return indexRule(m, s);
      default:
        return OPEN;
    }
  }

  private static RouteRule indexRule(String m, List<String> s) {
    int n = s.size();
    if (n == 1) {
      return m.equals("POST") ? of(Action.INDEXES_CREATE, Body.JSON) : of(Action.INDEXES_GET, Body.NONE);
    }
    String uid = s.get(1);
    if (n == 2) {
      return switch (m) {
        case "PATCH" -> of(Action.INDEXES_UPDATE, uid, Body.JSON);
        case "DELETE" -> of(Action.INDEXES_DELETE, uid, Body.NONE);
        default -> of(Action.INDEXES_GET, uid, Body.NONE);
      };
    }
    String sub = s.get(2);
    switch (sub) {
      case "stats":
        return of(Action.STATS_GET, uid, Body.NONE);
      case "search", "facet-search", "similar":
        return of(Action.SEARCH, uid, m.equals("POST") ? Body.JSON : Body.NONE);
      case "settings":
        if (m.equals("GET")) {
          return of(Action.SETTINGS_GET, uid, Body.NONE);
        }
        return of(Action.SETTINGS_UPDATE, uid, m.equals("DELETE") ? Body.NONE : Body.JSON);
      case "documents":
        if (n == 3) {
          return switch (m) {
            case "POST", "PUT" -> of(Action.DOCUMENTS_ADD, uid, Body.DOCUMENTS);
            case "DELETE" -> of(Action.DOCUMENTS_DELETE, uid, Body.NONE);
            default -> of(Action.DOCUMENTS_GET, uid, Body.NONE);
          };
        }
        if (n == 4 && m.equals("POST")) {
          return switch (s.get(3)) {
            case "delete-batch", "delete" -> of(Action.DOCUMENTS_DELETE, uid, Body.JSON);
            case "edit" -> of(Action.DOCUMENTS_ALL, uid, Body.JSON);
            case "fetch" -> of(Action.DOCUMENTS_GET, uid, Body.JSON);
            default -> OPEN;
          };
        }
        if (n == 4) {
          return m.equals("DELETE") ? of(Action.DOCUMENTS_DELETE, uid, Body.NONE)
              : of(Action.DOCUMENTS_GET, uid, Body.NONE);
        }
        return OPEN;
      default:
        return OPEN;
    }
  }

  private static RouteRule pick(String method, Action get, Action update) {
    if (method.equals("GET")) {
      return of(get, Body.NONE);
    }
    return of(update, method.equals("DELETE") ? Body.NONE : Body.JSON);
  }

  /** The path's segments, percent-decoded ({@code +} stays a plus), without empty ones at the ends. */
  public static List<String> segments(String rawPath) {
    String path = rawPath;
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    List<String> out = new ArrayList<>();
    for (String part : path.split("/", -1)) {
      out.add(decode(part));
    }
    while (!out.isEmpty() && out.get(0).isEmpty()) {
      out.remove(0);
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return segment;
    }
  }
}
