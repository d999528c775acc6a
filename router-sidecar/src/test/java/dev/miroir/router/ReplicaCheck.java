package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.local.MeiliHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares the replicas of every shard, node by node, straight from the nodes (master key): each
 * owner's documents of shard s ({@code _geo._miroir_shard = s}, indexes made through the router), sorted by id, in canonical JSON.
 */
final class ReplicaCheck {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ReplicaCheck() {}

  /** Waits until no node has a task enqueued or processing. */
  static void awaitNodesIdle(Map<String, MeiliHttp> nodes, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (MeiliHttp node : nodes.values()) {
      while (node.get("/tasks?statuses=enqueued,processing&limit=1").requireSuccess().body().path("total").asLong() > 0) {
        assertThat(System.nanoTime()).as("node tasks still running").isLessThan(deadline);
        Thread.sleep(100);
      }
    }
  }

  /** Waits until the router (or the sequencer it forwards to) has no copy left to deliver. */
  static void awaitCaughtUp(String routerUrl, String masterKey, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(routerUrl + "/_miroir/replicas"))
          .header("Authorization", "Bearer " + masterKey).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        last = MeiliHttp.mapper().readTree(r.body());
        if (last.path("pendingCopies").asLong() == 0) {
          return;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("copies still pending at " + routerUrl + ": " + last);
  }

  /**
   * Per shard, per owner: the canonical sorted documents. Asserts that every owner of every shard
   * holds the same, and returns the documents (id → canonical JSON, without the shard stamp) of the
   * whole index as the first owner of each shard holds them.
   */
  static Map<String, JsonNode> assertReplicasIdentical(
      TopologyDocument doc, Map<String, MeiliHttp> nodes, String index) throws Exception {
    Map<String, JsonNode> all = new TreeMap<>();
    List<String> divergent = new ArrayList<>();
    for (int shard = 0; shard < doc.shards(); shard++) {
      String reference = null;
      String referenceNode = null;
      for (String owner : doc.assignment(shard).writeTargets()) {
        Map<String, JsonNode> docs = shardDocuments(nodes.get(owner), index, shard);
        String canonical = CANONICAL.writeValueAsString(CANONICAL.treeToValue(
            CANONICAL.valueToTree(docs), Object.class));
        if (reference == null) {
          reference = canonical;
          referenceNode = owner;
          docs.forEach((id, d) -> {
            ObjectNode copy = ((ObjectNode) d).deepCopy();
            copy.remove(dev.miroir.router.search.ShardStamp.FIELDS);
            all.put(id, copy);
          });
        } else if (!reference.equals(canonical)) {
          divergent.add("shard " + shard + ": " + referenceNode + " vs " + owner);
        }
      }
    }
    assertThat(divergent).as("divergent shards").isEmpty();
    return all;
  }

  static Map<String, JsonNode> shardDocuments(MeiliHttp node, String index, int shard) throws Exception {
    Map<String, JsonNode> out = new TreeMap<>();
    int offset = 0;
    while (true) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.put("filter", "_geo._miroir_shard = " + shard);
      body.put("limit", 1000);
      body.put("offset", offset);
      JsonNode page = node.post("/indexes/" + index + "/documents/fetch", body).requireSuccess().body();
      for (JsonNode d : page.path("results")) {
        out.put(d.path("id").asText(), d);
      }
      offset += 1000;
      if (offset >= page.path("total").asLong()) {
        return out;
      }
    }
  }
}
