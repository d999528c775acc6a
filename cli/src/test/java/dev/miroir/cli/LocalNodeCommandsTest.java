package dev.miroir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.cli.local.LocalClusterState;
import dev.miroir.local.MeiliHttp;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code local kill-node} and {@code local restart-node} on a running detached cluster, and the shape a
 * data directory keeps after a clean stop.
 */
class LocalNodeCommandsTest extends LocalCliHarness {

  @Test
  void killAndRestartANodeThenRefuseAnotherShape() throws Exception {
    port = freeBasePort(2);
    Run first = up(8);
    assertThat(first.exit()).as(first.err() + first.out()).isZero();
    MeiliHttp router = router();
    router.awaitTaskSucceeded(router.post("/indexes", "{\"uid\":\"movies\",\"primaryKey\":\"id\"}").taskUid(),
        Duration.ofSeconds(60));
    String docs = JSON.writeValueAsString(IntStream.range(0, 50).mapToObj(i -> Map.of("id", i)).toList());
    router.awaitTaskSucceeded(router.post("/indexes/movies/documents", docs).taskUid(), Duration.ofSeconds(60));

    // 1. kill-node and restart-node on the running detached cluster.
    LocalClusterState.LocalNode n1 = state().node("n1").orElseThrow();
    Run kill = miroir("local", "kill-node", "--data-dir", dataDir.toString(), "--node", "n1");
    assertThat(kill.exit()).as(kill.err()).isZero();
    assertThat(kill.out()).contains("SIGKILL");
    assertThat(ProcessHandle.of(n1.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    JsonNode status = JSON.readTree(miroir("local", "status", "--data-dir", dataDir.toString(), "--output", "json").out());
    assertThat(status.path("nodes").get(1).path("running").asBoolean()).isFalse();
    Run restart = miroir("local", "restart-node", "--data-dir", dataDir.toString(), "--node", "n1");
    assertThat(restart.exit()).as(restart.err()).isZero();
    LocalClusterState.LocalNode restarted = state().node("n1").orElseThrow();
    assertThat(restarted.pid()).isNotEqualTo(n1.pid());
    assertThat(ProcessHandle.of(restarted.pid()).map(ProcessHandle::isAlive).orElse(false)).isTrue();
    assertThat(documentsOn(restarted.url())).isGreaterThanOrEqualTo(50);
    assertThat(miroir("local", "kill-node", "--data-dir", dataDir.toString(), "--node", "n9").exit()).isEqualTo(2);

    // 2. A clean stop stops every node; the shape stays with the data.
    List<Long> pids = state().nodes().stream().map(LocalClusterState.LocalNode::pid).toList();
    assertThat(miroir("local", "down", "--data-dir", dataDir.toString()).exit()).isZero();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("node pid %s", pid).isFalse();
    }
    Run refused = up(16);
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err().strip().lines().count()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err()).contains("8 shards").contains("--shards 8");
    assertThat(Files.exists(layout().stateFile())).isFalse();
  }

}
