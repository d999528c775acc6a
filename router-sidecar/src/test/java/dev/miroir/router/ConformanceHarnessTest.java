package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.local.MeilisearchNodes;
import dev.miroir.router.parity.Conformance;
import dev.miroir.router.parity.ConformanceScript;
import dev.miroir.router.parity.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11 item 6: the differential conformance harness. The same scripted calls (every route of the
 * 1.21 API reference, a share of them through the official Java SDK) against one real node and
 * against a router over three real nodes, with RF 1 and RF 2; every answer must be identical after
 * normalising task uids, dates, durations and key values, or differ only as docs/compatibility.md
 * lists. The full report goes to {@code target/conformance-rf<N>.txt}.
 */
class ConformanceHarnessTest {

  @ParameterizedTest(name = "RF {0}")
  @ValueSource(ints = {1, 2})
  void aRouterAnswersLikeOneNode(int rf) throws Exception {
    try (RouterTestCluster cluster = new RouterTestCluster(3);
        MeilisearchNodes reference = MeilisearchNodes.start(1,
            (i, b) -> b.masterKey(RouterTestCluster.MASTER_KEY).maxIndexingThreads(1))) {
      cluster.startRouter(cluster.document(1, 16, rf), 100_000_000);
      Conformance run = new Conformance(
          new Target("node", reference.get(0).url().toString(), RouterTestCluster.MASTER_KEY),
          new Target("router", cluster.router.url(), RouterTestCluster.MASTER_KEY));
      run.run(ConformanceScript.steps());
      String report = "RF " + rf + ": " + run.report();
      Path out = Path.of("target", "conformance-rf" + rf + ".txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
      System.out.println(report.lines().findFirst().orElse(""));
      assertThat(run.outcomes.size()).as("calls").isGreaterThanOrEqualTo(400);
      assertThat(run.count("different")).as(report).isZero();
    }
  }
}
