package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.parity.Target;
import dev.miroir.router.parity.Target.Answer;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two routers sharing the write sequencer: the one that sequences keeps index facts between writes
 * (see {@code KeptIndexFactsTest}); a settings change sent to the other router is forwarded to it and
 * voids them, so a batch the new settings fail is failed whole through either router.
 */
class KeptIndexFactsTwoRoutersTest extends TwoRouterTestBase {

  @Test
  void aSettingsChangeThroughTheOtherRouterVoidsTheSequencersKeptFacts() throws Exception {
    publish(1, 2);
    try (RouterProcess a = RouterProcess.start(routerEnv()); RouterProcess b = RouterProcess.start(routerEnv())) {
      Target ra = new Target("a", a.url(), KEY);
      Target rb = new Target("b", b.url(), KEY);
      Target leader = sequencer(ra, rb);
      Target follower = leader == ra ? rb : ra;
      String index = "kept_two";
      awaitSucceeded(leader, write(leader.url, "POST", "/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}"));

      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      double before = keptCount(leader);
      for (int i = 0; keptCount(leader) <= before; i++) {
        assertThat(System.nanoTime()).as("the sequencer never used kept facts").isLessThan(deadline);
        awaitSucceeded(leader, write(leader.url, "POST", "/indexes/" + index + "/documents", "[{\"id\":\"w-" + i + "\"}]"));
      }

      awaitSucceeded(follower, write(follower.url, "PATCH", "/indexes/" + index + "/settings",
          "{\"filterableAttributes\":[\"_geo\"]}"));
      int n = 0;
      for (Target through : new Target[] {follower, leader}) {
        n++;
        String good = "g-" + n + "-ok";
        Answer sent = through.call("POST", "/indexes/" + index + "/documents", "application/json",
            "[{\"id\":\"" + good + "\",\"_geo\":{\"lat\":1,\"lng\":2}},{\"id\":\"g-" + n + "-bad\",\"_geo\":{\"lat\":\"abc\",\"lng\":2}}]");
        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        JsonNode task = through.awaitTask(sent.json().path("taskUid").asLong());
        assertThat(task.path("status").asText()).as(task.toString()).isEqualTo("failed");
        assertThat(task.path("error").path("code").asText()).isEqualTo("invalid_document_geo_field");
        for (TopologyNode node : topologyNodes) {
          Answer doc = new Target(node.id(), node.url(), KEY).call("GET", "/indexes/" + index + "/documents/" + good,
              null, null);
          assertThat(doc.status()).as(good + " on " + node.id() + ": " + doc.body()).isEqualTo(404);
        }
      }
    }
  }

  /** The router that sequences writes, once one is elected. */
  private static Target sequencer(Target... routers) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      for (Target r : routers) {
        Answer replicas = r.call("GET", "/_miroir/replicas", null, null);
        if (replicas.status() == 200 && replicas.json().path("sequencer").asText().equals("self")) {
          return r;
        }
      }
      assertThat(System.nanoTime()).as("no router was elected the write sequencer").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static void awaitSucceeded(Target t, JsonNode accepted) {
    JsonNode task = t.awaitTask(accepted.path("taskUid").asLong());
    assertThat(task.path("status").asText()).as(t.name + ": " + task).isEqualTo("succeeded");
  }

  private static final Pattern KEPT = Pattern.compile("miroir_write_index_facts_total\\{source=\"kept\"[^}]*\\} ([0-9.eE+]+)");

  private static double keptCount(Target router) {
    Matcher m = KEPT.matcher(router.call("GET", "/metrics", null, null).body());
    assertThat(m.find()).as("no kept-facts counter in the router's metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }
}
