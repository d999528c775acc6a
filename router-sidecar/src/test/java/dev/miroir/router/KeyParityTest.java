package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.router.parity.Target;
import dev.miroir.router.parity.Target.Answer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 11 item 1: one set of keys, and key changes applied on every node or on none. */
class KeyParityTest {

  static RouterTestCluster cluster;
  static Target router;
  static List<Target> nodes = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = new RouterTestCluster(3);
    cluster.startRouter(cluster.document(1, 8, 2), 10_000_000);
    router = new Target("router", cluster.router.url(), RouterTestCluster.MASTER_KEY);
    for (MeilisearchProcess p : cluster.nodes) {
      nodes.add(new Target(p.url().toString(), p.url().toString(), RouterTestCluster.MASTER_KEY));
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theDefaultKeysListedThroughTheRouterWorkOnEveryNode() {
    JsonNode keys = router.call("GET", "/keys", null, null).json().path("results");
    assertThat(keys).extracting(k -> k.path("name").asText()).containsExactly("Default Search API Key",
        "Default Admin API Key", "Default Read-Only Admin API Key", "Default Chat API Key");
    for (Target n : nodes) {
      assertThat(n.call("GET", "/keys", null, null).json().path("results")).extracting(k -> k.path("key").asText())
          .containsExactlyElementsOf(keys.findValuesAsText("key"));
    }
    String admin = keys.get(1).path("key").asText();
    Answer created = router.call("POST", "/indexes", "application/json", "{\"uid\":\"with_default_admin\"}", admin);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    assertThat(router.awaitTask(created.json().path("taskUid").asLong()).path("status").asText()).isEqualTo("succeeded");
    for (Target n : nodes) {
      assertThat(n.call("GET", "/indexes/with_default_admin", null, null, admin).status()).isEqualTo(200);
    }
  }

  @Test
  void aKeyChangeTheFirstNodeRefusesReachesNoNode() {
    String search = router.call("GET", "/keys", null, null).json().path("results").get(0).path("key").asText();
    Answer refused = router.call("POST", "/keys", "application/json",
        "{\"uid\":\"0b1c7e4e-1111-4aaa-8bbb-000000000001\",\"actions\":[\"search\"],\"indexes\":[\"*\"],\"expiresAt\":null}",
        search);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().path("code").asText()).isEqualTo("invalid_api_key");
    for (Target n : nodes) {
      assertThat(n.call("GET", "/keys/0b1c7e4e-1111-4aaa-8bbb-000000000001", null, null).status()).isEqualTo(404);
    }
  }

  @Test
  void aKeyChangeALaterNodeRefusesIsUndoneWhereItWasApplied() {
    // A key manager that exists on the first two nodes only (made directly on them, around the router).
    String managerUid = "0b1c7e4e-2222-4aaa-8bbb-000000000002";
    String manager = null;
    for (Target n : nodes.subList(0, 2)) {
      manager = n.call("POST", "/keys", "application/json", "{\"uid\":\"" + managerUid
          + "\",\"actions\":[\"keys.*\"],\"indexes\":[\"*\"],\"expiresAt\":null}").json().path("key").asText();
    }
    String newUid = "0b1c7e4e-3333-4aaa-8bbb-000000000003";
    Answer answer = router.call("POST", "/keys", "application/json", "{\"uid\":\"" + newUid
        + "\",\"actions\":[\"search\"],\"indexes\":[\"*\"],\"expiresAt\":null}", manager);
    assertThat(answer.status()).as(answer.body()).isEqualTo(403);
    for (Target n : nodes) {
      assertThat(n.call("GET", "/keys/" + newUid, null, null).status()).as(n.name).isEqualTo(404);
    }
    // The same for a deletion: the key comes back, with its value, where it had been deleted.
    String victimUid = "0b1c7e4e-4444-4aaa-8bbb-000000000004";
    Answer victim = router.call("POST", "/keys", "application/json", "{\"uid\":\"" + victimUid
        + "\",\"name\":\"victim\",\"actions\":[\"search\"],\"indexes\":[\"*\"],\"expiresAt\":null}");
    assertThat(victim.status()).as(victim.body()).isEqualTo(201);
    Answer deletion = router.call("DELETE", "/keys/" + victimUid, null, null, manager);
    assertThat(deletion.status()).isEqualTo(403);
    for (Target n : nodes) {
      JsonNode key = n.call("GET", "/keys/" + victimUid, null, null).json();
      assertThat(key.path("key").asText()).as(n.name).isEqualTo(victim.json().path("key").asText());
      assertThat(key.path("name").asText()).isEqualTo("victim");
    }
  }
}
