package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Task, index, settings, drift, key and feature routes against three real nodes (RF 2). Each test uses
 * its own indexes.
 */
class RouterAdminRoutesTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static RouterTestCluster cluster;
  static MeiliHttp router;

  @BeforeAll
  static void start() {
    cluster = new RouterTestCluster(3);
    cluster.startRouter(cluster.document(1, 8, 2), 10_000_000);
    router = new MeiliHttp(URI.create(cluster.router.url()), RouterTestCluster.MASTER_KEY);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static long ok(MeiliHttp.Response r) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(202);
    return router.awaitTaskSucceeded(r.taskUid(), WAIT).path("uid").asLong();
  }

  private static void createIndex(String uid, String primaryKey) {
    ok(router.post("/indexes", primaryKey == null ? "{\"uid\":\"" + uid + "\"}"
        : "{\"uid\":\"" + uid + "\",\"primaryKey\":\"" + primaryKey + "\"}"));
  }

  /**
   * An SDK that sets filterable attributes and adds documents without waiting in between: the
   * router's own _miroir_shard bookkeeping must not replace the client's queued list.
   */
  @Test
  void documentsRightAfterAFilterableUpdateKeepTheClientsList() {
    // A large batch ahead in every node's queue keeps the settings update queued while the
    // documents arrive, which is when the race happens.
    StringBuilder blocker = new StringBuilder("[");
    for (int i = 0; i < 30_000; i++) {
      blocker.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"text\":\"filler ").append(i).append("\"}");
    }
    MeiliHttp.Response slow = router.post("/indexes/race_blocker/documents?primaryKey=id", blocker.append("]").toString());
    MeiliHttp.Response settings = router.patch("/indexes/race_a/settings", "{\"filterableAttributes\":[\"genre\"]}");
    MeiliHttp.Response docs = router.post("/indexes/race_a/documents?primaryKey=id",
        "[{\"id\":1,\"genre\":\"drama\"},{\"id\":2,\"genre\":\"comedy\"}]");
    router.awaitTaskSucceeded(slow.taskUid(), WAIT);
    router.awaitTaskSucceeded(settings.taskUid(), WAIT);
    router.awaitTaskSucceeded(docs.taskUid(), WAIT);
    for (MeilisearchProcess node : cluster.nodes) {
      MeiliHttp direct = new MeiliHttp(node.url(), RouterTestCluster.MASTER_KEY);
      JsonNode tasks = direct.get("/tasks?indexUids=race_a&statuses=enqueued,processing").requireSuccess().body();
      for (JsonNode task : tasks.path("results")) {
        direct.awaitTask(task.path("uid").asLong(), WAIT);
      }
      assertThat(direct.get("/indexes/race_a/settings/filterable-attributes").requireSuccess().body())
          .extracting(JsonNode::asText).contains("genre", "_geo._miroir_shard");
    }
    assertThat(router.get("/indexes/race_a/settings/filterable-attributes").requireSuccess().body())
        .extracting(JsonNode::asText).containsExactly("genre");
  }

  @Test
  void listTasksFiltersAndPages() {
    long created = router.post("/indexes", "{\"uid\":\"tasks_a\",\"primaryKey\":\"id\"}").taskUid();
    router.awaitTaskSucceeded(created, WAIT);
    List<Long> added = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      added.add(ok(router.post("/indexes/tasks_a/documents", "[{\"id\":" + i + "}]")));
    }
    createIndex("tasks_b", "id");

    JsonNode all = router.get("/tasks?indexUids=tasks_a").requireSuccess().body();
    assertThat(all.path("results")).extracting(t -> t.path("uid").asLong())
        .containsExactly(added.get(2), added.get(1), added.get(0), created);
    assertThat(all.path("total").asInt()).isEqualTo(4);

    JsonNode page1 = router.get("/tasks?indexUids=tasks_a&limit=2").requireSuccess().body();
    assertThat(page1.path("results")).extracting(t -> t.path("uid").asLong()).containsExactly(added.get(2), added.get(1));
    assertThat(page1.path("limit").asInt()).isEqualTo(2);
    assertThat(page1.path("from").asLong()).isEqualTo(added.get(2));
    assertThat(page1.path("next").asLong()).isEqualTo(added.get(0));
    JsonNode page2 = router.get("/tasks?indexUids=tasks_a&limit=2&from=" + page1.path("next").asLong())
        .requireSuccess().body();
    assertThat(page2.path("results")).extracting(t -> t.path("uid").asLong()).containsExactly(added.get(0), created);
    assertThat(page2.path("next").isNull()).isTrue();

    JsonNode creations = router.get("/tasks?types=indexCreation&indexUids=tasks_a,tasks_b").requireSuccess().body();
    assertThat(creations.path("results")).extracting(t -> t.path("indexUid").asText())
        .containsExactly("tasks_b", "tasks_a");
    JsonNode byUid = router.get("/tasks?uids=" + added.get(0) + "," + created).requireSuccess().body();
    assertThat(byUid.path("results")).extracting(t -> t.path("uid").asLong()).containsExactly(added.get(0), created);
    JsonNode succeeded = router.get("/tasks?statuses=succeeded&indexUids=tasks_a").requireSuccess().body();
    assertThat(succeeded.path("results")).hasSize(4);
    assertThat(router.get("/tasks?statuses=failed&indexUids=tasks_a").requireSuccess().body().path("results")).isEmpty();
  }

  @Test
  void cancelDeleteTasksAndBatches() {
    createIndex("tasks_c", "id");
    long add = ok(router.post("/indexes/tasks_c/documents", "[{\"id\":1}]"));

    MeiliHttp.Response cancel = router.post("/tasks/cancel?uids=" + add, null);
    JsonNode cancelTask = router.awaitTaskSucceeded(cancel.taskUid(), WAIT);
    assertThat(cancelTask.path("type").asText()).isEqualTo("taskCancelation");
    // The task had finished: canceling it changes nothing.
    assertThat(router.get("/tasks/" + add).requireSuccess().body().path("status").asText()).isEqualTo("succeeded");

    MeiliHttp.Response deletion = router.delete("/tasks?uids=" + add);
    JsonNode deleteTask = router.awaitTaskSucceeded(deletion.taskUid(), WAIT);
    assertThat(deleteTask.path("type").asText()).isEqualTo("taskDeletion");
    MeiliHttp.Response gone = router.get("/tasks/" + add);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.body().path("code").asText()).isEqualTo("task_not_found");

    // A filter is required, as in Meilisearch.
    assertThat(router.post("/tasks/cancel", null).body().path("code").asText()).isEqualTo("missing_task_filters");

    JsonNode batches = router.get("/batches?limit=2").requireSuccess().body();
    assertThat(batches.path("results").isArray()).isTrue();
    assertThat(batches.path("results").size()).isBetween(1, 2);
  }

  @Test
  void indexUpdateDeleteAndSwap() {
    createIndex("patch_me", null);
    ok(router.patch("/indexes/patch_me", "{\"primaryKey\":\"sku\"}"));
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/indexes/patch_me").requireSuccess().body().path("primaryKey").asText()).isEqualTo("sku");
    }
    ok(router.delete("/indexes/patch_me"));
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/indexes/patch_me").status()).isEqualTo(404);
    }
    assertThat(router.get("/indexes/patch_me").status()).isEqualTo(404);

    ok(router.post("/indexes/swap_a/documents", "[{\"id\":\"a\"}]"));
    ok(router.post("/indexes/swap_b/documents", "[{\"id\":\"b1\"},{\"id\":\"b2\"}]"));
    ok(router.post("/swap-indexes", "[{\"indexes\":[\"swap_a\",\"swap_b\"]}]"));
    assertThat(router.get("/indexes/swap_a/stats").requireSuccess().body().path("numberOfDocuments").asLong()).isEqualTo(2);
    assertThat(router.get("/indexes/swap_b/stats").requireSuccess().body().path("numberOfDocuments").asLong()).isEqualTo(1);
    long holders = cluster.nodes.processes().stream()
        .filter(n -> n.http().get("/indexes/swap_a/documents/b1").status() == 200).count();
    assertThat(holders).as("copies of b1 in swap_a").isEqualTo(2);
  }

  @Test
  void filterableAttributesKeepTheShardOnNodesAndHideIt() {
    createIndex("filters", "id");
    ok(router.put("/indexes/filters/settings/filterable-attributes", "[\"genre\"]"));
    assertThat(router.get("/indexes/filters/settings/filterable-attributes").requireSuccess().body().toString())
        .isEqualTo("[\"genre\"]");
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/indexes/filters/settings/filterable-attributes").requireSuccess().body().toString())
          .contains("genre").contains("_miroir_shard");
    }
    ok(router.delete("/indexes/filters/settings/filterable-attributes"));
    assertThat(router.get("/indexes/filters/settings/filterable-attributes").requireSuccess().body().size()).isZero();
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/indexes/filters/settings/filterable-attributes").requireSuccess().body().toString())
          .contains("_miroir_shard").doesNotContain("genre");
    }
    ok(router.put("/indexes/filters/settings/searchable-attributes", "[\"title\"]"));
    assertThat(router.get("/indexes/filters/settings/searchable-attributes").requireSuccess().body().toString())
        .isEqualTo("[\"title\"]");
    ok(router.delete("/indexes/filters/settings"));
    assertThat(router.get("/indexes/filters/settings").requireSuccess().body().path("filterableAttributes").size()).isZero();
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/indexes/filters/settings/filterable-attributes").requireSuccess().body().toString())
          .contains("_miroir_shard");
    }
  }

  @Test
  void driftIsReportedAndRepaired() {
    createIndex("drifting", "id");
    MeiliHttp node2 = cluster.nodes.get(2).http();
    node2.awaitTaskSucceeded(node2.put("/indexes/drifting/settings/searchable-attributes", "[\"title\"]").taskUid(), WAIT);

    JsonNode drift = router.get("/_miroir/indexes/drifting/drift").requireSuccess().body();
    assertThat(drift.path("consistent").asBoolean()).isFalse();
    JsonNode drifted = drift.path("nodes").get(2);
    assertThat(drifted.path("id").asText()).isEqualTo("node-2");
    assertThat(drifted.path("state").asText()).isEqualTo("drifted");
    assertThat(drifted.path("differingSettings").toString()).contains("searchableAttributes");
    assertThat(router.withKey("not-the-master-key").get("/_miroir/indexes/drifting/drift").status()).isEqualTo(403);

    MeiliHttp.Response repair = router.post("/_miroir/indexes/drifting/drift/repair", null);
    assertThat(repair.status()).as(repair.body().toString()).isEqualTo(202);
    long nodeTask = repair.body().path("repairTasks").get(0).path("task").path("taskUid").asLong();
    node2.awaitTaskSucceeded(nodeTask, WAIT);
    assertThat(router.get("/_miroir/indexes/drifting/drift").requireSuccess().body().path("consistent").asBoolean())
        .isTrue();
    assertThat(node2.get("/indexes/drifting/settings/searchable-attributes").requireSuccess().body().toString())
        .isEqualTo("[\"*\"]");
  }

  @Test
  void deleteByFilter() {
    createIndex("by_filter", "id");
    ok(router.put("/indexes/by_filter/settings/filterable-attributes", "[\"genre\"]"));
    ok(router.post("/indexes/by_filter/documents",
        "[{\"id\":1,\"genre\":\"sf\"},{\"id\":2,\"genre\":\"crime\"},{\"id\":3,\"genre\":\"sf\"}]"));
    MeiliHttp.Response deleted = router.post("/indexes/by_filter/documents/delete", "{\"filter\":\"genre = sf\"}");
    JsonNode task = router.awaitTaskSucceeded(deleted.taskUid(), WAIT);
    assertThat(task.path("details").path("deletedDocuments").asInt()).isEqualTo(2);
    assertThat(router.get("/indexes/by_filter/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(1);
    // A bad filter is the node's own error.
    MeiliHttp.Response bad = router.post("/indexes/by_filter/documents/delete", "{\"filter\":\"title = x\"}");
    assertThat(bad.status()).isEqualTo(202);
    JsonNode failed = router.awaitTask(bad.taskUid(), WAIT);
    assertThat(failed.path("status").asText()).isEqualTo("failed");
    assertThat(failed.path("error").path("code").asText()).isEqualTo("invalid_document_filter");
  }

  @Test
  void experimentalFeaturesAndKeysReachEveryNode() {
    assertThat(router.patch("/experimental-features", "{\"containsFilter\":true}").status()).isEqualTo(200);
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/experimental-features").requireSuccess().body().path("containsFilter").asBoolean())
          .isTrue();
    }
    assertThat(router.get("/experimental-features").requireSuccess().body().path("containsFilter").asBoolean()).isTrue();
    assertThat(router.patch("/experimental-features", "{\"containsFilter\":false}").status()).isEqualTo(200);

    JsonNode key = router.post("/keys", "{\"description\":\"old\",\"actions\":[\"search\"],\"indexes\":[\"*\"],"
        + "\"expiresAt\":null}").requireSuccess().body();
    String uid = key.path("uid").asText();
    assertThat(router.patch("/keys/" + uid, "{\"description\":\"new\"}").requireSuccess().body()
        .path("description").asText()).isEqualTo("new");
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/keys/" + uid).requireSuccess().body().path("description").asText()).isEqualTo("new");
    }
    assertThat(router.delete("/keys/" + uid).status()).isEqualTo(204);
    for (MeilisearchProcess node : cluster.nodes) {
      assertThat(node.http().get("/keys/" + uid).status()).isEqualTo(404);
    }
  }
}
