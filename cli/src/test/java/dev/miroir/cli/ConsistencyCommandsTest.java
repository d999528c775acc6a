package dev.miroir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.miroir.cli.local.LocalCluster;
import dev.miroir.cli.local.LocalClusterFixture;
import dev.miroir.cli.local.LocalClusterState;
import dev.miroir.cli.local.LocalLayout;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.local.MeiliHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code miroir verify} and {@code miroir repair} against a real local cluster (3 nodes, RF 2): found
 * through {@code --data-dir} and through {@code --url} with {@code --master-key-file}; JSON and text
 * output; exit codes 0 (consistent), 1 (divergent), 2 (usage).
 */
class ConsistencyCommandsTest {

  @TempDir Path dataDir;

  static final Duration WAIT = Duration.ofSeconds(60);

  record Run(int exit, String out, String err) {}

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = MiroirCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void verifyFindsAReplicaChangedBehindTheRouterAndRepairFixesIt() throws Exception {
    String key = "verify-test-master-key";
    int shards = 16;
    LocalCluster.Spec spec = new LocalCluster.Spec(3, 2, shards, LocalClusterFixture.freeBasePort(3), dataDir, key);
    LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
    // Where `local up` keeps a key it generated.
    Files.writeString(layout.masterKeyFile(), key + "\n");
    try (LocalCluster cluster = LocalClusterFixture.start(spec)) {
      LocalClusterState state = LocalClusterState.read(layout.stateFile()).orElseThrow();
      MeiliHttp router = new MeiliHttp(URI.create(state.router()), key, WAIT);
      router.awaitTaskSucceeded(router.post("/indexes", "{\"uid\":\"books\",\"primaryKey\":\"id\"}").taskUid(), WAIT);
      StringBuilder docs = new StringBuilder("[");
      for (int i = 0; i < 200; i++) {
        docs.append(i == 0 ? "" : ",").append("{\"id\":\"b").append(i).append("\",\"title\":\"Book ").append(i).append("\"}");
      }
      router.awaitTaskSucceeded(router.post("/indexes/books/documents", docs.append("]").toString()).taskUid(), WAIT);

      Run clean = cli("verify", "--data-dir", dataDir.toString(), "--output", "json");
      assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
      JsonNode cleanJson = new ObjectMapper().readTree(clean.out());
      assertThat(cleanJson.path("consistent").asBoolean()).isTrue();
      assertThat(cleanJson.path("indexes").get(0).path("documents").asLong()).isEqualTo(200);

      // Change one document on the shard's non-primary replica, directly on the node.
      TopologyDocument topology = TopologyCodec.decode(Files.readString(layout.topologyFile()));
      int shard = ShardHash.shardOfId("b17", shards);
      String replica = topology.assignment(shard).readOwners().get(1);
      String url = state.nodes().stream().filter(n -> n.id().equals(replica)).findFirst().orElseThrow().url();
      MeiliHttp node = new MeiliHttp(URI.create(url), key, WAIT);
      node.awaitTaskSucceeded(node.post("/indexes/books/documents",
          "[{\"id\":\"b17\",\"title\":\"changed on one node\",\"_geo._miroir_shard\":" + shard + "}]").taskUid(), WAIT);

      Run found = cli("verify", "--data-dir", dataDir.toString(), "--output", "json");
      assertThat(found.exit()).as(found.out() + found.err()).isEqualTo(1);
      JsonNode index = new ObjectMapper().readTree(found.out()).path("indexes").get(0);
      assertThat(index.path("divergentShardList")).hasSize(1);
      assertThat(index.path("divergentShardList").get(0).asInt()).isEqualTo(shard);

      // The same through --url and the key file, in text.
      Run text = cli("verify", "--url", state.router(), "--master-key-file", layout.masterKeyFile().toString(),
          "--index", "books");
      assertThat(text.exit()).isEqualTo(1);
      assertThat(text.out()).contains("books: NOT consistent").contains("shard " + shard + " divergent")
          .contains(replica).contains("differs");

      Run repaired = cli("repair", "--data-dir", dataDir.toString());
      assertThat(repaired.exit()).as(repaired.out() + repaired.err()).isZero();
      assertThat(repaired.out()).contains("1 repaired").contains(replica + " ").contains("wrote 1, deleted 0, now equal");
      assertThat(node.get("/indexes/books/documents/b17").body().path("title").asText()).isEqualTo("Book 17");
      assertThat(cli("verify", "--data-dir", dataDir.toString()).exit()).isZero();

      // Without the key the router refuses, and verify says it could not check.
      Run noKey = cli("verify", "--url", state.router(), "--index", "books");
      assertThat(noKey.exit()).isEqualTo(3);
      assertThat(noKey.err()).contains("401");
    }
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(cli("verify").exit()).isEqualTo(2);
    assertThat(cli("verify", "--url", "http://127.0.0.1:1", "--data-dir", dataDir.toString()).exit()).isEqualTo(2);
    Run noState = cli("repair", "--data-dir", dataDir.toString());
    assertThat(noState.exit()).isEqualTo(2);
    assertThat(noState.err()).contains("no local cluster state");
    assertThat(cli("verify", "--output", "yaml", "--url", "http://127.0.0.1:1").exit()).isEqualTo(2);
  }

}
