package dev.miroir.router.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.write.CopyOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node client's own behaviour, against a loopback stand-in for a node where the test needs a
 * fault or a count a real Meilisearch cannot show (a node that never answers, an answer in pieces,
 * how many connections were opened); what a real node answers is {@code NodeClientNodeTest}'s.
 */
class NodeClientTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
  private final List<byte[]> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
  private HttpServer server;
  private NodeClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    vertx.close().await();
  }

  private TopologyNode stub(Consumer<HttpServerRequest> answer) {
    server = vertx.createHttpServer()
        .connectionHandler(c -> connections.incrementAndGet())
        .requestHandler(request -> request.body().onSuccess(body -> {
          lastHeaders.clear();
          request.headers().forEach(h -> lastHeaders.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
          bodies.add(body.getBytes());
          answer.accept(request);
        }))
        .listen(0, "127.0.0.1").await();
    return new TopologyNode("n1", "http://127.0.0.1:" + server.actualPort(), null, NodeState.ACTIVE);
  }

  @Test
  void nodeUrlsAreTakenApartOnceOrLeftWhole() {
    assertThat(NodeClient.Target.of("http://127.0.0.1:7700/"))
        .isEqualTo(new NodeClient.Target("127.0.0.1", 7700, false, ""));
    assertThat(NodeClient.Target.of("HTTPS://meili-0.meili.search.svc/base/"))
        .isEqualTo(new NodeClient.Target("meili-0.meili.search.svc", 443, true, "/base"));
    assertThat(NodeClient.Target.of("http://node-a")).isEqualTo(new NodeClient.Target("node-a", 80, false, ""));
    // Forms the client is given as absolute URLs, as before.
    for (String whole : new String[] {"http://[::1]:7700", "http://user:secret@node:7700", "http://node:7700/?x=1",
        "ftp://node", "not a url", "node:7700"}) {
      assertThat(NodeClient.Target.of(whole).host()).as(whole).isNull();
    }
  }

  @Test
  void sendsTheBodyBytesAndHeadersAsGivenAndReusesOneConnectionForCallsInTurn() {
    TopologyNode node = stub(request -> request.response().setStatusCode(202)
        .end("{\"taskUid\":7,\"indexUid\":\"movies\",\"status\":\"enqueued\",\"type\":\"documentAdditionOrUpdate\","
            + "\"enqueuedAt\":\"2026-12-03T21:00:00.123456Z\"}"));
    client = new NodeClient(vertx, Duration.ofSeconds(10), meters);
    byte[] document = "[{\"id\":1,\"title\":\"Caf\u00e9 \\u00e9\",\"_miroir_shard\":3}]".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 20; i++) {
      NodeReply reply = client.send(node, HttpMethod.POST, "/indexes/movies/documents?primaryKey=id",
          Buffer.buffer(document), null, "Bearer secret-key").await();
      assertThat(reply.status()).isEqualTo(202);
      assertThat(reply.taskUid(-1)).isEqualTo(7);
      assertThat(reply.taskType()).isEqualTo("documentAdditionOrUpdate");
      assertThat(reply.enqueuedAt()).isEqualTo("2026-12-03T21:00:00.123456Z");
    }
    assertThat(bodies).allSatisfy(b -> assertThat(b).isEqualTo(document));
    assertThat(lastHeaders).containsEntry("authorization", "Bearer secret-key")
        .containsEntry("content-type", "application/json").containsEntry("user-agent", "miroir-router")
        .containsEntry("host", "127.0.0.1:" + server.actualPort());
    // Keep-alive: twenty calls one after the other share one connection.
    assertThat(connections.get()).isEqualTo(1);

    client.send(node, HttpMethod.GET, "/health", null, null, null).await();
    assertThat(lastHeaders).doesNotContainKey("authorization");
  }

  @Test
  void concurrentCallsOpenConnectionsUpToThePoolAndNoMore() {
    // The node holds every answer until all twelve requests arrived: twelve connections at once.
    List<HttpServerRequest> held = java.util.Collections.synchronizedList(new ArrayList<>());
    TopologyNode node = stub(request -> {
      held.add(request);
      if (held.size() == 12) {
        held.forEach(r -> r.response().end("{}"));
      } else if (held.size() > 12) {
        request.response().end("{}");
      }
    });
    client = new NodeClient(vertx, Duration.ofSeconds(10), meters);
    List<Future<NodeReply>> calls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      calls.add(client.send(node, HttpMethod.POST, "/indexes/movies/search", Buffer.buffer("{\"q\":\"a\"}"), null, null));
    }
    Future.all(calls).await();
    assertThat(calls).allSatisfy(f -> assertThat(f.result().status()).isEqualTo(200));
    assertThat(connections.get()).isEqualTo(12);
    for (int i = 0; i < 12; i++) {
      calls.set(i, client.send(node, HttpMethod.POST, "/indexes/movies/search", Buffer.buffer("{}"), null, null));
    }
    Future.all(calls).await();
    // Those connections were kept, so the second round opened none.
    assertThat(connections.get()).isEqualTo(12);
  }

  @Test
  void anAnswerInPiecesIsJoinedWhole() {
    StringBuilder whole = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      whole.append(i % 10);
    }
    String text = whole.toString();
    TopologyNode node = stub(request -> {
      var response = request.response().setChunked(true);
      for (int i = 0; i < text.length(); i += 1_000) {
        String piece = text.substring(i, i + 1_000);
        vertx.setTimer(1 + i / 1_000, t -> response.write(piece));
      }
      vertx.setTimer(20, t -> response.end());
    });
    client = new NodeClient(vertx, Duration.ofSeconds(10), meters);
    NodeReply reply = client.send(node, HttpMethod.GET, "/x", null, null, null).await();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().toString(StandardCharsets.UTF_8)).isEqualTo(text);
  }

  @Test
  void aNodeThatNeverAnswersIsAnAmbiguousCallAfterTheTimeoutAndAClosedPortIsUnavailable() throws Exception {
    TopologyNode silent = stub(request -> { });
    client = new NodeClient(vertx, Duration.ofMillis(300), meters);
    NodeReply timedOut = client.send(silent, HttpMethod.POST, "/indexes/movies/documents", Buffer.buffer("[]"),
        null, "Bearer secret-key").await();
    assertThat(timedOut.status()).isZero();
    assertThat(timedOut.problem()).contains("TimeoutException").doesNotContain("secret-key");
    // The write was sent and may have been enqueued: never "certainly not received".
    assertThat(CopyOutcome.of(timedOut)).isEqualTo(CopyOutcome.AMBIGUOUS);

    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    TopologyNode gone = new TopologyNode("n2", "http://127.0.0.1:" + closed, null, NodeState.ACTIVE);
    NodeReply refused = client.send(gone, HttpMethod.POST, "/indexes/movies/documents", Buffer.buffer("[]"), null,
        null).await();
    assertThat(refused.status()).isZero();
    assertThat(CopyOutcome.of(refused)).isEqualTo(CopyOutcome.UNAVAILABLE);
    assertThat(meters.counter("miroir_node_errors", "node", "n1", "kind", "unreachable").count()).isEqualTo(1);
    assertThat(meters.counter("miroir_node_errors", "node", "n2", "kind", "unreachable").count()).isEqualTo(1);
  }

  @Test
  void aRedirectOfAReadIsFollowedAsTheWebClientFollowedIt() {
    TopologyNode node = stub(request -> {
      if (request.path().equals("/old")) {
        request.response().setStatusCode(302).putHeader("Location", "/new").end();
      } else {
        request.response().end("{\"at\":\"" + request.path() + "\"}");
      }
    });
    client = new NodeClient(vertx, Duration.ofSeconds(10), meters);
    NodeReply reply = client.send(node, HttpMethod.GET, "/old", null, null, "Bearer k").await();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("at").asText()).isEqualTo("/new");
  }

  @Test
  void aServerErrorIsPassedOnAndCounted() {
    TopologyNode node = stub(request -> request.response().setStatusCode(503).end("{\"message\":\"busy\"}"));
    client = new NodeClient(vertx, Duration.ofSeconds(10), meters);
    NodeReply reply = client.send(node, HttpMethod.GET, "/health", null, null, null).await();
    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.json().path("message").asText()).isEqualTo("busy");
    assertThat(CopyOutcome.of(reply)).isEqualTo(CopyOutcome.AMBIGUOUS);
    assertThat(meters.counter("miroir_node_errors", "node", "n1", "kind", "status_5xx").count()).isEqualTo(1);
  }

  @Test
  void aTaskSummaryReadsAsItsTreeDoes() {
    String[] bodies = {
        "{\"taskUid\":12,\"indexUid\":\"movies\",\"status\":\"enqueued\",\"type\":\"indexCreation\","
            + "\"enqueuedAt\":\"2026-12-03T21:00:00Z\"}",
        " {\n \"enqueuedAt\" : \"b\", \"details\": {\"taskUid\": 99, \"type\": [1]}, \"type\":\"x\\\"y\", \"taskUid\": 3 }",
        "{\"taskUid\":1,\"taskUid\":2,\"type\":null,\"enqueuedAt\":5}",
        "{\"taskUid\":\"12\",\"type\":{},\"enqueuedAt\":[\"a\"]}",
        "{\"taskUid\":12.0}",
        "[{\"taskUid\":12}]",
        "{\"taskUid\":12",
        "not json",
        "  ",
        "",
    };
    for (String body : bodies) {
      NodeReply reply = new NodeReply("n", 202, Buffer.buffer(body), null);
      var tree = reply.json();
      long expectedUid = tree.path("taskUid").isNumber() ? tree.path("taskUid").asLong() : -1;
      assertThat(reply.taskUid(-1)).as(body).isEqualTo(expectedUid);
      assertThat(reply.taskType()).as(body).isEqualTo(tree.path("type").asText(null));
      assertThat(reply.enqueuedAt()).as(body).isEqualTo(tree.path("enqueuedAt").asText(null));
    }
    assertThat(new NodeReply("n", 202, Buffer.buffer("  "), null).json().isMissingNode()).isTrue();
    assertThat(new NodeReply("n", 200, Buffer.buffer("{\"a\":[1.50]}"), null).json().path("a").get(0).decimalValue())
        .isEqualByComparingTo("1.50");
    // A buffer that is a window on a larger array is read at its own offset.
    Buffer window = Buffer.buffer("xx{\"taskUid\":5}yy".getBytes(StandardCharsets.UTF_8)).slice(2, 15);
    assertThat(new NodeReply("n", 202, window, null).taskUid(-1)).isEqualTo(5);
  }
}
