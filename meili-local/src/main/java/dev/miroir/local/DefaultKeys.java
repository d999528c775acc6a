package dev.miroir.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The default API keys that Meilisearch 1.21 creates on first start, made equal on every node of a
 * cluster. A node creates them with random uids, and a key's value is HMAC-SHA256(master key, uid), so
 * each node would have its own "Default Admin API Key": a client that takes it from {@code GET /keys}
 * (as SDK examples do) would be refused by every other node. This replaces them with keys of the same
 * name, description, actions and indexes under fixed uids, so nodes sharing a master key share the
 * values, as the operator does for its own keys.
 */
public final class DefaultKeys {

  /** One default key, exactly as Meilisearch 1.21 creates it. */
  public record Spec(String name, String description, List<String> actions) {

    /** Fixed for every cluster; the value still depends on the cluster's master key. */
    public String uid() {
      return fixedUid(name);
    }
  }

  /** In Meilisearch's creation order (it lists keys newest first: Search, Admin, Read-Only, Chat). */
  public static final List<Spec> SPECS = List.of(
      new Spec("Default Chat API Key", "Use it to chat and search from the frontend",
          List.of("chatCompletions", "search")),
      new Spec("Default Read-Only Admin API Key",
          "Use it to read information across the whole database. Caution! Do not expose this key on a public frontend",
          List.of("*.get", "keys.get")),
      new Spec("Default Admin API Key",
          "Use it for anything that is not a search operation. Caution! Do not expose it on a public frontend",
          List.of("*")),
      new Spec("Default Search API Key", "Use it to search from the frontend", List.of("search")));

  private DefaultKeys() {}

  /**
   * Makes the node's default keys the fixed ones. Idempotent: a node that already has them (a
   * restart) is left alone. Keys with other names are never touched.
   *
   * @param node a client with the master key
   */
  public static void ensure(MeiliHttp node) {
    JsonNode keys = node.get("/keys?limit=1000").requireSuccess().body().path("results");
    List<String> defaultsNow = new ArrayList<>();
    boolean allFixed = true;
    for (Spec spec : SPECS) {
      boolean found = false;
      for (JsonNode key : keys) {
        if (spec.name().equals(key.path("name").asText())) {
          defaultsNow.add(key.path("uid").asText());
          found |= spec.uid().equals(key.path("uid").asText());
        }
      }
      allFixed &= found;
    }
    if (allFixed) {
      return;
    }
    // Recreated all together and in Meilisearch's order, so that GET /keys lists them as a node does.
    for (String uid : defaultsNow) {
      node.delete("/keys/" + uid).requireSuccess();
    }
    for (Spec spec : SPECS) {
      create(node, spec.uid(), spec.name(), spec.description(), spec.actions()).requireSuccess();
    }
  }

  /** Creates a key on every index that never expires, with a chosen uid (and so a known value). */
  public static MeiliHttp.Response create(MeiliHttp node, String uid, String name, String description,
      List<String> actions) {
    ObjectNode body = MeiliHttp.mapper().createObjectNode();
    body.put("uid", uid);
    body.put("name", name);
    body.put("description", description);
    actions.forEach(body.putArray("actions")::add);
    body.putArray("indexes").add("*");
    body.putNull("expiresAt");
    return node.post("/keys", body);
  }

  /**
   * Whether the node still holds the fixed-uid keys: the marker of a node whose volume survived. A node
   * that came back empty has only Meilisearch's own defaults, with random uids (see the rebalance
   * design's refill). Throws when the node does not answer: "could not ask" is not "empty".
   */
  public static boolean present(MeiliHttp node) {
    MeiliHttp.Response key = node.get("/keys/" + SPECS.get(2).uid());
    if (key.status() == 404) {
      return false;
    }
    key.requireSuccess();
    return true;
  }

  /** A version-4-shaped UUID from the key's name. */
  static String fixedUid(String name) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(("miroir.dev/default-api-key/" + name).getBytes(StandardCharsets.UTF_8));
      hash[6] = (byte) ((hash[6] & 0x0f) | 0x40);
      hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
      ByteBuffer buffer = ByteBuffer.wrap(hash, 0, 16);
      return new UUID(buffer.getLong(), buffer.getLong()).toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
