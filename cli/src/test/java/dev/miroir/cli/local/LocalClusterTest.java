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
import dev.miroir.router.RouterConfig;
import dev.miroir.router.RouterServer;
import dev.miroir.router.topology.FileTopologySource;
import java.io.PrintWriter;
import java.io.StringWriter;
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

  static final LocalCluster.RouterStarter ROUTER =
      (port, topology, key) -> RouterServer.start(RouterConfig.local(port, key, new FileTopologySource(topology)));

  static int freeBasePort(int count) throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base;
      try (ServerSocket socket = new ServerSocket(0)) {
        base = socket.getLocalPort();
      }
      if (base + count > 65000) {
        continue;
      }
      boolean free = true;
      for (int p = base; p <= base + count && free; p++) {
        try (ServerSocket probe = new ServerSocket(p)) {
          probe.setReuseAddress(true);
        } catch (Exception e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range");
  }

  @Test
  void startsNodesAndRouterAndWritesThroughIt() throws Exception {
    int port = freeBasePort(3);
    String key = "local-test-master-key";
    LocalCluster.Spec spec = new LocalCluster.Spec(3, 2, 16, port, dataDir, key);
    LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
    try (LocalCluster cluster = LocalCluster.start(spec, ROUTER, new PrintWriter(new StringWriter()))) {
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
    int port = freeBasePort(2);
    LocalCluster.Spec spec = new LocalCluster.Spec(2, 1, 8, port, dataDir, "another-local-key");
    try (LocalCluster cluster = LocalCluster.start(spec, ROUTER, new PrintWriter(new StringWriter()))) {
      MeiliHttp router = new MeiliHttp(URI.create(cluster.state().router()), spec.masterKey());
      long task = router.post("/indexes", "{\"uid\":\"kept\"}").taskUid();
      router.awaitTask(task, Duration.ofSeconds(30));
    }
    try (LocalCluster cluster = LocalCluster.start(spec, ROUTER, new PrintWriter(new StringWriter()))) {
      assertThat(TopologyCodec.decode(Files.readString(new LocalLayout(dataDir).topologyFile())).epoch()).isEqualTo(1);
      MeiliHttp router = new MeiliHttp(URI.create(cluster.state().router()), spec.masterKey());
      assertThat(router.get("/indexes/kept").status()).isEqualTo(200);
    }
  }

  @Test
  void refusesADataDirCreatedWithOtherShards() throws Exception {
    int port = freeBasePort(1);
    // Only the topology is left, as after a clean stop: it keeps the shape.
    List<TopologyNode> nodes = List.of(new TopologyNode("n0", "http://127.0.0.1:2", null, NodeState.ACTIVE));
    Files.writeString(new LocalLayout(dataDir).topologyFile(), TopologyCodec.encode(
        TopologyDocument.steadyState("local", 3, nodes, Placement.compute(List.of("n0"), 32, 1))));
    LocalCluster.Spec spec = new LocalCluster.Spec(1, 1, 64, port, dataDir, "k");
    assertThatThrownBy(() -> LocalCluster.start(spec, ROUTER, new PrintWriter(new StringWriter())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 shards");
    assertThatThrownBy(() -> LocalCluster.start(new LocalCluster.Spec(2, 1, 32, port, dataDir, "k"),
        ROUTER, new PrintWriter(new StringWriter())))
        .hasMessageContaining("1 nodes (n0)");
  }

  @Test
  void refusesAPortInUse() throws Exception {
    try (ServerSocket busy = new ServerSocket(0)) {
      LocalCluster.Spec spec = new LocalCluster.Spec(1, 1, 8, busy.getLocalPort(), dataDir, "k");
      assertThatThrownBy(() -> LocalCluster.start(spec, ROUTER, new PrintWriter(new StringWriter())))
          .hasMessageContaining("in use");
    }
  }
}
