package dev.miroir.router.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A tenant token as Meilisearch 1.21 reads one (its {@code ActionPolicy::authenticate_tenant_token}): a
 * JWT signed with HS256/384/512 using the value of the API key named by {@code apiKeyUid}, with optional
 * {@code exp} and required {@code searchRules}. Pure: decoding, signature and expiry only; whether the
 * key exists and may search is {@link Authorizer}'s question.
 */
public final class TenantToken {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What reading a bearer token as a tenant token gave. */
  public sealed interface Reading permits NotAToken, Invalid, Claims {}

  /** Not shaped like a JWT at all: Meilisearch then tries it as an API key. */
  public record NotAToken() implements Reading {}

  /** Shaped like a JWT but refused; {@code message} is Meilisearch's. */
  public record Invalid(String message) implements Reading {}

  /**
   * Decoded claims, signature not yet checked.
   *
   * @param searchRules index pattern to its extra filter (null: none), in the token's order
   */
  public record Claims(String apiKeyUid, Long exp, Map<String, JsonNode> searchRules, String alg,
      String signingInput, byte[] signature) implements Reading {

    /** Checks the signature with the key's value and the expiry; null when valid, else the refusal message. */
    public String verify(String keyValue, Instant now) {
      String macName = switch (alg) {
        case "HS256" -> "HmacSHA256";
        case "HS384" -> "HmacSHA384";
        default -> "HmacSHA512";
      };
      try {
        Mac mac = Mac.getInstance(macName);
        mac.init(new SecretKeySpec(keyValue.getBytes(StandardCharsets.UTF_8), macName));
        byte[] expected = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        if (!MessageDigest.isEqual(expected, signature)) {
          return "Could not decode tenant token, InvalidSignature.";
        }
      } catch (java.security.GeneralSecurityException e) {
        return "Could not decode tenant token, " + e.getClass().getSimpleName() + ".";
      }
      if (exp != null && now.getEpochSecond() > exp) {
        return "Tenant token expired. Was valid up to `" + exp + "` and we're now `" + now.getEpochSecond() + "`.";
      }
      return null;
    }
  }

  private TenantToken() {}

  public static Reading read(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return new NotAToken();
    }
    JsonNode header;
    JsonNode payload;
    byte[] signature;
    try {
      header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
      payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      signature = Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      return new Invalid("Could not decode tenant token, Base64 error.");
    } catch (java.io.IOException e) {
      return new Invalid("Could not decode tenant token, JSON error.");
    }
    if (header == null || !header.isObject() || payload == null || !payload.isObject()) {
      return new Invalid("Could not decode tenant token, JSON error.");
    }
    String alg = header.path("alg").asText("");
    if (!alg.equals("HS256") && !alg.equals("HS384") && !alg.equals("HS512")) {
      return new Invalid("Could not decode tenant token, InvalidAlgorithm.");
    }
    String uid = payload.path("apiKeyUid").asText(null);
    try {
      uid = uid == null ? null : UUID.fromString(uid).toString();
    } catch (IllegalArgumentException e) {
      uid = null;
    }
    JsonNode rules = payload.get("searchRules");
    JsonNode exp = payload.get("exp");
    if (uid == null || rules == null || !(rules.isArray() || rules.isObject())
        || (exp != null && !exp.isNull() && !exp.canConvertToLong())) {
      return new Invalid("Could not decode tenant token, JSON error.");
    }
    Map<String, JsonNode> searchRules = new LinkedHashMap<>();
    if (rules.isArray()) {
      for (JsonNode pattern : rules) {
        if (!pattern.isTextual()) {
          return new Invalid("Could not decode tenant token, JSON error.");
        }
        searchRules.put(pattern.textValue(), null);
      }
    } else {
      for (var it = rules.fields(); it.hasNext(); ) {
        var rule = it.next();
        JsonNode value = rule.getValue();
        if (!value.isNull() && !value.isObject()) {
          return new Invalid("Could not decode tenant token, JSON error.");
        }
        JsonNode filter = value.isObject() ? value.get("filter") : null;
        searchRules.put(rule.getKey(), filter == null || filter.isNull() ? null : filter);
      }
    }
    return new Claims(uid, exp == null || exp.isNull() ? null : exp.longValue(), searchRules, alg,
        parts[0] + "." + parts[1], signature);
  }
}
