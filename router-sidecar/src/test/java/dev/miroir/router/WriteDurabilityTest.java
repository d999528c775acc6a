package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One router process with its replica log in files, RF 3 over four nodes. A node SIGKILLed during a
 * stream of writes and restarted; then a node down and the router itself SIGKILLed while that node's
 * copies are pending, and restarted over the same log: every write that was acknowledged, and every
 * write that got a 503 (its copies were logged), ends up on every replica, and all replicas of every
 * shard are identical.
 */
class WriteDurabilityTest {

  static final String KEY = RouterTestCluster.MASTER_KEY;
  static final int SHARDS = 8;

  static MeilisearchNodes nodes;
  static Path topologyFile;
  static Path logDir;
  static TopologyDocument doc;
  static final Map<String, MeiliHttp> direct = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    nodes = MeilisearchNodes.start(4, (i, b) -> b.masterKey(KEY).maxIndexingThreads(1));
    List<TopologyNode> topologyNodes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      topologyNodes.add(new TopologyNode("node-" + i, nodes.get(i).url().toString(), null, NodeState.ACTIVE));
      direct.put("node-" + i, nodes.get(i).http());
    }
    doc = TopologyDocument.steadyState("durable", 1, topologyNodes,
        Placement.compute(topologyNodes.stream().map(TopologyNode::id).toList(), SHARDS, 3));
    topologyFile = Files.createTempFile("miroir-durable-topology-", ".json");
    Files.writeString(topologyFile, TopologyCodec.encode(doc));
    logDir = Files.createTempDirectory("miroir-replica-log-");
  }

  @AfterAll
  static void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    Files.deleteIfExists(topologyFile);
  }

  @Test
  void nodeAndRouterKilledLoseNothingThatWasSequenced() throws Exception {
    Map<String, String> env = Map.of("MIROIR_TOPOLOGY_FILE", topologyFile.toString(), "MIROIR_MASTER_KEY", KEY,
        "MIROIR_REPLICA_LOG", "file:" + logDir.resolve("log"), "MIROIR_NODE_TIMEOUT_MS", "5000");
    String index = "durable";
    Map<String, String> model = new LinkedHashMap<>();
    Random random = new Random(11);
    int acknowledged = 0;
    int degraded = 0;
    try (RouterProcess router = RouterProcess.start(env)) {
      TwoRouterTestBase.write(router.url(), "POST", "/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}");

      // Phase 1: node-2 SIGKILLed during writes, restarted a few writes later.
      for (int n = 0; n < 30; n++) {
        if (n == 5) {
          nodes.get(2).kill();
        }
        if (n == 15) {
          nodes.get(2).restart();
        }
        HttpResponse<String> r = writeBatch(router.url(), index, "p1-" + n, random, model);
        assertThat(r.statusCode()).as(r.body()).isIn(202, 503);
        if (r.statusCode() == 202) {
          acknowledged++;
          degraded += r.headers().firstValue("X-Miroir-Degraded-Shards").isPresent() ? 1 : 0;
        }
      }
      assertThat(acknowledged).as("RF 3 acknowledges with one node down").isEqualTo(30);
      assertThat(degraded).as("writes acknowledged while node-2 was down").isPositive();
      ReplicaCheck.awaitCaughtUp(router.url(), KEY, Duration.ofSeconds(60));

      // Phase 2: node-1 down, writes pile up for it, then the router is SIGKILLed.
      nodes.get(1).kill();
      for (int n = 0; n < 10; n++) {
        HttpResponse<String> r = writeBatch(router.url(), index, "p2-" + n, random, model);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      }
      JsonNode replicas = MeiliHttp.mapper().readTree(TwoRouterTestBase.send(router.url(), "GET", "/_miroir/replicas",
          null).body());
      JsonNode node1 = null;
      for (JsonNode n : replicas.path("results")) {
        if (n.path("nodeId").asText().equals("node-1")) {
          node1 = n;
        }
      }
      assertThat(node1).isNotNull();
      assertThat(node1.path("pendingCopies").asLong()).as("node-1's pending copies: %s", replicas).isPositive();
      router.kill();
      nodes.get(1).restart();
      router.launch(); // same replica log directory: it finishes what the killed router could not
      ReplicaCheck.awaitCaughtUp(router.url(), KEY, Duration.ofSeconds(60));
      ReplicaCheck.awaitNodesIdle(direct, Duration.ofSeconds(60));
      Map<String, JsonNode> docs = ReplicaCheck.assertReplicasIdentical(doc, direct, index);
      assertThat(docs.keySet()).containsExactlyInAnyOrderElementsOf(model.keySet());
      model.forEach((id, v) -> assertThat(docs.get(id).path("v").asText()).as("document %s", id).isEqualTo(v));
    }
  }

  private static HttpResponse<String> writeBatch(String router, String index, String value, Random random,
      Map<String, String> model) throws Exception {
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (int j = 0; j < 20; j++) {
      String id = Integer.toString(random.nextInt(300));
      docs.addObject().put("id", id).put("v", value);
    }
    HttpResponse<String> r = TwoRouterTestBase.send(router, "POST", "/indexes/" + index + "/documents", docs.toString());
    if (r.statusCode() == 202 || r.statusCode() == 503) {
      // A 503 is not acknowledged but not undone: its logged copies are delivered like any other's.
      docs.forEach(d -> model.put(d.path("id").asText(), value));
    }
    return r;
  }
}
