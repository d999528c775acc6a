package dev.miroir.router.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.task.RouterTask.DetailsMode;
import dev.miroir.router.task.TaskAggregator.NodeTaskView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskAggregatorTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final NodeTaskRef A = new NodeTaskRef("node-0", "http://a", 10, true);
  static final NodeTaskRef B = new NodeTaskRef("node-1", "http://b", 20, true);
  static final NodeTaskRef FOLLOW_UP = new NodeTaskRef("node-0", "http://a", 11, false);

  static RouterTask task(DetailsMode mode, NodeTaskRef... refs) {
    ObjectNode details = JsonNodeFactory.instance.objectNode().put("receivedDocuments", 4);
    return new RouterTask(7, "movies", "documentAdditionOrUpdate", "2025-05-01T10:00:00Z", details, mode,
        List.of(refs), null);
  }

  static JsonNode node(String status, String startedAt, String finishedAt, String details, String error) throws Exception {
    return JSON.readTree("{\"status\":\"" + status + "\",\"startedAt\":" + quote(startedAt) + ",\"finishedAt\":"
        + quote(finishedAt) + ",\"details\":" + (details == null ? "null" : details) + ",\"error\":"
        + (error == null ? "null" : error) + "}");
  }

  static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  static ObjectNode aggregate(RouterTask task, JsonNode... nodeTasks) {
    List<NodeTaskView> views = new ArrayList<>();
    for (int i = 0; i < nodeTasks.length; i++) {
      views.add(new NodeTaskView(task.nodeTasks().get(i), nodeTasks[i]));
    }
    return TaskAggregator.aggregate(task, views, 2);
  }

  @Test
  void allEnqueuedIsEnqueuedWithNullOutcomes() throws Exception {
    ObjectNode v = aggregate(task(DetailsMode.SUM_OVER_REPLICAS, A, B),
        node("enqueued", null, null, "{\"receivedDocuments\":2,\"indexedDocuments\":null}", null),
        node("enqueued", null, null, "{\"receivedDocuments\":2,\"indexedDocuments\":null}", null));
    assertThat(v.path("status").asText()).isEqualTo("enqueued");
    assertThat(v.path("uid").asLong()).isEqualTo(7);
    assertThat(v.path("details").path("receivedDocuments").asInt()).isEqualTo(4);
    assertThat(v.path("details").path("indexedDocuments").isNull()).isTrue();
    assertThat(v.path("startedAt").isNull()).isTrue();
    assertThat(v.path("finishedAt").isNull()).isTrue();
    assertThat(v.path("duration").isNull()).isTrue();
    assertThat(v.path("error").isNull()).isTrue();
  }

  @Test
  void oneStartedOrOneFinishedIsProcessing() throws Exception {
    RouterTask t = task(DetailsMode.SUM_OVER_REPLICAS, A, B);
    assertThat(aggregate(t, node("processing", "2025-05-01T10:00:01Z", null, null, null),
        node("enqueued", null, null, null, null)).path("status").asText()).isEqualTo("processing");
    ObjectNode v = aggregate(t, node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z",
        "{\"indexedDocuments\":2}", null), node("enqueued", null, null, null, null));
    assertThat(v.path("status").asText()).isEqualTo("processing");
    assertThat(v.path("startedAt").asText()).isEqualTo("2025-05-01T10:00:01Z");
    assertThat(v.path("finishedAt").isNull()).isTrue();
    assertThat(v.path("details").path("indexedDocuments").isNull()).isTrue();
  }

  @Test
  void allSucceededSumsOverReplicasAndSpansTimes() throws Exception {
    // RF 2: 4 documents, each indexed on two nodes -> node counts sum to 8, the task says 4.
    ObjectNode v = aggregate(task(DetailsMode.SUM_OVER_REPLICAS, A, B),
        node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:03Z", "{\"receivedDocuments\":4,\"indexedDocuments\":4}", null),
        node("succeeded", "2025-05-01T10:00:02Z", "2025-05-01T10:00:05Z", "{\"receivedDocuments\":4,\"indexedDocuments\":4}", null));
    assertThat(v.path("status").asText()).isEqualTo("succeeded");
    assertThat(v.path("details").path("receivedDocuments").asInt()).isEqualTo(4);
    assertThat(v.path("details").path("indexedDocuments").asInt()).isEqualTo(4);
    assertThat(v.path("startedAt").asText()).isEqualTo("2025-05-01T10:00:01Z");
    assertThat(v.path("finishedAt").asText()).isEqualTo("2025-05-01T10:00:05Z");
    assertThat(v.path("duration").asText()).isEqualTo("PT4.000000000S");
    assertThat(v.path("enqueuedAt").asText()).isEqualTo("2025-05-01T10:00:00Z");
  }

  @Test
  void anyFailedIsFailedWithTheNodesOwnError() throws Exception {
    String error = "{\"message\":\"Document identifier `a b` is invalid.\",\"code\":\"invalid_document_id\","
        + "\"type\":\"invalid_request\",\"link\":\"https://docs.meilisearch.com/errors#invalid_document_id\"}";
    ObjectNode v = aggregate(task(DetailsMode.SUM_OVER_REPLICAS, A, B),
        node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", null, null),
        node("failed", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", null, error));
    assertThat(v.path("status").asText()).isEqualTo("failed");
    assertThat(v.path("error")).isEqualTo(JSON.readTree(error));
    // Failed beats canceled, and a failure still running elsewhere is already failed.
    ObjectNode mixed = aggregate(task(DetailsMode.SUM_OVER_REPLICAS, A, B),
        node("canceled", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", null, null),
        node("failed", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", null, error));
    assertThat(mixed.path("status").asText()).isEqualTo("failed");
  }

  @Test
  void anyCanceledWithoutFailureIsCanceled() throws Exception {
    ObjectNode v = aggregate(task(DetailsMode.SUM_OVER_REPLICAS, A, B),
        node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", null, null),
        node("canceled", null, "2025-05-01T10:00:02Z", null, null));
    assertThat(v.path("status").asText()).isEqualTo("canceled");
    assertThat(v.path("error").isNull()).isTrue();
  }

  @Test
  void aNodeThatCannotBeAskedKeepsTheTaskUnfinished() throws Exception {
    ObjectNode v = aggregate(task(DetailsMode.SUM_OVER_REPLICAS, A, B),
        node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", null, null), null);
    assertThat(v.path("status").asText()).isEqualTo("processing");
    assertThat(TaskAggregator.isTerminal(v.path("status").asText())).isFalse();
  }

  @Test
  void oneNodeDetailsComeFromAPrimaryTaskAndFollowUpsCountForStatusOnly() throws Exception {
    RouterTask t = new RouterTask(8, "movies", "settingsUpdate", "2025-05-01T10:00:00Z", null, DetailsMode.ONE_NODE,
        List.of(FOLLOW_UP, A), null);
    ObjectNode pending = aggregate(t, node("enqueued", null, null, "{\"filterableAttributes\":[\"_miroir_shard\"]}", null),
        node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", "{\"searchableAttributes\":[\"title\"]}", null));
    assertThat(pending.path("status").asText()).isEqualTo("processing");
    assertThat(pending.path("details").toString()).isEqualTo("{\"searchableAttributes\":[\"title\"]}");
    ObjectNode done = aggregate(t, node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:03Z", null, null),
        node("succeeded", "2025-05-01T10:00:01Z", "2025-05-01T10:00:02Z", "{\"searchableAttributes\":[\"title\"]}", null));
    assertThat(done.path("status").asText()).isEqualTo("succeeded");
    assertThat(done.path("finishedAt").asText()).isEqualTo("2025-05-01T10:00:03Z");
  }
}
