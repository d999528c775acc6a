package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.crd.MeiliNode;
import dev.miroir.operator.model.Labels;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.nodes.HttpNodeAdmin;
import dev.miroir.operator.rebalance.RebalanceJobModel;
import dev.miroir.operator.reconcile.OperatorSettings;
import dev.miroir.operator.testing.Await;
import dev.miroir.operator.testing.LoopbackNodeUrls;
import dev.miroir.operator.testing.MockApiServer;
import dev.miroir.operator.testing.MoverJobRunner;
import dev.miroir.operator.testing.RouterProcess;
import dev.miroir.operator.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 in Kubernetes: a MeiliCluster with documents scaled 3 -> 4 -> 3 while a client keeps
 * writing. The operator plans the move and starts the mover Job; the test kubelet runs its pod as a
 * real process against real nodes and the router (killed once, rerun by the Job's backoff); the
 * cluster ends with exactly the client's documents. On the way down books-1 is marked for removal
 * ({@code miroir.dev/remove-node}), so it leaves instead of books-3: it drains, and its workload and
 * volume are deleted only once no published placement names it any more, with an Event at each phase.
 */
class RebalanceEndToEndTest {

  private static final String NS = "rebalance";
  private static final String CLUSTER = "books";
  /** Marked for removal on the way down, so it leaves instead of the highest ordinal. */
  private static final String LEAVING = "books-1";
  private static final Duration CONVERGE = Duration.ofSeconds(180);

  final Map<String, Map<String, Object>> model = new ConcurrentHashMap<>();
  final AtomicBoolean stop = new AtomicBoolean();
  final AtomicReference<Throwable> failure = new AtomicReference<>();
  final AtomicInteger writes = new AtomicInteger();

  @Test
  void scalesThreeToFourToThreeWithDocumentsAndWrites() throws Exception {
    MockApiServer api = new MockApiServer();
    LoopbackNodeUrls urls = new LoopbackNodeUrls();
    api.startOperator(new OperatorSettings("example.org/miroir-router:test", Duration.ofMillis(500), Set.of(), urls,
        new HttpNodeAdmin(Duration.ofSeconds(5))));
    try (TestKubelet kubelet = new TestKubelet(api.client(), NS, urls, true).start()) {
      api.apply("""
          apiVersion: miroir.dev/v1alpha1
          kind: MeiliCluster
          metadata:
            name: books
          spec:
            replicas: 3
            replicationFactor: 2
            shards: 8
          """, NS);
      awaitReady(api, 3);
      String adminKey = secret(api, ClusterNames.apiKeysSecret(CLUSTER), ClusterNames.ADMIN_KEY);
      for (TopologyNode node : topology(api).nodes()) {
        MeiliHttp http = new MeiliHttp(URI.create(node.url()), adminKey);
        Await.until("admin key on " + node.id(), CONVERGE, () -> http.get("/indexes").isSuccess());
      }
      Deployment deployment = api.client().apps().deployments().inNamespace(NS).withName(ClusterNames.router(CLUSTER)).get();
      Map<String, String> env = new HashMap<>(kubelet.resolveEnv(
          deployment.getSpec().getTemplate().getSpec().getContainers().get(0)));
      env.putAll(RouterProcess.kubernetesClientEnv(api.client().getConfiguration().getMasterUrl(), NS));
      try (RouterProcess router = RouterProcess.start(env, Path.of("target", "rebalance-e2e-router.log").toAbsolutePath());
          MoverJobRunner jobs = new MoverJobRunner(api.client(), NS, kubelet, router.url().toString()).start()) {
        router.awaitAvailable(CONVERGE);
        MeiliHttp viaRouter = router.http(adminKey);
        viaRouter.awaitTaskSucceeded(viaRouter.post("/indexes", Map.of("uid", "books", "primaryKey", "id")).taskUid(),
            CONVERGE);
        List<Map<String, Object>> seed = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          Map<String, Object> doc = Map.of("id", "b" + i, "title", "book " + i);
          seed.add(doc);
          model.put("b" + i, doc);
        }
        viaRouter.awaitTaskSucceeded(viaRouter.post("/indexes/books/documents", seed).taskUid(), CONVERGE);
        Thread writer = new Thread(() -> write(viaRouter), "e2e-writer");
        writer.start();
        try {
          scale(api, 4);
          Await.until("a mover Job runs", CONVERGE, jobs::isRunning);
          Thread.sleep(1500);
          boolean killed = jobs.killRunning();
          assertThat(killed).as("the mover pod was killed once").isTrue();
          awaitReady(api, 4);
          assertThat(topology(api).nodes()).hasSize(4);
          assertThat(topology(api).placement()).noneMatch(a -> a.isMoving());

          // Scale down with books-1 marked for removal: it leaves instead of the highest ordinal, and
          // its workload and volume must outlive every placement that names it.
          assertThat(api.client().persistentVolumeClaims().inNamespace(NS).withName(ClusterNames.nodeClaim(LEAVING))
              .get()).as("the leaving node's volume exists before").isNotNull();
          AtomicReference<String> deletedTooEarly = new AtomicReference<>();
          AtomicBoolean watching = new AtomicBoolean(true);
          Set<String> movesSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
          Set<String> leavingPhases = java.util.concurrent.ConcurrentHashMap.newKeySet();
          java.util.concurrent.atomic.AtomicLong movesDoneGauge = new java.util.concurrent.atomic.AtomicLong();
          Thread watcher = new Thread(() -> {
            while (watching.get()) {
              // Gone first, then named: a placement or journal naming the node only ever goes away, so
              // "named" read after "gone" was also true when "gone" was read.
              boolean gone = api.client().apps().statefulSets().inNamespace(NS).withName(LEAVING).get() == null
                  || api.client().persistentVolumeClaims().inNamespace(NS).withName(ClusterNames.nodeClaim(LEAVING))
                      .get() == null;
              boolean named = topology(api).node(LEAVING).isPresent()
                  || api.client().configMaps().inNamespace(NS).withName(RebalanceJobModel.journalConfigMap(CLUSTER))
                      .get() != null;
              if (gone && named) {
                deletedTooEarly.set(LEAVING + " or its volume deleted while the topology or the journal still names it");
              }
              MeiliClusterStatus status = api.client().resources(MeiliCluster.class).inNamespace(NS).withName(CLUSTER)
                  .get().getStatus();
              if (status != null && status.getRebalance() != null) {
                movesSeen.add(status.getRebalance().getMoves());
              }
              Long done = api.metrics().value("miroir_shard_moves", "namespace", NS, "cluster", CLUSTER, "state", "done");
              if (done != null) {
                movesDoneGauge.accumulateAndGet(done, Math::max);
              }
              MeiliNode leaving = api.client().resources(MeiliNode.class).inNamespace(NS).withName(LEAVING).get();
              if (leaving != null && leaving.getStatus() != null && leaving.getStatus().getPhase() != null) {
                leavingPhases.add(leaving.getStatus().getPhase());
              }
              try {
                Thread.sleep(100);
              } catch (InterruptedException e) {
                return;
              }
            }
          });
          watcher.start();
          api.client().resources(MeiliNode.class).inNamespace(NS).withName(LEAVING)
              .edit(n -> {
                n.getMetadata().getAnnotations().put(Labels.REMOVE_NODE, "true");
                return n;
              });
          scale(api, 3);
          Await.until("the rebalance starts", CONVERGE, () -> !movesSeen.isEmpty());
          awaitReady(api, 3);
          Await.until(LEAVING + " and its volume removed", CONVERGE,
              () -> api.client().apps().statefulSets().inNamespace(NS).withName(LEAVING).get() == null
                  && api.client().persistentVolumeClaims().inNamespace(NS).withName(ClusterNames.nodeClaim(LEAVING))
                      .get() == null);
          watching.set(false);
          watcher.join();
          assertThat(deletedTooEarly.get()).isNull();
          assertThat(leavingPhases).contains("Draining");
          assertThat(movesSeen).allMatch(m -> m.matches("\\d+/\\d+"));
          assertThat(movesDoneGauge.get()).as("miroir_shard_moves{state=done} followed the journal").isPositive();
          assertThat(api.metrics().value("miroir_shard_moves", "namespace", NS, "cluster", CLUSTER, "state", "running"))
              .as("no move runs once the rebalance is over").isZero();
          Set<String> reasons = new TreeSet<>();
          api.client().v1().events().inNamespace(NS).list().getItems().stream()
              .filter(e -> CLUSTER.equals(e.getInvolvedObject().getName())).forEach(e -> reasons.add(e.getReason()));
          assertThat(reasons).as("an Event at each rebalance phase").contains("RebalancePlanned", "RebalanceStarted",
              "ShardsCopying", "ShardsVerified", "ShardsCutOver", "NodeDrained", "RebalanceFinished", "NodeDeleted");
        } finally {
          stop.set(true);
          writer.join(60_000);
        }
        assertThat(failure.get()).as("no write failed").isNull();
        assertThat(writes.get()).isGreaterThan(10);
        TopologyDocument last = topology(api);
        assertThat(last.nodes()).extracting(TopologyNode::id).containsExactly("books-0", "books-2", "books-3");
        for (TopologyNode node : last.nodes()) {
          MeiliHttp http = new MeiliHttp(URI.create(node.url()), adminKey);
          Await.until("tasks done on " + node.id(), CONVERGE, () ->
              http.get("/tasks?statuses=enqueued,processing&limit=1").body().path("results").isEmpty());
        }
        JsonNode docs = viaRouter.get("/indexes/books/documents?limit=10000").requireSuccess().body();
        Map<String, JsonNode> stored = new HashMap<>();
        docs.path("results").forEach(d -> assertThat(stored.put(d.path("id").asText(), d)).isNull());
        assertThat(new TreeSet<>(stored.keySet())).isEqualTo(new TreeSet<>(model.keySet()));
        model.forEach((id, doc) -> assertThat(stored.get(id).path("title").asText()).as("document %s", id)
            .isEqualTo(doc.get("title")));
        assertThat(jobs.attempts(RebalanceJobModel.jobName(CLUSTER, last.nodes()))).isGreaterThanOrEqualTo(1);
      }
    } finally {
      api.close();
    }
  }

  void write(MeiliHttp router) {
    Random random = new Random(5);
    try {
      while (!stop.get()) {
        String id = "w" + random.nextInt(100);
        MeiliHttp.Response r;
        boolean delete = random.nextInt(4) == 0;
        String title = "write " + writes.get();
        for (int attempt = 0; ; attempt++) {
          r = delete ? router.post("/indexes/books/documents/delete-batch", List.of(id))
              : router.post("/indexes/books/documents", List.of(Map.of("id", id, "title", title)));
          if (r.status() != 503 || attempt > 100) {
            break;
          }
          Thread.sleep(100);
        }
        assertThat(r.status()).as("write %s: %s", id, r.body()).isEqualTo(202);
        if (delete) {
          model.remove(id);
        } else {
          model.put(id, Map.of("id", id, "title", title));
        }
        writes.incrementAndGet();
        Thread.sleep(20);
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    }
  }

  static void scale(MockApiServer api, int replicas) {
    api.client().resources(MeiliCluster.class).inNamespace(NS).withName(CLUSTER).scale(replicas);
  }

  static void awaitReady(MockApiServer api, int nodes) {
    Await.until(nodes + " nodes Ready", CONVERGE, () -> {
      MeiliClusterStatus s = api.client().resources(MeiliCluster.class).inNamespace(NS).withName(CLUSTER).get().getStatus();
      return s != null && "Ready".equals(s.getPhase()) && s.getReadyReplicas() != null && s.getReadyReplicas() == nodes
          && s.getReplicas() != null && s.getReplicas() == nodes;
    });
  }

  static TopologyDocument topology(MockApiServer api) {
    ConfigMap cm = api.client().configMaps().inNamespace(NS).withName(ClusterNames.topologyConfigMap(CLUSTER)).get();
    return TopologyCodec.decode(cm.getData().get(TopologyCodec.DATA_KEY));
  }

  static String secret(MockApiServer api, String name, String key) {
    Secret secret = api.client().secrets().inNamespace(NS).withName(name).get();
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
