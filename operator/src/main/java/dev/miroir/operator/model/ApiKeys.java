package dev.miroir.operator.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default API keys of a cluster. Meilisearch derives a key's value from its uid and the master
 * key (HMAC-SHA256), so creating a key with the same explicit uid on every node gives the same value
 * everywhere: clients and routers use one key for the whole cluster, and the operator can publish it
 * before any node is up.
 */
public final class ApiKeys {

  /**
   * One key to create on every node.
   *
   * @param secretKey entry of the API keys Secret holding the value
   */
  public record KeySpec(
      String role, String uid, String name, String description, List<String> actions,
      String secretKey, String uidSecretKey) {}

  /** What an admin key may do: everything a router and an application need, but not manage keys. */
  public static final List<String> ADMIN_ACTIONS =
      List.of(
          "search", "documents.*", "indexes.*", "tasks.*", "settings.*", "stats.*", "dumps.*",
          "snapshots.*", "version",
          // The router authorises every request from the nodes' key list (router auth/KeyRing), read with this key.
          "keys.get");

  private ApiKeys() {}

  /** The cluster's default keys; uids come from the cluster's uid, so they survive restarts. */
  public static List<KeySpec> defaults(String cluster, String clusterUid) {
    return List.of(
        new KeySpec(
            "search",
            uid(clusterUid, "search"),
            cluster + "-search",
            "Miroir default search key for cluster " + cluster,
            List.of("search"),
            ClusterNames.SEARCH_KEY,
            ClusterNames.SEARCH_KEY_UID),
        new KeySpec(
            "admin",
            uid(clusterUid, "admin"),
            cluster + "-admin",
            "Miroir default admin key for cluster " + cluster + " (no key management)",
            ADMIN_ACTIONS,
            ClusterNames.ADMIN_KEY,
            ClusterNames.ADMIN_KEY_UID));
  }

  /** A version-4-shaped UUID derived from the cluster uid and role, stable across restarts. */
  static String uid(String clusterUid, String role) {
    byte[] hash = sha256(("miroir.dev/api-key/" + clusterUid + "/" + role));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x40);
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
    ByteBuffer buffer = ByteBuffer.wrap(hash, 0, 16);
    return new UUID(buffer.getLong(), buffer.getLong()).toString();
  }

  /** The value Meilisearch gives the key with this uid under this master key. */
  public static String value(String masterKey, String uid) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(masterKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(uid.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // The message must not carry the key; neither exception type includes it.
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
