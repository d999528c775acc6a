package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.router.parity.Target;
import dev.miroir.router.parity.Target.Answer;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 item 4: a batch that Meilisearch fails whole fails whole through the router, with the
 * answer of a single node (202, then a failed task with the node's own code and message), and no
 * document of it reaches any node. Every expectation is what a real 1.21 node answered to the same
 * request in the same run.
 */
class WholeBatchFailureTest extends RouterAndOneNodeTestBase {

  static final String GOOD = "{\"id\":1,\"_geo\":{\"lat\":1,\"lng\":2}},{\"id\":2,\"_geo\":{\"lat\":3.5,\"lng\":\"4\"}},"
      + "{\"id\":3,\"t\":\"x\"},{\"id\":\"k-4\",\"_geo\":null},{\"id\":5,\"_geo\":{\"lat\":-1,\"lng\":2}}";

  @Test
  void oneInvalidGeoFailsTheWholeBatchWithTheNodesError() {
    JsonNode task = sameFailure("geo_bad", "{\"filterableAttributes\":[\"_geo\"]}", "?primaryKey=id",
        "[" + GOOD + ",{\"id\":6,\"_geo\":{\"lat\":\"abc\",\"lng\":2}}]");
    assertThat(task.path("error").path("code").asText()).isEqualTo("invalid_document_geo_field");
    assertThat(task.path("details").path("receivedDocuments").asInt()).isEqualTo(6);
  }

  @Test
  void everyGeoShapeMeilisearchRefusesIsRefusedAlike() {
    String settings = "{\"sortableAttributes\":[\"_geo\"]}";
    sameFailure("geo_nolng", settings, "?primaryKey=id", "[" + GOOD + ",{\"id\":7,\"_geo\":{\"lat\":1}}]");
    sameFailure("geo_nolat", settings, "?primaryKey=id", "[{\"id\":7,\"_geo\":{\"lng\":1}}]");
    sameFailure("geo_empty", settings, "?primaryKey=id", "[{\"id\":\"a-7\",\"_geo\":{}}]");
    sameFailure("geo_notobj", settings, "?primaryKey=id", "[" + GOOD + ",{\"id\":8,\"_geo\":[1,2]}]");
    sameFailure("geo_extra", settings, "?primaryKey=id", "[{\"id\":9,\"_geo\":{\"lat\":1,\"lng\":2,\"z\":3}}]");
    sameFailure("geo_both", settings, "?primaryKey=id", "[{\"id\":10,\"_geo\":{\"lat\":true,\"lng\":\"x\"}}]");
    sameFailure("geo_lng", settings, "?primaryKey=id", "[{\"id\":11,\"_geo\":{\"lat\":1,\"lng\":null}}]");
  }

  @Test
  void primaryKeyAndIdErrorsAre202AndAFailedTask() {
    sameFailure("pk_none", null, "", "[{\"title\":\"x\"}]");
    sameFailure("pk_many", null, "", "[{\"id\":1,\"bid\":2}]");
    sameFailure("pk_missing", null, "?primaryKey=id", "[{\"id\":1},{\"x\":1}]");
    sameFailure("pk_invalid", null, "", "[{\"id\":1},{\"id\":\"a b\"}]");
    sameFailure("pk_float", null, "", "[{\"id\":1.5}]");
    sameFailure("pk_bool", null, "", "[{\"id\":true}]");
    sameFailure("pk_nested_missing", null, "?primaryKey=a.b", "[{\"a\":{\"b\":\"k1\"}},{\"a\":{\"c\":1}}]");
  }

  @Test
  void aPrimaryKeyOtherThanTheIndexsFailsAlike() {
    for (Target t : new Target[] {node, router}) {
      t.awaitTask(t.call("POST", "/indexes", "application/json", "{\"uid\":\"pk_other\",\"primaryKey\":\"id\"}")
          .json().path("taskUid").asLong());
    }
    sameFailure("pk_other", null, "?primaryKey=other", "[{\"id\":1,\"other\":2}]");
  }

  @Test
  void vectorShapesMeilisearchRefusesAreRefusedAlike() {
    String settings = "{\"embedders\":{\"e\":{\"source\":\"userProvided\",\"dimensions\":2}}}";
    sameFailure("vec_string", settings, "?primaryKey=id", "[{\"id\":1,\"_vectors\":{\"e\":[1,2]}},{\"id\":2,\"_vectors\":{\"e\":\"abc\"}}]");
    sameFailure("vec_dims", settings, "?primaryKey=id", "[{\"id\":1,\"_vectors\":{\"e\":[1,2,3]}}]");
    sameFailure("vec_type", settings, "?primaryKey=id", "[{\"id\":5,\"_vectors\":{\"e\":[1,\"a\"]}}]");
    sameFailure("vec_obj", settings, "?primaryKey=id", "[{\"id\":6,\"_vectors\":{\"e\":{\"embeddings\":[1,2]}}}]");
  }

  @Test
  void nestedPrimaryKeysAreAcceptedAndRouted() {
    String body = "[{\"a\":{\"b\":\"k1\"},\"t\":1},{\"a\":{\"b\":2},\"t\":2},{\"a.b\":\"k3\",\"t\":3}]";
    for (Target t : new Target[] {node, router}) {
      Answer a = t.call("POST", "/indexes/nested/documents?primaryKey=a.b", "application/json", body);
      assertThat(a.status()).isEqualTo(202);
      assertThat(t.awaitTask(a.json().path("taskUid").asLong()).path("status").asText()).isEqualTo("succeeded");
    }
    JsonNode onNode = node.call("GET", "/indexes/nested/documents/k3", null, null).json();
    JsonNode onRouter = router.call("GET", "/indexes/nested/documents/k3", null, null).json();
    assertThat(onRouter).isEqualTo(onNode);
    assertThat(router.call("GET", "/indexes/nested/stats", null, null).json().path("numberOfDocuments").asInt())
        .isEqualTo(3);
  }

  /**
   * Sends the same batch to the reference node and through the router; both must answer 202 and fail
   * the task with the same error; the router's nodes hold no document of the index afterwards, and the
   * index exists (or not) with the same primary key on both sides.
   */
  private JsonNode sameFailure(String index, String settings, String query, String body) {
    if (settings != null) {
      for (Target t : new Target[] {node, router}) {
        Answer s = t.call("PATCH", "/indexes/" + index + "/settings", "application/json", settings);
        assertThat(s.status()).as(s.body()).isEqualTo(202);
        assertThat(t.awaitTask(s.json().path("taskUid").asLong()).path("status").asText()).isEqualTo("succeeded");
      }
    }
    Answer onNode = node.call("POST", "/indexes/" + index + "/documents" + query, "application/json", body);
    Answer onRouter = router.call("POST", "/indexes/" + index + "/documents" + query, "application/json", body);
    assertThat(onRouter.status()).as(onRouter.body()).isEqualTo(onNode.status()).isEqualTo(202);
    JsonNode nodeTask = node.awaitTask(onNode.json().path("taskUid").asLong());
    JsonNode routerTask = router.awaitTask(onRouter.json().path("taskUid").asLong());
    assertThat(nodeTask.path("status").asText()).as(nodeTask.toString()).isEqualTo("failed");
    assertThat(routerTask.path("status").asText()).as(routerTask.toString()).isEqualTo("failed");
    assertThat(routerTask.path("error")).as(index).isEqualTo(nodeTask.path("error"));
    assertThat(routerTask.path("details")).isEqualTo(nodeTask.path("details"));
    assertThat(routerTask.path("batchUid").isNumber()).isTrue();
    for (MeilisearchProcess p : cluster.nodes) {
      Answer docs = new Target("n", p.url().toString(), RouterTestCluster.MASTER_KEY)
          .call("GET", "/indexes/" + index + "/documents?limit=1", null, null);
      assertThat(docs.json().path("total").asInt()).as(index + " on " + p.url()).isZero();
    }
    Answer nodeIndex = node.call("GET", "/indexes/" + index, null, null);
    Answer routerIndex = router.call("GET", "/indexes/" + index, null, null);
    assertThat(routerIndex.status()).isEqualTo(nodeIndex.status());
    assertThat(routerIndex.json().path("primaryKey")).isEqualTo(nodeIndex.json().path("primaryKey"));
    // The failed task is listed like a node's.
    JsonNode listed = router.call("GET", "/tasks?statuses=failed&indexUids=" + index, null, null).json();
    assertThat(listed.path("results").get(0)).isEqualTo(routerTask);
    return routerTask;
  }
}
