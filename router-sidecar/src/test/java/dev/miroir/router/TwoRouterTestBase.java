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
 * Four real nodes, a real redis-server, and routers as processes sharing it (task store and replica
 * log): the setup of the multi-router write tests.
 */
abstract class TwoRouterTestBase {

  static final String KEY = RouterTestCluster.MASTER_KEY;
  static final int SHARDS = 8;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static MeilisearchNodes nodes;
  static RedisServer redis;
  static Path topologyFile;
  static final List<TopologyNode> topologyNodes = new ArrayList<>();
  static final Map<String, MeiliHttp> direct = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    nodes = MeilisearchNodes.start(4, (i, b) -> b.masterKey(KEY).maxIndexingThreads(1));
    // Static and shared by every subclass: the second test class in a JVM must not add its nodes twice.
    topologyNodes.clear();
    direct.clear();
    for (int i = 0; i < 4; i++) {
      topologyNodes.add(new TopologyNode("node-" + i, nodes.get(i).url().toString(), null, NodeState.ACTIVE));
      direct.put("node-" + i, nodes.get(i).http());
    }
    redis = RedisServer.start();
    topologyFile = Files.createTempFile("miroir-order-topology-", ".json");
  }

  @AfterAll
  static void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
    Files.deleteIfExists(topologyFile);
  }

  static TopologyDocument publish(long epoch, int rf) throws Exception {
    Placement placement = Placement.compute(topologyNodes.stream().map(TopologyNode::id).toList(), SHARDS, rf);
    TopologyDocument doc = TopologyDocument.steadyState("order", epoch, topologyNodes, placement);
    Files.writeString(topologyFile, TopologyCodec.encode(doc));
    return doc;
  }

  static Map<String, String> routerEnv() {
    return Map.of("MIROIR_TOPOLOGY_FILE", topologyFile.toString(), "MIROIR_MASTER_KEY", KEY,
        "MIROIR_TASK_STORE", redis.url(), "MIROIR_REPLICA_LOG", "redis", "MIROIR_NODE_TIMEOUT_MS", "5000");
  }

  /** Sends a write until it is acknowledged (503 means: not acknowledged, retry). */
  static JsonNode write(String router, String method, String path, String body) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      HttpResponse<String> r = send(router, method, path, body);
      if (r.statusCode() == 202) {
        return MeiliHttp.mapper().readTree(r.body());
      }
      assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isIn(503, 0);
      assertThat(System.nanoTime()).as("write never acknowledged: %s", r.body()).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  static HttpResponse<String> send(String router, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(router + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
