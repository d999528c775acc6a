package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.local.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two router processes sharing one Redis: one is elected the write sequencer, the other forwards
 * writes to it. Four writers at once over the same 500 ids (replace, partial update, delete by id,
 * delete by filter), each alternating between the two routers and waiting for each 202: afterwards
 * every replica of every shard holds exactly the same documents (RF 2 and RF 3), and each writer's own
 * last write is what every replica holds and what a read through either router returns.
 */
class WriteOrderTest extends TwoRouterTestBase {

  @Test
  void fourWritersThroughTwoRoutersLeaveEveryReplicaIdenticalWithRf2AndRf3() throws Exception {
    for (int rf : new int[] {2, 3}) {
      TopologyDocument doc = publish(rf, rf);
      try (RouterProcess a = RouterProcess.start(routerEnv()); RouterProcess b = RouterProcess.start(routerEnv())) {
        String index = "order_rf" + rf;
        List<String> routers = List.of(a.url(), b.url());
        write(a.url(), "POST", "/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}");
        write(b.url(), "PUT", "/indexes/" + index + "/settings/filterable-attributes", "[\"bucket\"]");

        Map<String, Integer> lastOwn = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> writers = new ArrayList<>();
        for (String kind : List.of("replace", "update", "delete", "filter")) {
          writers.add(pool.submit(() -> {
            runWriter(kind, index, routers, lastOwn);
            return null;
          }));
        }
        for (Future<?> w : writers) {
          w.get();
        }
        pool.shutdown();

        ReplicaCheck.awaitCaughtUp(a.url(), KEY, Duration.ofSeconds(60));
        ReplicaCheck.awaitNodesIdle(direct, Duration.ofSeconds(60));
        Map<String, JsonNode> docs = ReplicaCheck.assertReplicasIdentical(doc, direct, index);
        assertThat(docs.size()).as("documents left after the writers").isGreaterThan(4);
        for (Map.Entry<String, Integer> own : lastOwn.entrySet()) {
          assertThat(docs.get(own.getKey())).as("%s on every replica", own.getKey()).isNotNull();
          assertThat(docs.get(own.getKey()).path("n").asInt()).as("last write of %s", own.getKey())
              .isEqualTo(own.getValue());
          // Through the other router too: a writer reads its own last write.
          JsonNode read = MeiliHttp.mapper().readTree(send(b.url(), "GET", "/indexes/" + index + "/documents/"
              + own.getKey(), null).body());
          assertThat(read.path("n").asInt()).isEqualTo(own.getValue());
        }
      }
    }
  }

  private static void runWriter(String kind, String index, List<String> routers, Map<String, Integer> lastOwn)
      throws Exception {
    Random random = new Random(kind.hashCode());
    String own = "own-" + kind;
    for (int n = 1; n <= 10; n++) {
      String router = routers.get((n + kind.length()) % 2);
      ArrayNode docs = JsonNodeFactory.instance.arrayNode();
      switch (kind) {
        case "replace" -> {
          for (int j = 0; j < 20; j++) {
            int id = random.nextInt(500);
            docs.addObject().put("id", id).put("bucket", id % 10).put("a", n).put("v", "replace-" + n);
          }
          docs.addObject().put("id", own).put("bucket", 99).put("n", n);
          write(router, "POST", "/indexes/" + index + "/documents", docs.toString());
        }
        case "update" -> {
          for (int j = 0; j < 20; j++) {
            docs.addObject().put("id", random.nextInt(500)).put("b", n);
          }
          docs.addObject().put("id", own).put("bucket", 99).put("n", n);
          write(router, "PUT", "/indexes/" + index + "/documents", docs.toString());
        }
        case "delete" -> {
          ArrayNode ids = JsonNodeFactory.instance.arrayNode();
          for (int j = 0; j < 10; j++) {
            ids.add(random.nextInt(500));
          }
          write(router, "POST", "/indexes/" + index + "/documents/delete-batch", ids.toString());
          write(routers.get((n + 1) % 2), "DELETE", "/indexes/" + index + "/documents/" + random.nextInt(500), null);
          docs.addObject().put("id", own).put("bucket", 99).put("n", n);
          write(router, "POST", "/indexes/" + index + "/documents", docs.toString());
        }
        default -> {
          ObjectNode filter = JsonNodeFactory.instance.objectNode().put("filter", "bucket = " + random.nextInt(10));
          write(router, "POST", "/indexes/" + index + "/documents/delete", filter.toString());
          docs.addObject().put("id", own).put("bucket", 99).put("n", n);
          write(routers.get((n + 1) % 2), "POST", "/indexes/" + index + "/documents", docs.toString());
        }
      }
      lastOwn.put(own, n);
    }
  }
}
