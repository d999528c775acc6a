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
 * A node down and the sequencer router SIGKILLed while that node's copies are pending in Redis: the
 * other router takes the lease once it expires, delivers them, and nothing acknowledged is lost; every
 * replica of every shard ends identical.
 */
class WriteTakeoverTest extends TwoRouterTestBase {

  @Test
  void aNodeDownAndTheLeaderKilledLosesNoAcknowledgedWrite() throws Exception {
    TopologyDocument doc = publish(10, 3);
    String index = "takeover";
    Map<String, String> model = new LinkedHashMap<>();
    try (RouterProcess a = RouterProcess.start(routerEnv())) {
      write(a.url(), "POST", "/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}");
      try (RouterProcess b = RouterProcess.start(routerEnv())) {
        ReplicaCheck.awaitCaughtUp(a.url(), KEY, Duration.ofSeconds(30));
        nodes.get(3).kill();
        try {
        Random random = new Random(7);
        for (int n = 0; n < 15; n++) {
          ArrayNode docs = JsonNodeFactory.instance.arrayNode();
          for (int j = 0; j < 20; j++) {
            String id = Integer.toString(random.nextInt(300));
            docs.addObject().put("id", id).put("v", "w" + n);
            model.put(id, "w" + n);
          }
          // RF 3 tolerates one node down: acknowledged (degraded), node-3's copies wait in Redis.
          write(n % 2 == 0 ? a.url() : b.url(), "POST", "/indexes/" + index + "/documents", docs.toString());
        }
        JsonNode replicas = MeiliHttp.mapper().readTree(send(b.url(), "GET", "/_miroir/replicas", null).body());
        assertThat(replicas.path("pendingCopies").asLong()).as("copies waiting for node-3: %s", replicas).isPositive();
        a.kill(); // the leader (it started first), SIGKILL, with node-3's copies pending
        } finally {
          nodes.get(3).restart();
        }
        // The surviving router takes the lease once it expires and delivers what node-3 missed.
        ReplicaCheck.awaitCaughtUp(b.url(), KEY, Duration.ofSeconds(60));
        ReplicaCheck.awaitNodesIdle(direct, Duration.ofSeconds(60));
        Map<String, JsonNode> docs = ReplicaCheck.assertReplicasIdentical(doc, direct, index);
        assertThat(docs.keySet()).containsExactlyInAnyOrderElementsOf(model.keySet());
        model.forEach((id, v) -> assertThat(docs.get(id).path("v").asText()).as("document %s", id).isEqualTo(v));
        JsonNode after = MeiliHttp.mapper().readTree(send(b.url(), "GET", "/_miroir/replicas", null).body());
        assertThat(after.path("sequencer").asText()).isEqualTo("self");
        after.path("results").forEach(r -> assertThat(r.path("needsRepair").asBoolean()).as("%s", r).isFalse());
      }
    }
  }
}
