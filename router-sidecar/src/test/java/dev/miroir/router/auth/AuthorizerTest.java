package dev.miroir.router.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.router.MeiliError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Meilisearch 1.21's authentication decision, as a pure function: the cases of its policy, in order. */
class AuthorizerTest {

  static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  static final class Keys implements Authorizer.Keys {
    final Map<String, ApiKey> byValue = new HashMap<>();
    final Set<String> masters = new java.util.HashSet<>();

    Keys add(String uid, String value, List<String> actions, List<String> indexes, Instant expires) {
      byValue.put(value, new ApiKey(uid, value, Action.expand(actions), indexes, expires));
      return this;
    }

    @Override
    public ApiKey byValue(String value) {
      return byValue.get(value);
    }

    @Override
    public ApiKey byUid(String uid) {
      return byValue.values().stream().filter(k -> k.uid().equals(uid)).findFirst().orElse(null);
    }

    @Override
    public boolean isMaster(String token) {
      return masters.contains(token);
    }

    @Override
    public boolean isRouterKey(String token) {
      return false;
    }
  }

  static final String SEARCH_UID = "11111111-0000-4000-8000-000000000001";

  static Keys keys() {
    Keys k = new Keys().add(SEARCH_UID, "search-value", List.of("search"), List.of("*"), null)
        .add("22222222-0000-4000-8000-000000000002", "movies-admin", List.of("*"), List.of("movies*"), null)
        .add("33333333-0000-4000-8000-000000000003", "docs", List.of("documents.*"), List.of("*"), null)
        .add("44444444-0000-4000-8000-000000000004", "expired", List.of("*"), List.of("*"), NOW.minusSeconds(1))
        .add("55555555-0000-4000-8000-000000000005", "reader", List.of("*.get"), List.of("*"), null);
    k.masters.add("the-master");
    return k;
  }

  static MeiliError refusal(Authorizer.Verdict v) {
    assertThat(v).isInstanceOf(Authorizer.Refused.class);
    return ((Authorizer.Refused) v).error();
  }

  @Test
  void headerShapesGetTheNodesErrors() {
    assertThat(refusal(Authorizer.decide(null, Action.SEARCH, "movies", keys(), NOW)).code())
        .isEqualTo("missing_authorization_header");
    assertThat(refusal(Authorizer.decide("Basic abc", Action.SEARCH, "movies", keys(), NOW)).status()).isEqualTo(401);
    assertThat(refusal(Authorizer.decide("Bearer", Action.SEARCH, "movies", keys(), NOW)).code())
        .isEqualTo("invalid_api_key");
    assertThat(Authorizer.decide("Bearer nope", Action.SEARCH, "movies", keys(), NOW))
        .isEqualTo(new Authorizer.Unknown(true));
  }

  @Test
  void actionsWildcardsIndexPatternsAndExpiry() {
    Keys keys = keys();
    assertThat(Authorizer.decide("Bearer the-master", Action.KEYS_CREATE, null, keys, NOW))
        .isInstanceOf(Authorizer.Allowed.class);
    assertThat(Authorizer.decide("Bearer movies-admin", Action.DOCUMENTS_ADD, "movies_2024", keys, NOW))
        .isInstanceOf(Authorizer.Allowed.class);
    assertThat(refusal(Authorizer.decide("Bearer movies-admin", Action.SEARCH, "books", keys, NOW)).message())
        .isEqualTo("The API key cannot acces the index `books`, authorized indexes are [\"movies*\"].");
    // documents.* gives add, get and delete, but not the edit route (DocumentsAll is only in `*`)
    assertThat(Authorizer.decide("Bearer docs", Action.DOCUMENTS_DELETE, "x", keys, NOW)).isInstanceOf(Authorizer.Allowed.class);
    assertThat(refusal(Authorizer.decide("Bearer docs", Action.DOCUMENTS_ALL, "x", keys, NOW)).message())
        .isEqualTo("The provided API key is invalid.");
    assertThat(Authorizer.decide("Bearer movies-admin", Action.DOCUMENTS_ALL, "movies", keys, NOW))
        .isInstanceOf(Authorizer.Allowed.class);
    // *.get reads everything but keys
    assertThat(Authorizer.decide("Bearer reader", Action.TASKS_GET, null, keys, NOW)).isInstanceOf(Authorizer.Allowed.class);
    assertThat(Authorizer.decide("Bearer reader", Action.KEYS_GET, null, keys, NOW)).isInstanceOf(Authorizer.Refused.class);
    assertThat(Authorizer.decide("Bearer reader", Action.SETTINGS_UPDATE, "m", keys, NOW)).isInstanceOf(Authorizer.Refused.class);
    assertThat(refusal(Authorizer.decide("Bearer expired", Action.SEARCH, "movies", keys, NOW)).code())
        .isEqualTo("invalid_api_key");
  }

  @Test
  void tenantTokensAreCheckedAndCarryTheirRules() throws Exception {
    Keys keys = keys();
    String token = jwt("search-value", "{\"apiKeyUid\":\"" + SEARCH_UID
        + "\",\"searchRules\":{\"movies\":{\"filter\":\"genre = drama\"},\"mov*\":null}}");
    Authorizer.Verdict v = Authorizer.decide("Bearer " + token, Action.SEARCH, "movies", keys, NOW);
    Access access = ((Authorizer.Allowed) v).access();
    assertThat(access.isTenantToken()).isTrue();
    assertThat(access.searchFilter("movies").asText()).isEqualTo("genre = drama");
    assertThat(access.searchFilter("movies2")).isNull();
    assertThat(access.indexAuthorized("books")).isFalse();
    assertThat(refusal(Authorizer.decide("Bearer " + token, Action.SEARCH, "books", keys, NOW)).message())
        .startsWith("The provided tenant token cannot acces the index `books`");
    // Only search (and chat completions) read tenant tokens: elsewhere it is just a wrong key.
    assertThat(Authorizer.decide("Bearer " + token, Action.DOCUMENTS_GET, "movies", keys, NOW))
        .isEqualTo(new Authorizer.Unknown(true));
    String forged = jwt("other-secret", "{\"apiKeyUid\":\"" + SEARCH_UID + "\",\"searchRules\":[\"*\"]}");
    assertThat(refusal(Authorizer.decide("Bearer " + forged, Action.SEARCH, "movies", keys, NOW)).message())
        .contains("InvalidSignature");
    String expired = jwt("search-value", "{\"apiKeyUid\":\"" + SEARCH_UID + "\",\"searchRules\":[\"*\"],\"exp\":"
        + (NOW.getEpochSecond() - 1) + "}");
    assertThat(refusal(Authorizer.decide("Bearer " + expired, Action.SEARCH, "movies", keys, NOW)).message())
        .startsWith("Tenant token expired.");
    String noRules = jwt("search-value", "{\"apiKeyUid\":\"" + SEARCH_UID + "\"}");
    assertThat(refusal(Authorizer.decide("Bearer " + noRules, Action.SEARCH, "movies", keys, NOW)).code())
        .isEqualTo("invalid_api_key");
    String unknownKey = jwt("x", "{\"apiKeyUid\":\"99999999-0000-4000-8000-000000000009\",\"searchRules\":[\"*\"]}");
    assertThat(Authorizer.decide("Bearer " + unknownKey, Action.SEARCH, "movies", keys, NOW))
        .isEqualTo(new Authorizer.Unknown(false));
  }

  @Test
  void tasksOfAScopedKey() {
    ApiKey movies = keys().byValue("movies-admin");
    Access access = new Access(movies, null, false);
    assertThat(access.canSeeTask("movies")).isTrue();
    assertThat(access.canSeeTask("books")).isFalse();
    assertThat(access.canSeeTask(null)).as("a swap or a task deletion concerns no single index").isFalse();
    assertThat(Access.master().canSeeTask(null)).isTrue();
  }

  static String jwt(String secret, String claims) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }
}
