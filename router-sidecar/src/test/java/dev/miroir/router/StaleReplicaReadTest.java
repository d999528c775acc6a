package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.router.http.Fleet;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RF 3 acknowledges a write on two of three replicas, so a node that was down misses acknowledged
 * writes until it has caught up. Once a client saw its write's task succeed, no search and no
 * document read may be answered by that node before it has processed what it missed: every read
 * below, from the node's restart until it is current, must see every acknowledged document.
 */
class StaleReplicaReadTest {

  static final int WRITES = 20;

  @Test
  void aReplicaThatMissedAcknowledgedWritesAnswersNoSearchUntilItProcessedThem() throws Exception {
    try (RouterTestCluster cluster = new RouterTestCluster(3)) {
      cluster.startRouter(cluster.document(1, 4, 3), 10_000_000);
      MeiliHttp router = new MeiliHttp(URI.create(cluster.router.url()), RouterTestCluster.MASTER_KEY,
          Duration.ofSeconds(60));
      String index = "stale_reads";
      router.awaitTaskSucceeded(router.post("/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}").taskUid(),
          Duration.ofSeconds(30));
      MeilisearchProcess victim = cluster.nodes.get(2);
      victim.kill();

      List<Long> tasks = new ArrayList<>();
      for (int i = 0; i < WRITES; i++) {
        HttpResponse<String> r = RouterRoutesTest.rawTo(cluster.router.url(), "POST", "/indexes/" + index + "/documents",
            "application/json", "[{\"id\":" + i + ",\"title\":\"doc " + i + "\"}]", RouterTestCluster.MASTER_KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.headers().firstValue(Fleet.LATE_NODES_HEADER)).hasValue("node-2");
        tasks.add(MeiliHttp.mapper().readTree(r.body()).path("taskUid").asLong());
      }
      for (long task : tasks) {
        router.awaitTaskSucceeded(task, Duration.ofSeconds(60));
      }

      victim.restart();
      MeiliHttp direct = victim.http();
      int searches = 0;
      int afterCurrent = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (afterCurrent < 20) {
        assertThat(System.nanoTime()).as("node-2 never caught up").isLessThan(deadline);
        JsonNode answer = router.post("/indexes/" + index + "/search", "{\"q\":\"\",\"limit\":100}").requireSuccess().body();
        searches++;
        assertThat(answer.path("hits").size()).as("hits of search %d: %s", searches, answer).isEqualTo(WRITES);
        assertThat(answer.path("estimatedTotalHits").asInt()).as("estimatedTotalHits of search %d", searches)
            .isEqualTo(WRITES);
        int id = searches % WRITES;
        assertThat(router.get("/indexes/" + index + "/documents/" + id).status()).as("GET document %d", id)
            .isEqualTo(200);
        if (afterCurrent > 0 || current(router, direct)) {
          afterCurrent++;
        }
      }
      // node-2 holds every document now, and it answered searches again (the router no longer avoids it).
      assertThat(direct.get("/indexes/" + index + "/stats").requireSuccess().body().path("numberOfDocuments").asInt())
          .isEqualTo(WRITES);
    }
  }

  private static boolean current(MeiliHttp router, MeiliHttp node) {
    boolean caughtUp = router.get("/_miroir/replicas").requireSuccess().body().path("pendingCopies").asLong() == 0;
    return caughtUp && node.get("/tasks?statuses=enqueued,processing&limit=1").requireSuccess().body()
        .path("total").asLong() == 0;
  }
}
