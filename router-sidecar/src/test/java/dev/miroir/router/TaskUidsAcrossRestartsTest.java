package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.RedisServer;
import dev.miroir.router.task.FileTaskStore;
import dev.miroir.router.task.TaskStore;
import dev.miroir.router.topology.FileTopologySource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Router task uids outlive the router, through real routers over a real node: after restarts, and
 * across two routers sharing Redis, no uid is handed out twice and every old uid still answers with
 * its own task. Each task is an index creation with its own index uid, so a reused uid shows.
 */
class TaskUidsAcrossRestartsTest {

  static RouterTestCluster cluster;
  static RedisServer redis;

  @BeforeAll
  static void start() {
    cluster = new RouterTestCluster(1);
    cluster.writeTopology(cluster.document(1, 4, 1));
    redis = RedisServer.start();
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static RouterHandle router(TaskStore store) {
    return RouterServer.start(RouterConfig.local(0, RouterTestCluster.MASTER_KEY,
        new FileTopologySource(cluster.topologyFile, Duration.ofMillis(100))).withTaskStore(store));
  }

  private static MeiliHttp http(RouterHandle router) {
    return new MeiliHttp(URI.create(router.url()), RouterTestCluster.MASTER_KEY);
  }

  /** Creates an index through the router; records which index its task uid is for. */
  private static void createIndex(RouterHandle router, String index, Map<Long, String> indexOfUid) {
    long uid = http(router).post("/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}").taskUid();
    String earlier = indexOfUid.put(uid, index);
    assertThat(earlier).as("task uid %s handed out for %s and again for %s", uid, earlier, index).isNull();
  }

  private static void everyUidAnswersWithItsOwnTask(RouterHandle router, Map<Long, String> indexOfUid) {
    MeiliHttp http = http(router);
    indexOfUid.forEach((uid, index) -> {
      JsonNode task = http.awaitTaskSucceeded(uid, Duration.ofSeconds(30));
      assertThat(task.path("uid").asLong()).isEqualTo(uid);
      assertThat(task.path("indexUid").asText()).as("task %s", uid).isEqualTo(index);
      assertThat(task.path("type").asText()).isEqualTo("indexCreation");
    });
  }

  @Test
  void redisStoreTwoRoutersAndRestarts() {
    Supplier<TaskStore> store = () -> RouterConfig.taskStoreFrom(redis.url());
    Map<Long, String> indexOfUid = new LinkedHashMap<>();
    RouterHandle a = router(store.get());
    RouterHandle b = router(store.get());
    try {
      for (int i = 0; i < 4; i++) {
        createIndex(i % 2 == 0 ? a : b, "redis_before_" + i, indexOfUid);
      }
      a.close();
      b.close();
      a = router(store.get());
      b = router(store.get());
      for (int i = 0; i < 4; i++) {
        createIndex(i % 2 == 0 ? b : a, "redis_after_" + i, indexOfUid);
      }
      assertThat(indexOfUid).hasSize(8);
      everyUidAnswersWithItsOwnTask(a, indexOfUid);
      everyUidAnswersWithItsOwnTask(b, indexOfUid);
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void fileStoreAcrossRestarts(@TempDir Path tasksDir) {
    Map<Long, String> indexOfUid = new LinkedHashMap<>();
    RouterHandle router = router(new FileTaskStore(tasksDir, 1000));
    try {
      for (int i = 0; i < 4; i++) {
        createIndex(router, "file_before_" + i, indexOfUid);
      }
      everyUidAnswersWithItsOwnTask(router, indexOfUid);
      router.close();
      router = router(new FileTaskStore(tasksDir, 1000));
      for (int i = 0; i < 4; i++) {
        createIndex(router, "file_after_" + i, indexOfUid);
      }
      assertThat(indexOfUid).hasSize(8);
      everyUidAnswersWithItsOwnTask(router, indexOfUid);
      JsonNode listed = http(router).get("/tasks?types=indexCreation&limit=100").requireSuccess().body();
      assertThat(listed.path("results")).extracting(t -> t.path("uid").asLong())
          .containsAll(indexOfUid.keySet());
    } finally {
      router.close();
    }
  }
}
