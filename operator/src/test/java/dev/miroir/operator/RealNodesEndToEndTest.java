package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.nodes.HttpNodeAdmin;
import dev.miroir.operator.reconcile.OperatorSettings;
import dev.miroir.operator.testing.Await;
import dev.miroir.operator.testing.LoopbackNodeUrls;
import dev.miroir.operator.testing.MockApiServer;
import dev.miroir.operator.testing.Repo;
import dev.miroir.operator.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end with real Meilisearch 1.21 processes: the test kubelet turns each node StatefulSet into
 * a live process, so the published topology must point at healthy nodes that hold the default keys,
 * and the operator's document check (GET /stats through {@link HttpNodeAdmin}) must keep a scale
 * change pending once documents exist.
 *
 * <p>Indexing and searching through a router over this topology: {@link RouterEndToEndTest} (the
 * router runs there as a child JVM; its Vert.x 5 must never reach this classpath).
 */
class RealNodesEndToEndTest {

  private static final String NS = "e2e";
  private static final Duration CONVERGE = Duration.ofSeconds(120);

  private static MockApiServer api;
  private static TestKubelet kubelet;

  @BeforeAll
  static void start() {
    api = new MockApiServer();
    LoopbackNodeUrls urls = new LoopbackNodeUrls();
    api.startOperator(new OperatorSettings("example.org/miroir-router:test", Duration.ofSeconds(1), Set.of(),
        urls, new HttpNodeAdmin(Duration.ofSeconds(5))));
    kubelet = new TestKubelet(api.client(), NS, urls, true).start();
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
    api.close();
  }

  @Test
  void topologyPointsAtLiveNodesWithSharedKeysAndScaleWaitsForData() {
    api.apply(Repo.path("samples/minimal.yaml"), NS);
    MeiliClusterStatus ready = Await.until("cluster Ready", CONVERGE, () -> {
      MeiliCluster c = cluster();
      return c.getStatus() != null && "Ready".equals(c.getStatus().getPhase()) ? c.getStatus() : null;
    });
    assertThat(ready.getReadyReplicas()).isEqualTo(3);
    TopologyDocument doc = topology();
    assertThat(doc.nodes()).hasSize(3);

    String masterKey = secret(ClusterNames.masterKeySecret("demo"), ClusterNames.MASTER_KEY_SECRET_KEY);
    String adminKey = secret(ClusterNames.apiKeysSecret("demo"), ClusterNames.ADMIN_KEY);
    String searchKey = secret(ClusterNames.apiKeysSecret("demo"), ClusterNames.SEARCH_KEY);
    String adminUid = secret(ClusterNames.apiKeysSecret("demo"), ClusterNames.ADMIN_KEY_UID);
    String searchUid = secret(ClusterNames.apiKeysSecret("demo"), ClusterNames.SEARCH_KEY_UID);

    for (TopologyNode node : doc.nodes()) {
      MeiliHttp http = new MeiliHttp(URI.create(node.url()), masterKey);
      assertThat(http.withKey(null).get("/health").body().path("status").asText()).isEqualTo("available");
      // Same uid on every node gives the same key value, as published in the Secret.
      Await.until("keys on " + node.id(), CONVERGE, () -> http.get("/keys/" + adminUid).isSuccess());
      assertThat(http.get("/keys/" + adminUid).body().path("key").asText()).isEqualTo(adminKey);
      assertThat(http.get("/keys/" + searchUid).body().path("key").asText()).isEqualTo(searchKey);
    }

    // Write one document straight to its shard's owners with the admin key; read it with the search key.
    String id = "doc-42";
    ShardAssignment shard = doc.assignment(ShardHash.shardOfId(id, doc.shards()));
    for (String owner : shard.writeTargets()) {
      MeiliHttp http = new MeiliHttp(URI.create(doc.node(owner).orElseThrow().url()), adminKey);
      long task = http.post("/indexes/movies/documents?primaryKey=id",
          List.of(Map.of("id", id, "title", "Miroir"))).requireSuccess().taskUid();
      http.awaitTaskSucceeded(task, Duration.ofSeconds(60));
      JsonNode hits = new MeiliHttp(URI.create(doc.node(owner).orElseThrow().url()), searchKey)
          .post("/indexes/movies/search", Map.of("q", "miroir")).requireSuccess().body().path("hits");
      assertThat(hits).hasSize(1);
    }

    // Documents exist now: growing the cluster must not publish a placement that hides them.
    api.client().resources(MeiliCluster.class).inNamespace(NS).withName("demo").scale(4);
    MeiliClusterStatus pending = Await.until("scale pending", CONVERGE, () -> {
      MeiliClusterStatus s = cluster().getStatus();
      return "ScalePending".equals(s.getPhase()) ? s : null;
    });
    assertThat(pending.getPendingChange().getReason()).isEqualTo("DataMoveRequired");
    assertThat(pending.getPendingChange().getGainingNodes()).contains("demo-3");
    assertThat(topology().epoch()).isEqualTo(doc.epoch());
    assertThat(topology().nodes()).hasSize(3);
  }

  private static MeiliCluster cluster() {
    return api.client().resources(MeiliCluster.class).inNamespace(NS).withName("demo").get();
  }

  private static TopologyDocument topology() {
    return TopologyCodec.decode(api.client().configMaps().inNamespace(NS)
        .withName(ClusterNames.topologyConfigMap("demo")).get().getData().get(TopologyCodec.DATA_KEY));
  }

  private static String secret(String name, String key) {
    Secret secret = api.client().secrets().inNamespace(NS).withName(name).get();
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
