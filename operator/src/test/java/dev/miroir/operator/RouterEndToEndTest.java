package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.miroir.core.placement.ShardHash;
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
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole path a user takes: a MeiliCluster applied to the API server becomes real Meilisearch
 * processes (the test kubelet), the operator publishes their topology in a ConfigMap, and a router,
 * started with the environment of the operator's router Deployment (the ConfigMap's name, the
 * pod's namespace, the admin key from the API-keys Secret, never the master key), follows that
 * ConfigMap through a Kubernetes watch and serves the Meilisearch API over the nodes.
 *
 * <p>The router runs as a child JVM from its shaded jar: it is built on Vert.x 5, which must not
 * reach this module's classpath (the mock API server runs on Vert.x 4). Its output is in
 * {@code target/router-e2e.log}.
 *
 * <p>The steps build on each other, so they run in order on one cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterEndToEndTest {

  private static final String NS = "search";
  private static final String CLUSTER = "books";
  private static final String INDEX = "books";
  private static final int DOCUMENTS = 200;
  private static final List<String> COLOURS = List.of("amber", "cobalt", "crimson", "jade");
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final Duration TASK = Duration.ofSeconds(60);

  private MockApiServer api;
  private LoopbackNodeUrls urls;
  private TestKubelet kubelet;
  private RouterProcess router;
  private MeiliHttp viaRouter;
  private String adminKey;
  private TopologyDocument indexedUnder;

  @BeforeAll
  void start() {
    api = new MockApiServer();
    urls = new LoopbackNodeUrls();
    // Converged, the operator looks again every second: the keys on the nodes and the routers'
    // replica check change without any Kubernetes event.
    api.startOperator(new OperatorSettings("example.org/miroir-router:test", Duration.ofSeconds(1), Set.of(),
        urls, new HttpNodeAdmin(Duration.ofSeconds(5)), Duration.ofSeconds(1)));
    kubelet = new TestKubelet(api.client(), NS, urls, true).start();
  }

  @AfterAll
  void stop() {
    try {
      if (router != null) {
        router.close();
      }
    } finally {
      if (kubelet != null) {
        kubelet.close();
      }
      api.close();
    }
  }

  @Test
  @Order(1)
  void routerFollowsThePublishedTopologyThroughTheConfigMapWatch() {
    api.apply("""
        apiVersion: miroir.dev/v1alpha1
        kind: MeiliCluster
        metadata:
          name: books
        spec:
          replicas: 3
          replicationFactor: 2
          shards: 16
        """, NS);
    TopologyDocument first = awaitReadyTopology(3, -1);
    adminKey = secret(ClusterNames.apiKeysSecret(CLUSTER), ClusterNames.ADMIN_KEY);
    awaitAdminKeyOnEveryNode(first);

    Map<String, String> env = routerEnv();
    assertThat(env).containsEntry("MIROIR_CONSISTENCY_INTERVAL", "10m");
    // The Deployment's 10 minutes would outlast the test: the router checks its replicas every 2 s here.
    env.put("MIROIR_CONSISTENCY_INTERVAL", "2s");
    router = RouterProcess.start(env, Path.of("target", "router-e2e.log").toAbsolutePath());
    router.awaitAvailable(CONVERGE);
    urls.router(NS, CLUSTER, router.url());
    viaRouter = router.http(adminKey);
    assertThat(routerTopology().path("epoch").asLong()).isEqualTo(first.epoch());
    assertThat(routerTopology().path("nodes")).hasSize(3);

    // No documents yet, so the operator publishes the grown placement at once; the router must
    // pick it up from the ConfigMap watch (it never restarts, nor polls).
    scale(4);
    TopologyDocument grown = awaitReadyTopology(4, first.epoch());
    awaitAdminKeyOnEveryNode(grown);
    Await.until("router serving epoch " + grown.epoch() + " (log: " + router.log() + ")", CONVERGE,
        () -> routerTopology().path("epoch").asLong() == grown.epoch());
    assertThat(routerTopology().path("nodes")).hasSize(4);
    assertThat(routerTopology().path("replicationFactor").asInt()).isEqualTo(2);
    router.awaitAvailable(CONVERGE);
  }

  @Test
  @Order(2)
  void indexesThroughTheRouterOntoExactlyTheOwners() {
    requireRouter();
    indexedUnder = publishedTopology();
    long created = viaRouter.post("/indexes", Map.of("uid", INDEX, "primaryKey", "id")).requireSuccess().taskUid();
    viaRouter.awaitTaskSucceeded(created, TASK);

    MeiliHttp.Response added = viaRouter.post("/indexes/" + INDEX + "/documents", books());
    assertThat(added.status()).isEqualTo(202);
    JsonNode task = viaRouter.awaitTaskSucceeded(added.taskUid(), TASK);
    assertThat(task.path("details").path("receivedDocuments").asInt()).as(task.toString()).isEqualTo(DOCUMENTS);
    assertThat(task.path("details").path("indexedDocuments").asInt()).as(task.toString()).isEqualTo(DOCUMENTS);

    assertEveryDocumentOnExactlyItsOwners(indexedUnder);
    JsonNode stats = viaRouter.get("/indexes/" + INDEX + "/stats").requireSuccess().body();
    assertThat(stats.path("numberOfDocuments").asLong()).isEqualTo(DOCUMENTS);
    assertThat(stats.path("fieldDistribution").toString()).doesNotContain("_miroir_shard");
  }

  @Test
  @Order(3)
  void searchesThroughTheRouter() {
    requireRouter();
    MeiliHttp.Response probe = viaRouter.post("/indexes/" + INDEX + "/search", Map.of("q", "", "limit", 1));
    Assumptions.assumeFalse(probe.status() == 404
            && "miroir_route_not_found".equals(probe.body().path("code").asText()),
        "this router build does not mount the search routes yet (issue 4, branch search-routes)");
    assertSearchSeesEveryDocument();
  }

  /**
   * Issue 11: a node's own default keys differ from every other node's; the operator makes them one
   * set (fixed uids, so equal values), and puts a key back when a node loses it.
   */
  @Test
  @Order(4)
  void theDefaultKeysAreOneSetOnEveryNodeAndComeBackWhenANodeLosesThem() {
    requireRouter();
    String masterKey = secret(ClusterNames.masterKeySecret(CLUSTER), ClusterNames.MASTER_KEY_SECRET_KEY);
    List<MeiliHttp> nodes = publishedTopology().nodes().stream()
        .map(n -> new MeiliHttp(URI.create(n.url()), masterKey)).toList();
    Map<String, String> first = Await.until("default keys equal on every node", CONVERGE, () -> {
      Map<String, String> seen = null;
      for (MeiliHttp node : nodes) {
        Map<String, String> keys = defaultKeys(node);
        if (keys.size() != dev.miroir.local.DefaultKeys.SPECS.size() || (seen != null && !seen.equals(keys))) {
          return null;
        }
        seen = keys;
      }
      return seen;
    });
    assertThat(first).containsKeys("Default Search API Key", "Default Admin API Key");
    // The cluster's own keys are there too, once each.
    for (MeiliHttp node : nodes) {
      JsonNode keys = node.get("/keys?limit=1000").requireSuccess().body().path("results");
      assertThat(keys.findValuesAsText("name").stream().filter(n -> n.equals(CLUSTER + "-admin"))).hasSize(1);
    }

    MeiliHttp lost = nodes.get(1);
    String searchUid = lost.get("/keys?limit=1000").requireSuccess().body().path("results").findParents("name")
        .stream().filter(k -> k.path("name").asText().equals("Default Search API Key")).findFirst().orElseThrow()
        .path("uid").asText();
    lost.delete("/keys/" + searchUid).requireSuccess();
    Await.until("the operator puts the lost key back", CONVERGE,
        () -> first.equals(defaultKeys(lost)) ? true : null);
    // The key a client took from GET /keys on one node is served by every node.
    for (MeiliHttp node : nodes) {
      assertThat(node.withKey(first.get("Default Search API Key"))
          .post("/indexes/" + INDEX + "/search", Map.of("q", "")).status()).isEqualTo(200);
    }
  }

  /**
   * Issue 8: the routers' periodic replica check becomes the ReplicasConsistent condition and the
   * operator's divergence gauge. A document changed directly on one node makes it False, naming the
   * shard; a repair through the router makes it True again.
   */
  @Test
  @Order(5)
  void replicasConsistentFollowsTheRoutersCheckThroughADivergenceAndItsRepair() {
    requireRouter();
    // Once the replicas caught up with the indexing of the earlier steps (a router task succeeds
    // before a late replica has applied its copy, so a check in between sees a divergence): a check
    // that started after every node's queue was empty.
    for (TopologyNode n : publishedTopology().nodes()) {
      MeiliHttp http = new MeiliHttp(URI.create(n.url()), adminKey);
      Await.until("tasks done on " + n.id(), CONVERGE, () ->
          http.get("/tasks?statuses=enqueued,processing&limit=1").body().path("results").isEmpty());
    }
    java.time.Instant settled = java.time.Instant.now();
    Condition equal = Await.until("ReplicasConsistent True", CONVERGE, () -> checkedAfter(replicasConsistent("True"), settled));
    assertThat(equal.getReason()).isEqualTo("AllReplicasEqual");

    TopologyDocument doc = publishedTopology();
    String id = "book-7";
    int shard = ShardHash.shardOfId(id, doc.shards());
    String owner = doc.assignment(shard).writeTargets().iterator().next();
    MeiliHttp node = new MeiliHttp(URI.create(doc.nodes().stream().filter(n -> n.id().equals(owner))
        .findFirst().orElseThrow().url()), adminKey);
    JsonNode stored = node.get("/indexes/" + INDEX + "/documents/" + id).requireSuccess().body();
    ArrayNode changed = JsonNodeFactory.instance.arrayNode();
    changed.addObject().<com.fasterxml.jackson.databind.node.ObjectNode>setAll(
        (com.fasterxml.jackson.databind.node.ObjectNode) stored).put("title", "changed behind the router's back");
    node.awaitTaskSucceeded(node.post("/indexes/" + INDEX + "/documents", changed).taskUid(), TASK);

    Condition divergent = Await.until("ReplicasConsistent False", CONVERGE, () -> replicasConsistent("False"));
    assertThat(divergent.getReason()).isEqualTo("DivergentShards");
    assertThat(divergent.getMessage()).contains("1 divergent shard(s)").contains(INDEX + " [" + shard + "]");
    assertThat(api.metrics().value("miroir_replica_divergent_shards", "namespace", NS, "cluster", CLUSTER))
        .isEqualTo(1L);
    assertThat(cluster().getStatus().getPhase()).as("divergence is reported, searches still answer").isEqualTo("Ready");

    java.time.Instant beforeRepair = java.time.Instant.now();
    MeiliHttp.Response repaired = viaRouter.post("/_miroir/indexes/" + INDEX + "/consistency", Map.of());
    assertThat(repaired.status()).as(repaired.body().toString()).isEqualTo(200);
    Condition again = Await.until("ReplicasConsistent True after the repair", CONVERGE,
        () -> checkedAfter(replicasConsistent("True"), beforeRepair));
    assertThat(again.getReason()).isEqualTo("AllReplicasEqual");
    Await.until("divergence gauge back to 0", CONVERGE, () -> Long.valueOf(0).equals(
        api.metrics().value("miroir_replica_divergent_shards", "namespace", NS, "cluster", CLUSTER)));
  }

  @Test
  @Order(6)
  void scaleWithDocumentsStaysPendingAndTheRouterKeepsServingTheOldEpoch() {
    requireRouter();
    scale(5);
    MeiliClusterStatus pending = Await.until("scale pending", CONVERGE, () -> {
      MeiliClusterStatus s = cluster().getStatus();
      return s != null && "ScalePending".equals(s.getPhase()) ? s : null;
    });
    assertThat(pending.getPendingChange().getReason()).isEqualTo("DataMoveRequired");
    assertThat(pending.getPendingChange().getGainingNodes()).contains("books-4");
    // The new node is started for the move to come, but nothing is published that would hide documents.
    Await.until("node books-4 running", CONVERGE, () -> kubelet.processes().containsKey("books-4"));

    assertThat(publishedTopology().epoch()).isEqualTo(indexedUnder.epoch());
    assertThat(cluster().getStatus().getTopologyEpoch()).isEqualTo(indexedUnder.epoch());
    assertThat(routerTopology().path("epoch").asLong()).isEqualTo(indexedUnder.epoch());
    assertThat(routerTopology().path("nodes")).hasSize(4);

    assertEveryDocumentOnExactlyItsOwners(indexedUnder);
    assertThat(viaRouter.get("/indexes/" + INDEX + "/stats").requireSuccess().body()
        .path("numberOfDocuments").asLong()).isEqualTo(DOCUMENTS);
    MeiliHttp.Response search = viaRouter.post("/indexes/" + INDEX + "/search", Map.of("q", "", "limit", 1));
    if (search.status() != 404) {
      assertSearchSeesEveryDocument();
    }
  }

  @Test
  @Order(7)
  void theRouterNeverLogsItsNodeKey() throws java.io.IOException {
    requireRouter();
    assertThat(java.nio.file.Files.readString(router.log()).contains(adminKey))
        .as("the admin key appears in " + router.log()).isFalse();
  }

  // ---- steps and checks ----

  /**
   * The router container's environment exactly as the operator's router Deployment declares it,
   * resolved the way kubelet would (downward API, Secret keys), plus the Fabric8 client settings
   * that stand in for the pod's service account. {@link RouterProcess} sets host and port (a free one).
   */
  private Map<String, String> routerEnv() {
    Deployment deployment = api.client().apps().deployments().inNamespace(NS)
        .withName(ClusterNames.router(CLUSTER)).get();
    Map<String, String> env = new HashMap<>(kubelet.resolveEnv(
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0)));
    assertThat(env).containsKeys("MIROIR_TOPOLOGY_CONFIGMAP", "MIROIR_NAMESPACE", "MIROIR_NODE_API_KEY")
        .doesNotContainKey("MIROIR_MASTER_KEY");
    assertThat(env.get("MIROIR_NODE_API_KEY").equals(adminKey)).as("the router gets the admin key").isTrue();
    env.putAll(RouterProcess.kubernetesClientEnv(api.client().getConfiguration().getMasterUrl(), NS));
    return env;
  }

  /** Waits for phase Ready with this many ready nodes and an epoch newer than {@code after}. */
  private TopologyDocument awaitReadyTopology(int nodes, long after) {
    Await.until(nodes + " nodes Ready", CONVERGE, () -> {
      MeiliClusterStatus s = cluster().getStatus();
      return s != null && "Ready".equals(s.getPhase()) && s.getReadyReplicas() != null && s.getReadyReplicas() == nodes
          && s.getTopologyEpoch() != null && s.getTopologyEpoch() > after;
    });
    TopologyDocument doc = publishedTopology();
    assertThat(doc.nodes()).hasSize(nodes);
    assertThat(doc.replicationFactor()).isEqualTo(2);
    return doc;
  }

  /** The operator creates the admin key on each node after it turns ready; writes need it everywhere. */
  private void awaitAdminKeyOnEveryNode(TopologyDocument doc) {
    for (TopologyNode node : doc.nodes()) {
      MeiliHttp http = new MeiliHttp(URI.create(node.url()), adminKey);
      Await.until("admin key on " + node.id(), CONVERGE, () -> http.get("/indexes").isSuccess());
    }
  }

  private static ArrayNode books() {
    ArrayNode docs = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < DOCUMENTS; i++) {
      String colour = COLOURS.get(i % COLOURS.size());
      docs.addObject().put("id", i % 2 == 0 ? Integer.toString(i) : "book-" + i)
          .put("title", "Book " + i + " in " + colour).put("colour", colour);
    }
    return docs;
  }

  /** Read straight from the nodes: every document on exactly the RF owners of its shard. */
  private void assertEveryDocumentOnExactlyItsOwners(TopologyDocument doc) {
    Map<String, Integer> copies = new HashMap<>();
    for (TopologyNode node : doc.nodes()) {
      JsonNode stored = new MeiliHttp(URI.create(node.url()), adminKey)
          .get("/indexes/" + INDEX + "/documents?limit=1000").requireSuccess().body();
      for (JsonNode d : stored.path("results")) {
        String id = d.path("id").asText();
        int shard = ShardHash.shardOfId(id, doc.shards());
        assertThat(d.path("_geo._miroir_shard").asInt(-1)).as("shard stamp of %s", id).isEqualTo(shard);
        assertThat(doc.assignment(shard).writeTargets()).as("owners of %s", id).contains(node.id());
        copies.merge(id, 1, Integer::sum);
      }
    }
    assertThat(copies).hasSize(DOCUMENTS);
    assertThat(copies.values()).allMatch(c -> c == doc.replicationFactor());
  }

  private void assertSearchSeesEveryDocument() {
    JsonNode all = viaRouter.post("/indexes/" + INDEX + "/search", Map.of("q", "", "limit", 1000))
        .requireSuccess().body();
    Set<String> ids = new HashSet<>();
    for (JsonNode hit : all.path("hits")) {
      ids.add(hit.path("id").asText());
      assertThat(hit.toString()).as("shard stamp leaked in %s", hit).doesNotContain("_miroir_shard");
    }
    assertThat(ids).hasSize(DOCUMENTS);
    assertThat(all.path("estimatedTotalHits").asLong()).isEqualTo(DOCUMENTS);

    JsonNode cobalt = viaRouter.post("/indexes/" + INDEX + "/search", Map.of("q", "cobalt", "limit", 1000))
        .requireSuccess().body();
    assertThat(cobalt.path("hits")).hasSize(DOCUMENTS / COLOURS.size());
    cobalt.path("hits").forEach(hit -> assertThat(hit.path("colour").asText()).isEqualTo("cobalt"));
  }

  /** Name to key value of the node's Meilisearch default keys. */
  private static Map<String, String> defaultKeys(MeiliHttp node) {
    Map<String, String> keys = new HashMap<>();
    for (JsonNode key : node.get("/keys?limit=1000").requireSuccess().body().path("results")) {
      if (key.path("name").asText().startsWith("Default ")) {
        if (keys.put(key.path("name").asText(), key.path("key").asText()) != null) {
          throw new AssertionError("two keys named " + key.path("name").asText() + " on " + node.baseUrl());
        }
      }
    }
    return keys;
  }

  /** The condition when the router check it reports finished after {@code after}, else null. */
  private static Condition checkedAfter(Condition condition, java.time.Instant after) {
    if (condition == null) {
      return null;
    }
    java.util.regex.Matcher at = java.util.regex.Pattern.compile(" at (\\S+?Z)").matcher(condition.getMessage());
    return at.find() && java.time.Instant.parse(at.group(1)).isAfter(after) ? condition : null;
  }

  /** The ReplicasConsistent condition when its status is {@code status}, else null (one read). */
  private Condition replicasConsistent(String status) {
    MeiliClusterStatus s = cluster().getStatus();
    return s == null || s.getConditions() == null ? null
        : s.getConditions().stream().filter(c -> "ReplicasConsistent".equals(c.getType())
            && status.equals(c.getStatus())).findFirst().orElse(null);
  }

  private JsonNode routerTopology() {
    return viaRouter.get("/_miroir/topology").requireSuccess().body();
  }

  private void requireRouter() {
    Assumptions.assumeTrue(viaRouter != null, "the router did not start (see the first step)");
  }

  private void scale(int replicas) {
    api.client().resources(MeiliCluster.class).inNamespace(NS).withName(CLUSTER).scale(replicas);
  }

  private MeiliCluster cluster() {
    return api.client().resources(MeiliCluster.class).inNamespace(NS).withName(CLUSTER).get();
  }

  private TopologyDocument publishedTopology() {
    return TopologyCodec.decode(api.client().configMaps().inNamespace(NS)
        .withName(ClusterNames.topologyConfigMap(CLUSTER)).get().getData().get(TopologyCodec.DATA_KEY));
  }

  private String secret(String name, String key) {
    Secret secret = api.client().secrets().inNamespace(NS).withName(name).get();
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
