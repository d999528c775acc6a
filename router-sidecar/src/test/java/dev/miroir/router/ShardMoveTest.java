package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.move.MoveStep;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalancePlanner;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.router.move.FileStores;
import dev.miroir.router.move.Mover;
import dev.miroir.router.move.MoverRuntime;
import dev.miroir.router.move.RouterApi;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mover against real nodes and a real router, with no concurrent writes (the write fence's part
 * is proven by the local-mode test with a writer running): the copy, the verification, the cut-over,
 * the drop, and a mover killed at random saves and run again.
 */
class ShardMoveTest {

  static final int SHARDS = 16;
  static final int DOCS = 1_500;

  @TempDir Path dir;
  RouterTestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** No writes run during these tests, so holding them is nothing to do. */
  static RouterApi quietFences(MoverRuntime rt, String routerUrl) {
    return new RouterApi(rt.client(), () -> List.of(routerUrl), rt.authorization()) {
      @Override
      public String raiseFence(int shard, int ttlSeconds) {
        return "quiet-" + shard;
      }

      @Override
      public void liftFence(String fenceId) {}
    };
  }

  MeiliHttp startWithDocuments(int nodes, int active) throws Exception {
    cluster = new RouterTestCluster(nodes);
    List<TopologyNode> first = cluster.topologyNodes.subList(0, active);
    TopologyDocument doc = TopologyDocument.steadyState("test", 1, first,
        Placement.compute(first.stream().map(TopologyNode::id).toList(), SHARDS, 2));
    cluster.startRouter(doc, 100_000_000);
    MeiliHttp router = new MeiliHttp(URI.create("http://127.0.0.1:" + cluster.router.port()), RouterTestCluster.MASTER_KEY);
    router.awaitTaskSucceeded(router.post("/indexes", Map.of("uid", "books", "primaryKey", "id")).taskUid(),
        Duration.ofSeconds(60));
    List<Map<String, Object>> docs = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      docs.add(Map.of("id", i, "title", "book " + i, "year", 1900 + i % 120));
    }
    router.awaitTaskSucceeded(router.post("/indexes/books/documents", docs).taskUid(), Duration.ofSeconds(120));
    return router;
  }

  RebalanceJournal run(RebalanceJournal plan, Mover.Listener listener) {
    String routerUrl = "http://127.0.0.1:" + cluster.router.port();
    try (MoverRuntime rt = new MoverRuntime(RouterTestCluster.MASTER_KEY, () -> List.of(routerUrl),
        r -> quietFences(r, routerUrl))) {
      return rt.mover(new FileStores.Topology(cluster.topologyFile), new FileStores.Journal(dir.resolve("rebalance.json")),
          Mover.Options.defaults(), listener).run(plan);
    }
  }

  TopologyDocument published() throws Exception {
    return TopologyCodec.decode(Files.readString(cluster.topologyFile));
  }

  /** Every node holds exactly the documents of the shards it owns, each with its content. */
  void assertPlacedExactly(TopologyDocument doc) {
    Map<String, Integer> expected = new HashMap<>();
    doc.nodes().forEach(n -> expected.put(n.id(), 0));
    for (int id = 0; id < DOCS; id++) {
      int shard = ShardHash.shardOfId(id, SHARDS);
      doc.assignment(shard).readOwners().forEach(n -> expected.merge(n, 1, Integer::sum));
    }
    for (int i = 0; i < cluster.nodes.size(); i++) {
      String id = cluster.topologyNodes.get(i).id();
      if (doc.node(id).isEmpty()) {
        continue; // a node that left the cluster loses its whole volume, not shard by shard
      }
      MeiliHttp node = cluster.nodes.get(i).http();
      MeiliHttp.Response stats = node.get("/indexes/books/stats");
      long count = stats.isSuccess() ? stats.body().path("numberOfDocuments").asLong() : 0;
      assertThat(count).as("documents on %s", id).isEqualTo(expected.getOrDefault(id, 0).longValue());
    }
  }

  @Test
  void scalesThreeToFourThenBackToThree() throws Exception {
    MeiliHttp router = startWithDocuments(4, 3);
    TopologyDocument before = published();
    RebalanceJournal plan = RebalancePlanner.plan(before, cluster.topologyNodes, 2, "up");
    assertThat(plan.moves()).isNotEmpty();
    RebalanceJournal done = run(plan, new Mover.Listener() {});
    assertThat(done.moves()).allMatch(m -> m.step() == MoveStep.DONE);
    assertThat(done.progress().documentsCopied()).isGreaterThan(0);
    TopologyDocument after = published();
    assertThat(after.epoch()).isGreaterThan(before.epoch());
    assertThat(after.nodes()).hasSize(4);
    assertThat(after.placement()).noneMatch(ShardAssignment::isMoving);
    Placement four = Placement.compute(cluster.topologyNodes.stream().map(TopologyNode::id).toList(), SHARDS, 2);
    for (ShardAssignment a : after.placement()) {
      assertThat(a.readOwners()).isEqualTo(four.owners(a.shard()));
    }
    Thread.sleep(300);
    assertPlacedExactly(after);
    assertThat(router.get("/indexes/books/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(DOCS);
    assertThat(Files.exists(dir.resolve("rebalance.json"))).as("finished journal archived").isFalse();

    RebalanceJournal down = RebalancePlanner.plan(after, cluster.topologyNodes.subList(0, 3), 3, "down");
    run(down, new Mover.Listener() {});
    TopologyDocument three = published();
    assertThat(three.nodes()).extracting(TopologyNode::id).containsExactly("node-0", "node-1", "node-2");
    assertPlacedExactly(three);
    assertThat(router.get("/indexes/books/stats").requireSuccess().body().path("numberOfDocuments").asLong())
        .isEqualTo(DOCS);
  }

  @Test
  void aMoverKilledAtRandomSavesFinishesOnRerun() throws Exception {
    startWithDocuments(4, 3);
    RebalanceJournal plan = RebalancePlanner.plan(published(), cluster.topologyNodes, 2, "up");
    Random random = new Random(42);
    FileStores.Journal journals = new FileStores.Journal(dir.resolve("rebalance.json"));
    int kills = 0;
    RebalanceJournal current = plan;
    while (true) {
      int killAt = 3 + random.nextInt(25);
      AtomicInteger saves = new AtomicInteger();
      try {
        run(current, new Mover.Listener() {
          @Override
          public void saved(RebalanceJournal journal, dev.miroir.core.move.ShardMoveState move) {
            if (saves.incrementAndGet() == killAt) {
              throw new IllegalStateException("killed at save " + killAt + " (shard " + move.shard() + " "
                  + move.step().wireName() + ")");
            }
          }
        });
        break;
      } catch (IllegalStateException e) {
        assertThat(e.getMessage()).startsWith("killed");
        kills++;
        current = journals.load().orElseThrow();
      }
    }
    assertThat(kills).as("the mover was killed several times").isGreaterThanOrEqualTo(3);
    TopologyDocument after = published();
    assertThat(after.placement()).noneMatch(ShardAssignment::isMoving);
    assertThat(after.nodes()).hasSize(4);
    Thread.sleep(300);
    assertPlacedExactly(after);
  }
}
