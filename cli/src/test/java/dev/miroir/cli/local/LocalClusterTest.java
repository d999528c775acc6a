package dev.miroir.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./miroir local up} as a library: real nodes, the router, the files it leaves behind. */
class LocalClusterTest {

  @TempDir Path dataDir;

  @Test
  void startsNodesAndRouterAndWritesThroughIt() throws Exception {
    int port = LocalClusterFixture.freeBasePort(3);
    String key = "local-test-master-key";
    LocalCluster.Spec spec = new LocalCluster.Spec(3, 2, 16, port, dataDir, key);
    LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
    try (LocalCluster cluster = LocalClusterFixture.start(spec)) {
      LocalClusterState state = LocalClusterState.read(layout.stateFile()).orElseThrow();
      assertThat(state.router()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(state.nodes()).extracting(LocalClusterState.LocalNode::id).containsExactly("n0", "n1", "n2");
      assertThat(TopologyCodec.decode(Files.readString(layout.topologyFile())).epoch()).isEqualTo(1);
      assertThat(Files.readString(layout.stateFile())).doesNotContain(key);

      MeiliHttp router = new MeiliHttp(URI.create(state.router()), key);
      router.post("/indexes", "{\"uid\":\"books\",\"primaryKey\":\"id\"}").requireSuccess();
      long task = router.post("/indexes/books/documents", "[{\"id\":1,\"t\":\"a\"},{\"id\":2,\"t\":\"b\"},{\"id\":3,\"t\":\"c\"}]").taskUid();
      assertThat(router.awaitTask(task, Duration.ofSeconds(30)).get("status").asText()).isEqualTo("succeeded");
      long stored = 0;
      for (LocalClusterState.LocalNode node : state.nodes()) {
        JsonNode stats = new MeiliHttp(URI.create(node.url()), key).get("/indexes/books/stats").body();
        stored += stats.get("numberOfDocuments").asLong();
      }
      assertThat(stored).as("3 documents, each on RF=2 nodes").isEqualTo(6);

      // One set of default keys: the same four keys, same values, on every node; listed once.
      java.util.Set<String> keySets = new java.util.HashSet<>();
      for (LocalClusterState.LocalNode node : state.nodes()) {
        JsonNode keys = new MeiliHttp(URI.create(node.url()), key).get("/keys").requireSuccess().body();
        StringBuilder set = new StringBuilder();
        keys.path("results").forEach(k -> set.append(k.path("name").asText()).append('=').append(k.path("key").asText())
            .append(';'));
        keySets.add(set.toString());
      }
      assertThat(keySets).hasSize(1);
      JsonNode listed = router.get("/keys").requireSuccess().body().path("results");
      assertThat(listed).extracting(k -> k.path("name").asText()).containsExactly("Default Search API Key",
          "Default Admin API Key", "Default Read-Only Admin API Key", "Default Chat API Key");
      String admin = listed.get(1).path("key").asText();
      for (LocalClusterState.LocalNode node : state.nodes()) {
        assertThat(new MeiliHttp(URI.create(node.url()), admin).get("/indexes/books").status()).isEqualTo(200);
      }
    }
    assertThat(Files.exists(layout.stateFile())).as("state file removed on stop").isFalse();
  }

  @Test
  void aRestartKeepsTheEpochAndTheData() throws Exception {
    int port = LocalClusterFixture.freeBasePort(2);
    LocalCluster.Spec spec = new LocalCluster.Spec(2, 1, 8, port, dataDir, "another-local-key");
    try (LocalCluster cluster = LocalClusterFixture.start(spec)) {
      MeiliHttp router = new MeiliHttp(URI.create(cluster.state().router()), spec.masterKey());
      long task = router.post("/indexes", "{\"uid\":\"kept\"}").taskUid();
      router.awaitTask(task, Duration.ofSeconds(30));
    }
    try (LocalCluster cluster = LocalClusterFixture.start(spec)) {
      assertThat(TopologyCodec.decode(Files.readString(new LocalLayout(dataDir).topologyFile())).epoch()).isEqualTo(1);
      MeiliHttp router = new MeiliHttp(URI.create(cluster.state().router()), spec.masterKey());
      assertThat(router.get("/indexes/kept").status()).isEqualTo(200);
    }
  }

  @Test
  void refusesADataDirCreatedWithOtherShards() throws Exception {
    int port = LocalClusterFixture.freeBasePort(1);
    // Only the topology is left, as after a clean stop: it keeps the shape.
    List<TopologyNode> nodes = List.of(new TopologyNode("n0", "http://127.0.0.1:2", null, NodeState.ACTIVE));
    Files.writeString(new LocalLayout(dataDir).topologyFile(), TopologyCodec.encode(
        TopologyDocument.steadyState("local", 3, nodes, Placement.compute(List.of("n0"), 32, 1))));
    LocalCluster.Spec spec = new LocalCluster.Spec(1, 1, 64, port, dataDir, "k");
    assertThatThrownBy(() -> LocalClusterFixture.start(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 shards");
    assertThatThrownBy(() -> LocalClusterFixture.start(new LocalCluster.Spec(2, 1, 32, port, dataDir, "k")))
        .hasMessageContaining("1 nodes (n0)");
  }

  @Test
  void refusesAPortInUse() throws Exception {
    try (ServerSocket busy = new ServerSocket(0)) {
      LocalCluster.Spec spec = new LocalCluster.Spec(1, 1, 8, busy.getLocalPort(), dataDir, "k");
      assertThatThrownBy(() -> LocalClusterFixture.start(spec))
          .hasMessageContaining("in use");
    }
  }
}
