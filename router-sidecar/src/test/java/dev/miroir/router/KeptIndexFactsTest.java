package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.router.parity.Target;
import dev.miroir.router.parity.Target.Answer;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The router keeps an index's primary key and settings between document writes (issue 13: a small
 * write then costs no round trip to ask them). A kept fact must never outlive the change that voids
 * it: after each change below, a batch is judged exactly as a real node judges it in the same run. Each
 * test first makes the router use kept facts (its {@code miroir_write_index_facts_total{source="kept"}}
 * grows), so that a stale fact would be served if the change did not void it.
 */
class KeptIndexFactsTest extends RouterAndOneNodeTestBase {

  @Test
  void aSettingsChangeVoidsTheKeptSettings() {
    createOnBoth("kept_geo", "id");
    useKeptFacts("kept_geo", "id");
    patchSettingsOnBoth("kept_geo", "{\"filterableAttributes\":[\"_geo\"]}");
    // Judged by the kept settings (no _geo filterable), the batch would be split and applied on the
    // nodes that hold its good documents.
    JsonNode task = sameFailure("kept_geo", "[{\"id\":\"g-1\",\"_geo\":{\"lat\":1,\"lng\":2}},"
        + "{\"id\":\"g-2\",\"_geo\":{\"lat\":\"abc\",\"lng\":2}},{\"id\":\"g-3\",\"t\":\"x\"}]", "g-1", "g-3");
    assertThat(task.path("error").path("code").asText()).isEqualTo("invalid_document_geo_field");
  }

  @Test
  void anIndexDeletedAndCreatedAgainHasItsNewPrimaryKey() {
    createOnBoth("kept_pk", "id");
    useKeptFacts("kept_pk", "id");
    for (Target t : new Target[] {node, router}) {
      awaitSucceeded(t, t.call("DELETE", "/indexes/kept_pk", null, null));
    }
    createOnBoth("kept_pk", "sku");
    // With the kept primary key (id) the batch would be accepted; its documents have no sku.
    JsonNode task = sameFailure("kept_pk", "[{\"id\":\"p-1\",\"t\":\"x\"},{\"id\":\"p-2\"}]", null, null);
    assertThat(task.path("error").path("code").asText()).isEqualTo("missing_document_id");
    // And a batch with the new key is routed by it.
    for (Target t : new Target[] {node, router}) {
      awaitSucceeded(t, t.call("POST", "/indexes/kept_pk/documents", "application/json",
          "[{\"sku\":\"s-1\",\"id\":\"p-1\"},{\"sku\":\"s-2\",\"id\":\"p-1\"}]"));
      assertThat(t.call("GET", "/indexes/kept_pk/documents/s-2", null, null).status()).as(t.name).isEqualTo(200);
      assertThat(t.call("GET", "/indexes/kept_pk/stats", null, null).json().path("numberOfDocuments").asInt())
          .as(t.name).isEqualTo(2);
    }
  }

  @Test
  void aSwapVoidsTheKeptPrimaryKeysOfBothIndexes() {
    createOnBoth("kept_swap_a", "id");
    createOnBoth("kept_swap_b", "sku");
    useKeptFacts("kept_swap_a", "id");
    for (Target t : new Target[] {node, router}) {
      awaitSucceeded(t, t.call("POST", "/swap-indexes", "application/json",
          "[{\"indexes\":[\"kept_swap_a\",\"kept_swap_b\"]}]"));
    }
    JsonNode task = sameFailure("kept_swap_a", "[{\"id\":\"w-1\"}]", null, null);
    assertThat(task.path("error").path("code").asText()).isEqualTo("missing_document_id");
  }

  @Test
  void aPrimaryKeySetByTheFirstDocumentsIsKeptOnlyOnceTheNodesHaveIt() {
    createOnBoth("kept_inferred", null);
    // The first batch gives the index its primary key (inferred: `id`); the next ones are judged by it.
    for (Target t : new Target[] {node, router}) {
      awaitSucceeded(t, t.call("POST", "/indexes/kept_inferred/documents", "application/json", "[{\"id\":\"i-0\"}]"));
    }
    useKeptFacts("kept_inferred", "id");
    JsonNode task = sameFailure("kept_inferred", "[{\"id\":\"i-1\"},{\"id\":\"bad id\"}]", "i-1", null);
    assertThat(task.path("error").path("code").asText()).isEqualTo("invalid_document_id");
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static void createOnBoth(String index, String primaryKey) {
    String body = "{\"uid\":\"" + index + "\"" + (primaryKey == null ? "" : ",\"primaryKey\":\"" + primaryKey + "\"") + "}";
    for (Target t : new Target[] {node, router}) {
      awaitSucceeded(t, t.call("POST", "/indexes", "application/json", body));
    }
  }

  private static void patchSettingsOnBoth(String index, String settings) {
    for (Target t : new Target[] {node, router}) {
      awaitSucceeded(t, t.call("PATCH", "/indexes/" + index + "/settings", "application/json", settings));
    }
  }

  private static void awaitSucceeded(Target t, Answer a) {
    assertThat(a.status()).as(t.name + ": " + a.body()).isEqualTo(202);
    JsonNode task = t.awaitTask(a.json().path("taskUid").asLong());
    assertThat(task.path("status").asText()).as(t.name + ": " + task).isEqualTo("succeeded");
  }

  /** Writes good documents through the router until one of them is judged by kept facts. */
  private static void useKeptFacts(String index, String primaryKey) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    double before = keptCount();
    for (int i = 0; keptCount() <= before; i++) {
      assertThat(System.nanoTime()).as("the router never used kept facts for " + index).isLessThan(deadline);
      awaitSucceeded(router, router.call("POST", "/indexes/" + index + "/documents", "application/json",
          "[{\"" + primaryKey + "\":\"warm-" + i + "\"}]"));
    }
  }

  private static final Pattern KEPT = Pattern.compile("miroir_write_index_facts_total\\{source=\"kept\"[^}]*\\} ([0-9.eE+]+)");

  private static double keptCount() {
    Answer metrics = router.call("GET", "/metrics", null, null);
    Matcher m = KEPT.matcher(metrics.body());
    assertThat(m.find()).as("no kept-facts counter in the router's metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }

  /**
   * The same batch to the reference node and through the router: both 202 and the same failed task,
   * and none of {@code goodIds} (documents of the batch that are fine by themselves) on any of the
   * router's nodes.
   */
  private static JsonNode sameFailure(String index, String body, String... goodIds) {
    Answer onNode = node.call("POST", "/indexes/" + index + "/documents", "application/json", body);
    Answer onRouter = router.call("POST", "/indexes/" + index + "/documents", "application/json", body);
    assertThat(onRouter.status()).as(onRouter.body()).isEqualTo(onNode.status()).isEqualTo(202);
    JsonNode nodeTask = node.awaitTask(onNode.json().path("taskUid").asLong());
    JsonNode routerTask = router.awaitTask(onRouter.json().path("taskUid").asLong());
    assertThat(nodeTask.path("status").asText()).as(nodeTask.toString()).isEqualTo("failed");
    assertThat(routerTask.path("status").asText()).as(routerTask.toString()).isEqualTo("failed");
    assertThat(routerTask.path("error")).isEqualTo(nodeTask.path("error"));
    assertThat(routerTask.path("details")).isEqualTo(nodeTask.path("details"));
    for (String id : goodIds) {
      if (id == null) {
        continue;
      }
      for (MeilisearchProcess p : cluster.nodes) {
        Answer doc = new Target("n", p.url().toString(), RouterTestCluster.MASTER_KEY)
            .call("GET", "/indexes/" + index + "/documents/" + id, null, null);
        assertThat(doc.status()).as(id + " on " + p.url() + ": " + doc.body()).isEqualTo(404);
      }
    }
    return routerTask;
  }
}
