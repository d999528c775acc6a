package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.RedisServer;
import dev.miroir.router.task.NodeTaskRef;
import dev.miroir.router.task.RedisTaskStore;
import dev.miroir.router.task.RouterTask;
import dev.miroir.router.task.RouterTask.DetailsMode;
import dev.miroir.router.task.TaskUids;
import dev.miroir.router.topology.FileTopologySource;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis-backed task store against a real redis-server, alone and under two routers. */
class RedisTaskStoreTest {

  static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  private static RedisTaskStore store(String prefix) {
    return new RedisTaskStore(redis.url(), prefix, Duration.ofHours(1), 5);
  }

  @Test
  void uidsAreUniqueAcrossStoresSharingRedisAndFitAnInt() throws Exception {
    try (RedisTaskStore a = store("uids:"); RedisTaskStore b = store("uids:")) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Long>> uids = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
          RedisTaskStore s = i % 2 == 0 ? a : b;
          uids.add(pool.submit(s::nextUid));
        }
        Set<Long> seen = new HashSet<>();
        for (Future<Long> uid : uids) {
          long value = uid.get();
          assertThat(value).isPositive().isLessThan(Integer.MAX_VALUE);
          assertThat(seen.add(value)).as("uid %s handed out twice", value).isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * The counter outlives the routers; a Redis that lost its data (or its last second, with
   * appendfsync everysec) is raised back above every uid the routers still running handed out, and a
   * router that starts against an empty Redis starts at the clock floor.
   */
  @Test
  void uidsAreNeverReusedAfterARouterRestartOrARedisThatLostItsData() {
    Set<Long> seen = new HashSet<>();
    try (RedisTaskStore live = store("loss:")) {
      try (RedisTaskStore before = store("loss:")) {
        for (int i = 0; i < 20; i++) {
          assertThat(seen.add(before.nextUid())).isTrue();
          assertThat(seen.add(live.nextUid())).isTrue();
        }
      }
      // A router restart: a new store over the same Redis.
      try (RedisTaskStore restarted = store("loss:")) {
        for (int i = 0; i < 20; i++) {
          assertThat(seen.add(restarted.nextUid())).as("reused after a router restart").isTrue();
        }
      }
      // The router that stays up carries on; then Redis loses the counter under it.
      for (int i = 0; i < 5; i++) {
        assertThat(seen.add(live.nextUid())).isTrue();
      }
      long highest = seen.stream().mapToLong(Long::longValue).max().orElseThrow();
      redis.call("DEL", "loss:tasks:uid");
      long next = live.nextUid();
      assertThat(next).isGreaterThan(highest);
      assertThat(seen.add(next)).isTrue();
      redis.call("DEL", "loss:tasks:uid");
      try (RedisTaskStore fresh = store("loss:")) {
        assertThat(fresh.nextUid()).isGreaterThanOrEqualTo(TaskUids.clockFloor(java.time.Instant.now()) - 4);
      }
    }
  }

  @Test
  void tasksRoundTripPageAndAreBounded() {
    try (RedisTaskStore s = store("roundtrip:")) {
      List<Long> uids = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        long uid = s.nextUid();
        uids.add(uid);
        ObjectNode details = JsonNodeFactory.instance.objectNode().put("receivedDocuments", i);
        s.put(new RouterTask(uid, "idx", "documentAdditionOrUpdate", "2025-01-01T00:00:00Z", details,
            DetailsMode.SUM_OVER_REPLICAS, List.of(new NodeTaskRef("node-0", "http://127.0.0.1:1", 40 + i, true)), null));
      }
      long last = uids.get(6);
      RouterTask read = s.get(last).orElseThrow();
      assertThat(read.details().path("receivedDocuments").asInt()).isEqualTo(6);
      assertThat(read.nodeTasks()).containsExactly(new NodeTaskRef("node-0", "http://127.0.0.1:1", 46, true));
      assertThat(read.detailsMode()).isEqualTo(DetailsMode.SUM_OVER_REPLICAS);

      ObjectNode view = JsonNodeFactory.instance.objectNode().put("status", "succeeded");
      s.put(read.withFinalView(view));
      assertThat(s.get(last).orElseThrow().finalView()).isEqualTo(view);

      // Capacity 5: the two oldest uids left the listing.
      assertThat(s.size()).isEqualTo(5);
      assertThat(s.listDescending(Long.MAX_VALUE, 3)).extracting(RouterTask::uid)
          .containsExactly(uids.get(6), uids.get(5), uids.get(4));
      assertThat(s.listDescending(uids.get(4), 10)).extracting(RouterTask::uid)
          .containsExactly(uids.get(4), uids.get(3), uids.get(2));

      s.remove(List.of(uids.get(5), uids.get(3)));
      assertThat(s.get(uids.get(5))).isEmpty();
      assertThat(s.listDescending(Long.MAX_VALUE, 10)).extracting(RouterTask::uid)
          .containsExactly(uids.get(6), uids.get(4), uids.get(2));
    }
  }

  /** A task enqueued through router A is readable through router B and after A restarts. */
  @Test
  void taskIsReadableFromAnotherRouterAndAfterRestart() {
    try (RouterTestCluster cluster = new RouterTestCluster(1)) {
      cluster.writeTopology(cluster.document(1, 4, 1));
      RouterHandle a = startRouter(cluster);
      RouterHandle b = startRouter(cluster);
      try {
        MeiliHttp viaA = new MeiliHttp(URI.create(a.url()), RouterTestCluster.MASTER_KEY);
        MeiliHttp viaB = new MeiliHttp(URI.create(b.url()), RouterTestCluster.MASTER_KEY);
        long created = viaA.post("/indexes", "{\"uid\":\"shared_tasks\",\"primaryKey\":\"id\"}").taskUid();
        long added = viaB.post("/indexes/shared_tasks/documents", "[{\"id\":1}]").taskUid();
        assertThat(added).isNotEqualTo(created);
        assertThat(viaB.awaitTaskSucceeded(created, Duration.ofSeconds(30)).path("type").asText())
            .isEqualTo("indexCreation");
        viaA.awaitTaskSucceeded(added, Duration.ofSeconds(30));
        a.close();
        a = startRouter(cluster);
        viaA = new MeiliHttp(URI.create(a.url()), RouterTestCluster.MASTER_KEY);
        JsonNode afterRestart = viaA.get("/tasks/" + created).requireSuccess().body();
        assertThat(afterRestart.path("status").asText()).isEqualTo("succeeded");
        JsonNode list = viaA.get("/tasks?indexUids=shared_tasks").requireSuccess().body();
        assertThat(list.path("results")).extracting(t -> t.path("uid").asLong()).containsExactly(added, created);
      } finally {
        a.close();
        b.close();
      }
    }
  }

  private static RouterHandle startRouter(RouterTestCluster cluster) {
    return RouterServer.start(RouterConfig.local(0, RouterTestCluster.MASTER_KEY,
            new FileTopologySource(cluster.topologyFile, Duration.ofMillis(100)))
        .withTaskStore(RouterConfig.taskStoreFrom(redis.url())));
  }
}
