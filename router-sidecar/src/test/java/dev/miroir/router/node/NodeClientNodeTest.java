package dev.miroir.router.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.local.junit.WithMeilisearch;
import dev.miroir.router.write.CopyOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node client against a real Meilisearch: its enqueue answers, its errors, its key. */
@WithMeilisearch
class NodeClientNodeTest {

  private final Vertx vertx = Vertx.vertx();
  private final NodeClient client = new NodeClient(vertx, Duration.ofSeconds(30), new SimpleMeterRegistry());

  @AfterEach
  void stop() {
    client.close();
    vertx.close().await();
  }

  @Test
  void aNodesEnqueueAnswerIsReadWithoutATreeAsTheTreeReadsIt(MeilisearchProcess meili) {
    TopologyNode node = new TopologyNode("n1", meili.url().toString(), null, NodeState.ACTIVE);
    String key = "Bearer " + meili.masterKey();
    NodeReply created = client.send(node, HttpMethod.POST, "/indexes", Buffer.buffer("{\"uid\":\"books\",\"primaryKey\":\"id\"}"),
        null, key).await();
    NodeReply added = client.send(node, HttpMethod.POST, "/indexes/books/documents",
        Buffer.buffer("[{\"id\":1,\"title\":\"Le Petit Prince\"}]"), "application/json", key).await();
    for (NodeReply reply : new NodeReply[] {created, added}) {
      assertThat(reply.status()).isEqualTo(202);
      assertThat(CopyOutcome.of(reply)).isEqualTo(CopyOutcome.ENQUEUED);
      assertThat(reply.taskUid(-1)).isEqualTo(reply.json().path("taskUid").asLong()).isNotNegative();
      assertThat(reply.taskType()).isEqualTo(reply.json().path("type").asText());
      assertThat(Instant.parse(reply.enqueuedAt())).isEqualTo(Instant.parse(reply.json().path("enqueuedAt").asText()));
    }
    assertThat(created.taskType()).isEqualTo("indexCreation");
    assertThat(added.taskType()).isEqualTo("documentAdditionOrUpdate");
    assertThat(added.taskUid(-1)).isEqualTo(created.taskUid(-1) + 1);

    // The task the answer names is the node's own, with that document.
    meili.http().awaitTaskSucceeded(added.taskUid(-1), Duration.ofSeconds(30));
    NodeReply document = client.send(node, HttpMethod.GET, "/indexes/books/documents/1", null, null, key).await();
    assertThat(document.status()).isEqualTo(200);
    assertThat(document.json().path("title").asText()).isEqualTo("Le Petit Prince");
  }

  @Test
  void aNodesRefusalIsPassedOnInItsOwnShape(MeilisearchProcess meili) {
    TopologyNode node = new TopologyNode("n1", meili.url().toString() + "/", null, NodeState.ACTIVE);
    NodeReply wrongKey = client.send(node, HttpMethod.GET, "/indexes", null, null, "Bearer not-the-key").await();
    assertThat(wrongKey.status()).isEqualTo(403);
    assertThat(wrongKey.json().path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(CopyOutcome.of(wrongKey)).isEqualTo(CopyOutcome.REFUSED);
    assertThat(wrongKey.taskUid(-1)).isEqualTo(-1);

    NodeReply noIndex = client.send(node, HttpMethod.POST, "/indexes/missing/search", Buffer.buffer("{\"q\":\"x\"}"),
        null, "Bearer " + meili.masterKey()).await();
    assertThat(noIndex.status()).isEqualTo(404);
    assertThat(noIndex.json().path("code").asText()).isEqualTo("index_not_found");

    NodeReply badJson = client.send(node, HttpMethod.POST, "/indexes/missing/search", Buffer.buffer("{\"q\":"),
        null, "Bearer " + meili.masterKey()).await();
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.json().path("type").asText()).isEqualTo("invalid_request");
  }
}
