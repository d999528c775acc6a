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
 * A detached local cluster whose processes are SIGKILLed comes back with its data and its tasks when
 * {@code up} runs again: a node that survived is adopted, dead ones restart on their recorded ports,
 * and the router's durable task store keeps every task uid answering with its own task.
 */
class LocalCrashRecoveryTest extends LocalCliHarness {

  @Test
  void aCrashedClusterComesBackWithItsDataAndTasks() throws Exception {
    port = freeBasePort(2);
    Run first = up(8);
    assertThat(first.exit()).as(first.err() + first.out()).isZero();
    MeiliHttp router = router();
    Map<Long, String> typeOfUid = new LinkedHashMap<>();
    typeOfUid.put(router.post("/indexes", "{\"uid\":\"movies\",\"primaryKey\":\"id\"}").taskUid(), "indexCreation");
    String docs = JSON.writeValueAsString(IntStream.range(0, 50).mapToObj(i -> Map.of("id", i, "title", "movie " + i)).toList());
    typeOfUid.put(router.post("/indexes/movies/documents", docs).taskUid(), "documentAdditionOrUpdate");
    everyTaskAnswersWithItself(typeOfUid);

    // 1. The supervisor (router inside) and node n1 are SIGKILLed; n0 survives, orphaned.
    LocalClusterState before = state();
    long n0 = before.node("n0").orElseThrow().pid();
    kill9(before.pid());
    kill9(before.node("n1").orElseThrow().pid());
    Run second = up(8);
    assertThat(second.exit()).as(second.err() + second.out()).isZero();
    LocalClusterState after = state();
    assertThat(after.node("n0").orElseThrow().pid()).as("n0 adopted, not restarted").isEqualTo(n0);
    assertThat(after.node("n1").orElseThrow().pid()).isNotEqualTo(before.node("n1").orElseThrow().pid());
    assertThat(after.node("n1").orElseThrow().port()).isEqualTo(before.node("n1").orElseThrow().port());
    assertThat(router().get("/indexes/movies/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(50);
    everyTaskAnswersWithItself(typeOfUid);
    long afterFirstCrash = router().post("/indexes/movies/documents", "[{\"id\":50,\"title\":\"movie 50\"}]").taskUid();
    assertThat(typeOfUid).doesNotContainKey(afterFirstCrash);
    typeOfUid.put(afterFirstCrash, "documentAdditionOrUpdate");
    everyTaskAnswersWithItself(typeOfUid);

    // 2. Everything SIGKILLed at once: all come back, with the data and the tasks.
    LocalClusterState running = state();
    kill9(running.pid());
    for (LocalClusterState.LocalNode node : running.nodes()) {
      kill9(node.pid());
    }
    Run third = up(8);
    assertThat(third.exit()).as(third.err() + third.out()).isZero();
    for (LocalClusterState.LocalNode node : state().nodes()) {
      assertThat(documentsOn(node.url())).as("RF 2 over 2 nodes: every document on %s", node.id()).isEqualTo(51);
    }
    everyTaskAnswersWithItself(typeOfUid);
    long afterSecondCrash = router().delete("/indexes/movies/documents/50").taskUid();
    assertThat(typeOfUid).doesNotContainKey(afterSecondCrash);
    router().awaitTaskSucceeded(afterSecondCrash, Duration.ofSeconds(60));

  }
}
