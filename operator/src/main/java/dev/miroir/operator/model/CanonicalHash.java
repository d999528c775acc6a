package dev.miroir.operator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A hash of an object's JSON with every map's keys sorted: the same desired object gives the same
 * hash in every JVM, so a restarted operator (or a new leader) recognises what it applied before.
 */
public final class CanonicalHash {

  private static final ObjectMapper SORTED = Serialization.jsonMapper().copy()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private CanonicalHash() {}

  public static String of(Object value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(SORTED.writeValueAsString(value).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
