package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.router.parity.Target;
import dev.miroir.router.parity.Target.Answer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 items 2 and 4: tasks, batches, unknown routes and error texts answered as one real 1.21
 * node answers them (same run, same requests).
 */
class TaskApiParityTest extends RouterAndOneNodeTestBase {

  @Test
  void invalidTaskQueriesGetTheNodesErrors() {
    List<String[]> calls = new ArrayList<>();
    for (String list : List.of("/tasks", "/batches")) {
      for (String q : List.of("limit=abc", "limit=-1", "statuses=foo", "types=foo", "uids=a", "beforeEnqueuedAt=xx",
          "afterFinishedAt=2024-13-01", "from=-1", "reverse=maybe", "canceledBy=x", "batchUids=x", "indexUids=a%20b",
          "foo=1")) {
        calls.add(new String[] {"GET", list + "?" + q});
      }
    }
    for (String q : List.of("", "?limit=1", "?statuses=foo", "?uids=x", "?beforeStartedAt=never")) {
      calls.add(new String[] {"POST", "/tasks/cancel" + q});
      calls.add(new String[] {"DELETE", "/tasks" + q});
    }
    calls.add(new String[] {"GET", "/tasks/abc"});
    calls.add(new String[] {"GET", "/tasks/4294967296"});
    calls.add(new String[] {"GET", "/tasks/987654321"});
    calls.add(new String[] {"GET", "/batches/abc"});
    calls.add(new String[] {"GET", "/batches/987654321"});
    for (String[] c : calls) {
      Answer a = node.call(c[0], c[1], null, null);
      Answer b = router.call(c[0], c[1], null, null);
      assertThat(b.status()).as(c[0] + " " + c[1] + ": " + b.body()).isEqualTo(a.status());
      assertThat(b.json()).as(c[0] + " " + c[1]).isEqualTo(a.json());
    }
    Answer noKey = router.call("GET", "/tasks?limit=abc", null, null, null);
    assertThat(noKey.json()).isEqualTo(node.call("GET", "/tasks?limit=abc", null, null, null).json());
  }

  @Test
  void unknownRoutesAndMethodsAnswerWithAnEmptyBody() {
    for (String[] c : List.of(new String[] {"GET", "/nope"}, new String[] {"POST", "/indexes/x/nope"},
        new String[] {"PUT", "/health"}, new String[] {"DELETE", "/version"})) {
      Answer a = node.call(c[0], c[1], null, null);
      Answer b = router.call(c[0], c[1], null, null);
      assertThat(b.status()).as(c[0] + " " + c[1]).isEqualTo(a.status());
      assertThat(b.body()).as(c[0] + " " + c[1]).isEqualTo(a.body()).isEmpty();
    }
  }

  @Test
  void filtersSortAndPagingMatchTheNode() {
    for (Target t : new Target[] {node, router}) {
      List<Long> uids = new ArrayList<>();
      long last = 0;
      for (String index : List.of("tf_a", "tf_b")) {
        last = t.call("POST", "/indexes", "application/json", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}")
            .json().path("taskUid").asLong();
        for (int i = 0; i < 3; i++) {
          last = t.call("POST", "/indexes/" + index + "/documents", "application/json",
              "[{\"id\":" + i + "},{\"id\":" + (i + 10) + "}]").json().path("taskUid").asLong();
          uids.add(last);
        }
        last = t.call("POST", "/indexes/" + index + "/documents", "application/json", "[{\"nope\":1}]")
            .json().path("taskUid").asLong();
        uids.add(last);
      }
      uids.forEach(t::awaitTask);
    }
    for (String q : List.of("indexUids=tf_a,tf_b", "indexUids=tf_a&limit=2", "indexUids=tf_a,tf_b&reverse=true",
        "indexUids=tf_a,tf_b&statuses=failed", "indexUids=tf_b&types=indexCreation", "indexUids=tf_a&limit=0",
        "indexUids=tf_b&statuses=succeeded&limit=1", "indexUids=tf_a&afterEnqueuedAt=2020-01-01",
        "indexUids=tf_a&beforeEnqueuedAt=2020-01-01", "indexUids=tf_a,tf_b&statuses=*&types=*")) {
      JsonNode a = node.call("GET", "/tasks?" + q, null, null).json();
      JsonNode b = router.call("GET", "/tasks?" + q, null, null).json();
      assertThat(b.path("total")).as(q + " " + b).isEqualTo(a.path("total"));
      assertThat(b.path("limit")).as(q).isEqualTo(a.path("limit"));
      assertThat(b.path("results").size()).as(q).isEqualTo(a.path("results").size());
      assertThat(b.path("next").isNull()).as(q).isEqualTo(a.path("next").isNull());
      for (int i = 0; i < a.path("results").size(); i++) {
        JsonNode x = a.path("results").get(i);
        JsonNode y = b.path("results").get(i);
        for (String field : List.of("indexUid", "status", "type", "details", "error")) {
          assertThat(y.path(field)).as(q + " #" + i + " " + field).isEqualTo(x.path(field));
        }
        assertThat(y.path("batchUid").isNumber()).isTrue();
        assertThat(y.path("duration").asText()).matches("PT\\d+\\.\\d{9}S");
      }
    }
    // Paging with from/next walks the same tasks in the same order as on the node.
    JsonNode page = router.call("GET", "/tasks?indexUids=tf_a,tf_b&limit=3", null, null).json();
    JsonNode next = router.call("GET", "/tasks?indexUids=tf_a,tf_b&limit=3&from=" + page.path("next").asLong(), null,
        null).json();
    assertThat(next.path("from").asLong()).isEqualTo(page.path("next").asLong());
    assertThat(next.path("results").get(0).path("uid").asLong()).isLessThan(page.path("results").get(2).path("uid").asLong());
    // A router task is its own batch.
    long uid = page.path("results").get(0).path("uid").asLong();
    JsonNode batch = router.call("GET", "/batches/" + uid, null, null).json();
    assertThat(batch.path("uid").asLong()).isEqualTo(uid);
    assertThat(batch.path("stats").path("totalNbTasks").asInt()).isEqualTo(1);
    assertThat(router.call("GET", "/tasks?batchUids=" + uid, null, null).json().path("results").get(0).path("uid")
        .asLong()).isEqualTo(uid);
    JsonNode batches = router.call("GET", "/batches?limit=2", null, null).json();
    assertThat(batches.path("results").size()).isEqualTo(2);
  }

  @Test
  void deletingTasksByIndexForgetsTheRouterTasks() {
    long created = router.call("POST", "/indexes", "application/json", "{\"uid\":\"td_a\"}").json().path("taskUid").asLong();
    router.awaitTask(created);
    Answer deletion = router.call("DELETE", "/tasks?indexUids=td_a", null, null);
    assertThat(deletion.status()).as("as a node: 200 for a task deletion").isEqualTo(200);
    JsonNode task = router.awaitTask(deletion.json().path("taskUid").asLong());
    assertThat(task.path("details").path("matchedTasks").asInt()).isEqualTo(1);
    assertThat(task.path("details").path("deletedTasks").asInt()).isEqualTo(1);
    assertThat(task.path("details").path("originalFilter").asText()).isEqualTo("?indexUids=td_a");
    assertThat(router.call("GET", "/tasks/" + created, null, null).status()).isEqualTo(404);
    Answer cancelAll = router.call("POST", "/tasks/cancel?uids=*", null, null);
    assertThat(cancelAll.status()).as(cancelAll.body()).isEqualTo(200);
    assertThat(router.awaitTask(cancelAll.json().path("taskUid").asLong()).path("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void errorTextsNeverMentionTheShardField() {
    for (Target t : new Target[] {node, router}) {
      t.awaitTask(t.call("POST", "/indexes/et/documents", "application/json", "[{\"id\":1,\"genre\":\"x\"}]")
          .json().path("taskUid").asLong());
    }
    for (String[] c : List.of(
        new String[] {"/indexes/et/search", "{\"filter\":\"genre = x\"}"},
        new String[] {"/indexes/et/search", "{\"facets\":[\"genre\"]}"},
        new String[] {"/indexes/et/facet-search", "{\"facetName\":\"genre\"}"},
        new String[] {"/indexes/et/documents/fetch", "{\"filter\":\"genre = x\"}"},
        new String[] {"/indexes/et/search", "{\"filter\":\"_geoRadius(1,2,3)\"}"})) {
      Answer a = node.call("POST", c[0], "application/json", c[1]);
      Answer b = router.call("POST", c[0], "application/json", c[1]);
      assertThat(b.status()).as(c[0] + c[1] + b.body()).isEqualTo(a.status());
      assertThat(b.json()).as(c[0] + c[1]).isEqualTo(a.json());
    }
    for (Target t : new Target[] {node, router}) {
      t.awaitTask(t.call("PUT", "/indexes/et/settings/filterable-attributes", "application/json", "[\"a\",\"b\"]")
          .json().path("taskUid").asLong());
    }
    Answer a = node.call("POST", "/indexes/et/search", "application/json", "{\"filter\":\"genre = x\"}");
    Answer b = router.call("POST", "/indexes/et/search", "application/json", "{\"filter\":\"genre = x\"}");
    assertThat(b.json()).isEqualTo(a.json());
    a = node.call("POST", "/indexes/et/facet-search", "application/json", "{\"facetName\":\"genre\"}");
    b = router.call("POST", "/indexes/et/facet-search", "application/json", "{\"facetName\":\"genre\"}");
    assertThat(b.json()).isEqualTo(a.json());
    // A failed task's error too.
    long nodeTask = node.call("POST", "/indexes/et/documents/delete", "application/json", "{\"filter\":\"genre = x\"}")
        .json().path("taskUid").asLong();
    long routerTask = router.call("POST", "/indexes/et/documents/delete", "application/json", "{\"filter\":\"genre = x\"}")
        .json().path("taskUid").asLong();
    assertThat(router.awaitTask(routerTask).path("error")).isEqualTo(node.awaitTask(nodeTask).path("error"));
  }
}
