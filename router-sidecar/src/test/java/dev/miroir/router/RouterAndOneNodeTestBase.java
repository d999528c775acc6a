package dev.miroir.router;

import dev.miroir.local.MeilisearchNodes;
import dev.miroir.router.parity.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The two sides of a parity test: a router over three real nodes (8 shards, RF 2) and one real node
 * with the same master key, which says in the same run what the router must answer.
 */
abstract class RouterAndOneNodeTestBase {

  static RouterTestCluster cluster;
  static MeilisearchNodes reference;
  static Target node;
  static Target router;

  @BeforeAll
  static void startRouterAndNode() {
    cluster = new RouterTestCluster(3);
    cluster.startRouter(cluster.document(1, 8, 2), 10_000_000);
    reference = MeilisearchNodes.start(1, (i, b) -> b.masterKey(RouterTestCluster.MASTER_KEY).maxIndexingThreads(1));
    node = new Target("node", reference.get(0).url().toString(), RouterTestCluster.MASTER_KEY);
    router = new Target("router", cluster.router.url(), RouterTestCluster.MASTER_KEY);
  }

  @AfterAll
  static void stopRouterAndNode() {
    if (cluster != null) {
      cluster.close();
    }
    if (reference != null) {
      reference.close();
    }
  }
}
