package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.nodes.HttpNodeAdmin;
import dev.miroir.operator.reconcile.OperatorSettings;
import dev.miroir.operator.testing.Await;
import dev.miroir.operator.testing.LoopbackNodeUrls;
import dev.miroir.operator.testing.MockApiServer;
import dev.miroir.operator.testing.RouterProcess;
import dev.miroir.operator.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An image change on a 3-node RF 2 cluster of real Meilisearch 1.21 processes, while a router (the
 * child JVM of {@link RouterProcess}) answers searches the whole time: the operator restarts one
 * node at a time, each only once the previous one is ready again and every shard keeps a ready
 * copy elsewhere, and not one search fails or misses a document. Each restarted node comes back
 * with its data (the test kubelet keeps a node's data directory across pods, as a volume does).
 */
class RollingUpdateEndToEndTest {

  private static final String NS = "rolling-e2e";
  private static final String CLUSTER = "books";
  private static final int DOCUMENTS = 60;
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @Test
  void anImageChangeRollsOneNodeAtATimeWhileSearchesKeepSucceeding() throws Exception {
    LoopbackNodeUrls urls = new LoopbackNodeUrls();
    try (MockApiServer api = new MockApiServer();
        TestKubelet kubelet = new TestKubelet(api.client(), NS, urls, true)) {
      api.startOperator(new OperatorSettings("example.org/miroir-router:test", Duration.ofSeconds(1), Set.of(),
          urls, new HttpNodeAdmin(Duration.ofSeconds(5))));
      kubelet.start();
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
      Await.until("3 nodes Ready", CONVERGE, () -> {
        MeiliClusterStatus s = cluster(api).getStatus();
        return s != null && "Ready".equals(s.getPhase()) && s.getReadyReplicas() == 3;
      });
      String adminKey = secret(api, ClusterNames.apiKeysSecret(CLUSTER), ClusterNames.ADMIN_KEY);
      TopologyDocument doc = TopologyCodec.decode(api.client().configMaps().inNamespace(NS)
          .withName(ClusterNames.topologyConfigMap(CLUSTER)).get().getData().get(TopologyCodec.DATA_KEY));
      for (TopologyNode node : doc.nodes()) {
        MeiliHttp http = new MeiliHttp(URI.create(node.url()), adminKey);
        Await.until("admin key on " + node.id(), CONVERGE, () -> http.get("/indexes").isSuccess());
      }

      Deployment deployment = api.client().apps().deployments().inNamespace(NS).withName(ClusterNames.router(CLUSTER)).get();
      Map<String, String> env = new HashMap<>(kubelet.resolveEnv(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)));
      env.putAll(RouterProcess.kubernetesClientEnv(api.masterUrl(), NS));
      try (RouterProcess router = RouterProcess.start(env, Path.of("target", "rolling-router.log").toAbsolutePath())) {
        router.awaitAvailable(CONVERGE);
        MeiliHttp viaRouter = router.http(adminKey);
        viaRouter.awaitTaskSucceeded(viaRouter.post("/indexes", Map.of("uid", "books", "primaryKey", "id"))
            .requireSuccess().taskUid(), CONVERGE);
        ArrayNode books = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < DOCUMENTS; i++) {
          books.addObject().put("id", i).put("title", "Book " + i);
        }
        viaRouter.awaitTaskSucceeded(viaRouter.post("/indexes/books/documents", books).requireSuccess().taskUid(), CONVERGE);
        Await.until("every document searchable", CONVERGE, () -> hits(viaRouter) == DOCUMENTS);

        AtomicBoolean searching = new AtomicBoolean(true);
        AtomicInteger searches = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Thread searcher = new Thread(() -> {
          while (searching.get()) {
            try {
              MeiliHttp.Response r = viaRouter.post("/indexes/books/search", Map.of("q", "", "limit", 100));
              int found = r.body().path("hits").size();
              if (r.status() != 200 || found != DOCUMENTS) {
                failures.add("HTTP " + r.status() + ", " + found + " hits: " + r.body());
              }
            } catch (RuntimeException e) {
              failures.add(e.toString());
            }
            searches.incrementAndGet();
          }
        }, "searcher");
        searcher.start();

        kubelet.resetMaxNodesDown();
        api.client().resources(MeiliCluster.class).inNamespace(NS).withName(CLUSTER).edit(c -> {
          c.getSpec().getMeilisearch().setImage("mirror.example.org/getmeili/meilisearch:v1.21.0");
          return c;
        });
        Await.until("every node restarted with the new image", CONVERGE, () -> {
          MeiliClusterStatus s = cluster(api).getStatus();
          return s.getObservedGeneration() == 2L && "Ready".equals(s.getPhase()) && s.getUpdatedReplicas() == 3
              && "False".equals(s.getConditions().stream().filter(c -> c.getType().equals("RollingUpdate"))
                  .findFirst().orElseThrow().getStatus());
        });
        Thread.sleep(500);
        searching.set(false);
        searcher.join(30_000);

        for (String id : List.of("books-0", "books-1", "books-2")) {
          assertThat(kubelet.podsCreated(id)).as("pods created for %s", id).isEqualTo(2);
        }
        assertThat(kubelet.maxNodesDown()).as("nodes down at the same time").isEqualTo(1);
        assertThat(failures).as("failed searches out of %s (router log %s)", searches.get(), router.log()).isEmpty();
        assertThat(searches.get()).isGreaterThan(10);
        assertThat(hits(viaRouter)).isEqualTo(DOCUMENTS);
      }
    }
  }

  private static int hits(MeiliHttp viaRouter) {
    JsonNode body = viaRouter.post("/indexes/books/search", Map.of("q", "", "limit", 100)).requireSuccess().body();
    return body.path("hits").size();
  }

  private static MeiliCluster cluster(MockApiServer api) {
    return api.client().resources(MeiliCluster.class).inNamespace(NS).withName(CLUSTER).get();
  }

  private static String secret(MockApiServer api, String name, String key) {
    Secret secret = api.client().secrets().inNamespace(NS).withName(name).get();
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
