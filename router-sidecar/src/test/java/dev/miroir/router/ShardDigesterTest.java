package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.DigestDiff;
import dev.miroir.core.digest.DocumentDigests;
import dev.miroir.core.digest.ShardDigest;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.router.consistency.ShardDigester;
import dev.miroir.router.node.NodeClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The digester against real nodes: it reads every page of a shard, ignores the router's shard stamp
 * and the nodes' key order, so two replicas written through the router digest equal, and equal to a
 * digest of the documents as the client sent them; one document changed on one node changes that
 * shard's digest on that node only, and the per-document digests name it.
 */
class ShardDigesterTest {

  static final int SHARDS = 4;
  static final int DOCS = 1_200;
  static final String INDEX = "digested";
  static RouterTestCluster cluster;
  static TopologyDocument doc;
  static Vertx vertx;
  static NodeClient client;
  static final List<ObjectNode> sent = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = new RouterTestCluster(2);
    doc = cluster.document(1, SHARDS, 2);
    cluster.startRouter(doc, 100_000_000);
    MeiliHttp router = new MeiliHttp(URI.create(cluster.router.url()), RouterTestCluster.MASTER_KEY, Duration.ofSeconds(60));
    router.awaitTaskSucceeded(router.post("/indexes", "{\"uid\":\"" + INDEX + "\",\"primaryKey\":\"id\"}").taskUid(),
        Duration.ofSeconds(30));
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < DOCS; i++) {
      ObjectNode d = docs.addObject();
      d.put("title", "Doc " + i).put("id", i % 3 == 0 ? "s" + i : Integer.toString(i)).put("rank", i * 0.5);
      d.putObject("meta").put("z", i % 5).putArray("tags").add("t" + (i % 7));
      sent.add(d);
    }
    router.awaitTaskSucceeded(router.post("/indexes/" + INDEX + "/documents", docs.toString()).taskUid(),
        Duration.ofSeconds(120));
    vertx = Vertx.vertx();
    client = new NodeClient(vertx, Duration.ofSeconds(30), new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static ShardDigester digester(int pageSize) {
    return new ShardDigester(vertx, client, "Bearer " + RouterTestCluster.MASTER_KEY, pageSize);
  }

  static ShardDigest expected(int shard) {
    ShardDigest.Builder b = ShardDigest.builder();
    for (ObjectNode d : sent) {
      if (ShardHash.shardOfId(d.get("id").asText(), SHARDS) == shard) {
        b.addJson(d.toString(), "id");
      }
    }
    return b.build();
  }

  @Test
  void replicasWrittenThroughTheRouterDigestEqualAndEqualToWhatTheClientSent() {
    ShardDigester digester = digester(97);
    long total = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      ShardDigest want = expected(shard);
      assertThat(want.count()).as("shard %d has documents", shard).isGreaterThan(97);
      for (TopologyNode node : cluster.topologyNodes) {
        ShardDigest got = digester.digest(node, INDEX, shard).await();
        assertThat(got).as("shard %d on %s", shard, node.id()).isEqualTo(want);
      }
      total += want.count();
    }
    assertThat(total).isEqualTo(DOCS);
    // Page size changes nothing but the number of calls.
    assertThat(digester(ShardDigester.DEFAULT_PAGE_SIZE).digest(cluster.topologyNodes.get(0), INDEX, 1).await())
        .isEqualTo(expected(1));
  }

  @Test
  void aDocumentChangedOnOneNodeChangesOnlyThatReplicasDigest() {
    String id = "7";
    int shard = ShardHash.shardOfId(id, SHARDS);
    MeiliHttp node1 = cluster.nodes.get(1).http();
    ObjectNode changed = JsonNodeFactory.instance.objectNode().put("id", id).put("title", "changed behind the router")
        .put("_geo._miroir_shard", shard);
    node1.awaitTaskSucceeded(node1.post("/indexes/" + INDEX + "/documents", "[" + changed + "]").taskUid(),
        Duration.ofSeconds(30));
    try {
      ShardDigester digester = digester(500);
      ShardDigest on0 = digester.digest(cluster.topologyNodes.get(0), INDEX, shard).await();
      ShardDigest on1 = digester.digest(cluster.topologyNodes.get(1), INDEX, shard).await();
      assertThat(on0).isEqualTo(expected(shard));
      assertThat(on1.count()).isEqualTo(on0.count());
      assertThat(on1.digest()).isNotEqualTo(on0.digest());
      int other = (shard + 1) % SHARDS;
      assertThat(digester.digest(cluster.topologyNodes.get(1), INDEX, other).await()).isEqualTo(expected(other));

      DocumentDigests a = digester.documentDigests(cluster.topologyNodes.get(0), INDEX, shard).await();
      DocumentDigests b = digester.documentDigests(cluster.topologyNodes.get(1), INDEX, shard).await();
      DigestDiff diff = b.diffAgainst(a);
      assertThat(diff.differing()).containsExactly(id);
      assertThat(diff.missing()).isEmpty();
      assertThat(diff.extra()).isEmpty();
    } finally {
      ObjectNode original = sent.stream().filter(d -> d.get("id").asText().equals(id)).findFirst().orElseThrow()
          .deepCopy().put("_geo._miroir_shard", shard);
      node1.awaitTaskSucceeded(node1.put("/indexes/" + INDEX + "/documents", "[" + original + "]").taskUid(),
          Duration.ofSeconds(30));
    }
  }
}
