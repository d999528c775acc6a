package dev.miroir.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.move.MoveStep;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.ShardMoveState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.local.MeiliHttp;
import dev.miroir.router.move.Mover;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local scale} 3 -> 4 -> 2 (RF 2) on a running local cluster while one client keeps adding,
 * replacing, partially updating and deleting documents (waiting for each 202) and another keeps
 * searching. Afterwards the cluster holds exactly the writer's model; no search failed, returned a
 * duplicate or counted a document twice; with 2 nodes each holds every document. Then the same with
 * the mover killed at random saves and run again.
 */
class LocalRebalanceTest {

  static final String KEY = "local-rebalance-test-master-key";
  static final int SEED = 400;

  @TempDir Path dataDir;

  /** The writer's view: what each live document must be once every acknowledged write is applied. */
  final Map<Integer, Map<String, Object>> model = new ConcurrentHashMap<>();
  final AtomicBoolean stop = new AtomicBoolean();
  final AtomicReference<Throwable> clientFailure = new AtomicReference<>();
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger searches = new AtomicInteger();

  @Test
  void scalesThreeToFourToTwoUnderWritesAndSearches() throws Exception {
    scaleUnderLoad(false);
  }

  @Test
  void theSameWithTheMoverKilledAtRandomSteps() throws Exception {
    scaleUnderLoad(true);
  }

  /** The index the clients use, with the seed documents the searcher counts. */
  MeiliHttp seeded(LocalCluster cluster) {
    MeiliHttp router = new MeiliHttp(URI.create(cluster.state().router()), KEY, Duration.ofSeconds(60));
    router.awaitTaskSucceeded(router.post("/indexes", Map.of("uid", "items", "primaryKey", "id")).taskUid(),
        Duration.ofSeconds(60));
    router.awaitTaskSucceeded(router.patch("/indexes/items/settings",
        Map.of("filterableAttributes", List.of("group"))).taskUid(), Duration.ofSeconds(60));
    List<Map<String, Object>> seed = new ArrayList<>();
    for (int i = 0; i < SEED; i++) {
      Map<String, Object> doc = Map.of("id", i, "group", "seed", "title", "seed " + i);
      seed.add(doc);
      model.put(i, doc);
    }
    router.awaitTaskSucceeded(router.post("/indexes/items/documents", seed).taskUid(), Duration.ofSeconds(60));
    return router;
  }

  /**
   * A node killed, its volume wiped and restarted (as a lost PVC) while one client writes and another
   * searches at RF 2: it is refilled from its peers, serves no search before its copy is verified (the
   * searcher's exact counts), gets its keys again, and every replica ends equal to the model.
   */
  @Test
  void aNodeThatComesBackEmptyIsRefilledUnderWritesAndSearches() throws Exception {
    int port = LocalClusterFixture.freeBasePort(8);
    LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
    StringWriter log = new StringWriter();
    try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Spec(3, 2, 8, port, dataDir, KEY),
        LocalClusterFixture.ROUTER, new PrintWriter(log, true))) {
      MeiliHttp router = seeded(cluster);
      Thread writer = new Thread(() -> write(router), "test-writer");
      Thread searcher = new Thread(() -> search(router), "test-searcher");
      writer.start();
      searcher.start();
      int writesAfterRefill;
      try {
        awaitCount(writes, 20);
        String url = LocalClusterState.read(layout.stateFile()).orElseThrow().node("n1").orElseThrow().url();
        assertThat(LocalCluster.killNode(layout, "n1")).isPresent();
        deleteRecursively(layout.nodeDir("n1"));
        LocalControl.requestRestart(layout, "n1", Duration.ofSeconds(120));
        assertThat(dev.miroir.local.DefaultKeys.present(new MeiliHttp(URI.create(url), KEY)))
            .as("the refilled node has the cluster's keys again").isTrue();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (Files.exists(LocalRebalance.journalFile(layout)) && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(LocalRebalance.journalFile(layout)).as("refill finished; log:%n%s", log).doesNotExist();
        writesAfterRefill = writes.get() + 20;
        awaitCount(writes, writesAfterRefill);
      } finally {
        stop.set(true);
        writer.join(60_000);
        searcher.join(60_000);
      }
      assertThat(clientFailure.get()).as("no client request failed").isNull();
      assertThat(searches.get()).as("searches ran during the refill").isGreaterThan(20);
      assertThat(LocalRebalance.describe(layout)).hasValueSatisfying(s -> assertThat(s).contains("last refill of nodes [n1]"));
      RebalanceJournal last = new dev.miroir.router.move.FileStores.Journal(layout.root().resolve("rebalance-last.json"))
          .load().orElseThrow();
      assertThat(last.moves()).isNotEmpty().allMatch(m -> m.step() == MoveStep.DONE && m.gaining().equals(List.of("n1")));
      TopologyDocument after = TopologyCodec.decode(Files.readString(layout.topologyFile()));
      assertThat(after.placement()).as("n1 reads its shards again").allMatch(a -> !a.isMoving())
          .anyMatch(a -> a.readOwners().contains("n1"));
      for (LocalClusterState.LocalNode node : LocalClusterState.read(layout.stateFile()).orElseThrow().nodes()) {
        awaitQuiet(new MeiliHttp(URI.create(node.url()), KEY));
      }
      assertContentIsTheModel(router);
      // The anti-entropy digests of every replica of every shard (count and content) are equal.
      JsonNode consistency = router.get("/_miroir/indexes/items/consistency").requireSuccess().body();
      assertThat(consistency.path("divergentShards").asInt()).as("replicas identical: %s", consistency).isZero();
      assertThat(consistency.path("unknownShards").asInt()).as("every replica read: %s", consistency).isZero();
      assertThat(consistency.path("consistentShards").asInt()).isEqualTo(8);
    }
  }

  static void awaitCount(AtomicInteger counter, int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (counter.get() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(counter.get()).isGreaterThanOrEqualTo(atLeast);
  }

  static void deleteRecursively(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The router lists every document of the model once, in its last version, and nothing else. */
  void assertContentIsTheModel(MeiliHttp router) {
    Map<Integer, JsonNode> stored = new TreeMap<>();
    JsonNode page = router.get("/indexes/items/documents?limit=100000").requireSuccess().body();
    for (JsonNode doc : page.path("results")) {
      assertThat(stored.put(doc.path("id").asInt(), doc)).as("document %s listed once", doc.path("id")).isNull();
    }
    assertThat(stored.keySet()).as("no lost or resurrected document").isEqualTo(new java.util.TreeSet<>(model.keySet()));
    for (Map.Entry<Integer, Map<String, Object>> e : model.entrySet()) {
      JsonNode doc = stored.get(e.getKey());
      for (Map.Entry<String, Object> field : e.getValue().entrySet()) {
        assertThat(doc.path(field.getKey()).asText()).as("document %d field %s is not stale", e.getKey(), field.getKey())
            .isEqualTo(String.valueOf(field.getValue()));
      }
      assertThat(doc.toString()).doesNotContain("_miroir_shard");
    }
  }

  void scaleUnderLoad(boolean kill) throws Exception {
    int port = LocalClusterFixture.freeBasePort(8);
    LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
    try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Spec(3, 2, 8, port, dataDir, KEY),
        LocalClusterFixture.ROUTER, new PrintWriter(new StringWriter()))) {
      MeiliHttp router = seeded(cluster);

      Thread writer = new Thread(() -> write(router), "test-writer");
      Thread searcher = new Thread(() -> search(router), "test-searcher");
      writer.start();
      searcher.start();
      try {
        scale(layout, cluster, 4, kill);
        scale(layout, cluster, 2, kill);
      } finally {
        stop.set(true);
        writer.join(60_000);
        searcher.join(60_000);
      }
      assertThat(clientFailure.get()).as("no client request failed").isNull();
      assertThat(writes.get()).as("writes ran during the moves").isGreaterThan(20);
      assertThat(searches.get()).as("searches ran during the moves").isGreaterThan(20);

      TopologyDocument last = TopologyCodec.decode(Files.readString(layout.topologyFile()));
      assertThat(last.nodes()).hasSize(2);
      for (LocalClusterState.LocalNode node : LocalClusterState.read(layout.stateFile()).orElseThrow().nodes()) {
        awaitQuiet(new MeiliHttp(URI.create(node.url()), KEY));
      }
      assertContentIsTheModel(router);
      for (LocalClusterState.LocalNode node : LocalClusterState.read(layout.stateFile()).orElseThrow().nodes()) {
        long count = new MeiliHttp(URI.create(node.url()), KEY).get("/indexes/items/stats").requireSuccess().body()
            .path("numberOfDocuments").asLong();
        assertThat(count).as("with 2 nodes and RF 2, %s holds every document", node.id()).isEqualTo(model.size());
      }
      assertThat(LocalRebalance.describe(layout)).hasValueSatisfying(s -> assertThat(s).contains("last rebalance"));
    }
  }

  void scale(LocalLayout layout, LocalCluster cluster, int nodes, boolean kill) throws Exception {
    Random random = new Random(nodes * 7919L);
    int kills = 0;
    while (true) {
      LocalClusterState state = LocalClusterState.read(layout.stateFile()).orElseThrow();
      TopologyDocument current = TopologyCodec.decode(Files.readString(layout.topologyFile()));
      List<LocalClusterState.LocalNode> target;
      if (Files.exists(LocalRebalance.journalFile(layout))) {
        target = LocalRebalance.scaledTo(state, current, nodes);
        // Resuming: the target is the journal's; scaledTo over the current document gives the same ids
        // for a scale up, and the first `nodes` of the sorted list for a scale down.
      } else {
        target = LocalRebalance.scaledTo(state, current, nodes);
      }
      // The first kill comes at the end of the first fenced verification: after its fence was lifted,
      // before the verified state is saved. The others at a random early save.
      boolean killAtFence = kill && kills == 0;
      int killAt = kill && kills > 0 && kills < 3 ? 2 + random.nextInt(6) : Integer.MAX_VALUE;
      AtomicInteger saves = new AtomicInteger();
      try {
        RebalanceJournal done = LocalRebalance.run(layout, KEY, target, 2, new PrintWriter(new StringWriter()),
            new Mover.Listener() {
              @Override
              public void saved(RebalanceJournal journal, ShardMoveState move) {
                if (saves.incrementAndGet() == killAt) {
                  throw new IllegalStateException("killed");
                }
              }

              @Override
              public void fenced(ShardMoveState move, Map<String, Long> phaseMillis, List<String> notes) {
                if (killAtFence) {
                  throw new IllegalStateException("killed");
                }
              }
            });
        assertThat(done.moves()).allMatch(m -> m.step() == MoveStep.DONE);
        break;
      } catch (IllegalStateException e) {
        if (!"killed".equals(e.getMessage())) {
          throw e;
        }
        kills++;
      }
    }
    if (kill) {
      assertThat(kills).as("mover killed during the scale to %d", nodes).isEqualTo(3);
    }
  }

  /** One client waiting for each 202: adds, replaces, partial updates, deletes over ids 1000-1199. */
  void write(MeiliHttp router) {
    Random random = new Random(1);
    try {
      while (!stop.get()) {
        int id = 1000 + random.nextInt(200);
        int op = random.nextInt(4);
        MeiliHttp.Response r;
        if (op == 0 || op == 1) {
          List<Map<String, Object>> batch = new ArrayList<>();
          Map<Integer, Map<String, Object>> next = new java.util.HashMap<>();
          for (int k = 0; k < 5; k++) {
            int bid = 1000 + random.nextInt(200);
            Map<String, Object> doc = Map.of("id", bid, "group", "w", "title", "v" + writes.get() + "-" + k);
            batch.add(doc);
            next.put(bid, doc);
          }
          r = retry(() -> router.post("/indexes/items/documents", batch));
          next.forEach(model::put);
        } else if (op == 2) {
          Map<String, Object> current = model.get(id);
          if (current == null) {
            continue;
          }
          String extra = "p" + writes.get();
          r = retry(() -> router.put("/indexes/items/documents", List.of(Map.of("id", id, "extra", extra))));
          Map<String, Object> merged = new java.util.HashMap<>(current);
          merged.put("extra", extra);
          model.put(id, merged);
        } else {
          r = retry(() -> router.post("/indexes/items/documents/delete-batch", List.of(id)));
          model.remove(id);
        }
        assertThat(r.status()).isEqualTo(202);
        writes.incrementAndGet();
      }
    } catch (Throwable t) {
      clientFailure.compareAndSet(null, t);
    }
  }

  /** A write the router could not acknowledge (503) is retried until it is: every write here is idempotent. */
  static MeiliHttp.Response retry(java.util.function.Supplier<MeiliHttp.Response> call) throws InterruptedException {
    for (int attempt = 0; attempt < 100; attempt++) {
      MeiliHttp.Response r = call.get();
      if (r.status() != 503) {
        return r;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the router kept answering 503");
  }

  /** Searches the seed documents (never written after setup): exact count, no duplicate hit. */
  void search(MeiliHttp router) {
    Random random = new Random(2);
    try {
      while (!stop.get()) {
        int offset = random.nextInt(SEED);
        MeiliHttp.Response r = router.post("/indexes/items/search",
            Map.of("q", "", "filter", "group = seed", "offset", offset, "limit", 100));
        assertThat(r.status()).as("search during a move: %s", r.body()).isEqualTo(200);
        assertThat(r.body().path("estimatedTotalHits").asLong()).as("seed documents counted once").isEqualTo(SEED);
        Set<Integer> ids = new HashSet<>();
        for (JsonNode hit : r.body().path("hits")) {
          assertThat(ids.add(hit.path("id").asInt())).as("duplicate hit %s", hit.path("id")).isTrue();
        }
        assertThat(ids).hasSize(Math.min(100, SEED - offset));
        searches.incrementAndGet();
      }
    } catch (Throwable t) {
      clientFailure.compareAndSet(null, t);
    }
  }

  /** Every task enqueued on the node so far is processed. */
  static void awaitQuiet(MeiliHttp node) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode pending = node.get("/tasks?statuses=enqueued,processing&limit=1").body();
      if (pending.path("results").isEmpty()) {
        return;
      }
      Thread.sleep(200);
    }
  }
}
