package dev.miroir.router.consistency;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.CanonicalDocument;
import dev.miroir.core.digest.DocumentDigests;
import dev.miroir.core.digest.ShardDigest;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Endpoints;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.ShardStamp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;

/**
 * Digests what one node holds of one shard of one index, by paging
 * {@code POST /indexes/{uid}/documents/fetch} with {@code filter: <stamp> = s} (master key,
 * through the router's one {@link NodeClient}). Each page is parsed as a stream straight into the
 * digest builder, off the event loop, so a shard is never held whole in memory: only its ids and one
 * 32-byte hash per document.
 *
 * <p>Used by anti-entropy (verify, repair) and by shard moves (a moved shard must digest equal on its
 * old and new owners).
 */
public final class ShardDigester {

  /** Documents per fetch page; see docs/design/anti-entropy.md for how it was chosen. */
  public static final int DEFAULT_PAGE_SIZE = 5_000;

  private static final JsonFactory JSON = new JsonFactory();

  private final Vertx vertx;
  private final NodeClient nodes;
  private final String masterAuthorization;
  private final int pageSize;

  /**
   * @param masterAuthorization {@code "Bearer <master key>"}, or null when the nodes run without a key
   */
  public ShardDigester(Vertx vertx, NodeClient nodes, String masterAuthorization, int pageSize) {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be >= 1");
    }
    this.vertx = vertx;
    this.nodes = nodes;
    this.masterAuthorization = masterAuthorization;
    this.pageSize = pageSize;
  }

  public ShardDigester(Vertx vertx, NodeClient nodes, String masterAuthorization) {
    this(vertx, nodes, masterAuthorization, DEFAULT_PAGE_SIZE);
  }

  /** Count and content digest of {@code shard} of {@code indexUid} as {@code node} holds it. */
  public Future<ShardDigest> digest(TopologyNode node, String indexUid, int shard) {
    return collect(node, indexUid, shard).map(ShardDigest.Builder::build);
  }

  /** The same pass, keeping each document's digest, for diffing two replicas. */
  public Future<DocumentDigests> documentDigests(TopologyNode node, String indexUid, int shard) {
    return collect(node, indexUid, shard).map(ShardDigest.Builder::documents);
  }

  /** The index's primary key on {@code node}; fails when the node has no such index. */
  public Future<String> primaryKey(TopologyNode node, String indexUid) {
    return nodes.send(node, HttpMethod.GET, "/indexes/" + Endpoints.segment(indexUid), null, null, masterAuthorization)
        .compose(reply -> {
          if (!reply.isSuccess()) {
            return Future.failedFuture(failure(node, indexUid, reply));
          }
          String key = reply.json().path("primaryKey").asText(null);
          return Future.succeededFuture(key);
        });
  }

  /**
   * How the index's documents carry their shard on {@code node} ({@link ShardStamp#of} its filterable
   * attributes); fails when the node cannot say.
   */
  public Future<ShardStamp> stamp(TopologyNode node, String indexUid) {
    return nodes.send(node, HttpMethod.GET, "/indexes/" + Endpoints.segment(indexUid)
            + "/settings/filterable-attributes", null, null, masterAuthorization)
        .compose(reply -> reply.isSuccess() ? Future.succeededFuture(ShardStamp.of(reply.json()))
            : Future.failedFuture(failure(node, indexUid, reply)));
  }

  private Future<ShardDigest.Builder> collect(TopologyNode node, String indexUid, int shard) {
    return primaryKey(node, indexUid).compose(primaryKey -> {
      ShardDigest.Builder builder = ShardDigest.builder();
      if (primaryKey == null) {
        // No primary key yet means no document was ever added.
        return Future.succeededFuture(builder);
      }
      return stamp(node, indexUid).compose(stamp -> page(node, indexUid, shard, stamp, primaryKey, builder, 0));
    });
  }

  private Future<ShardDigest.Builder> page(TopologyNode node, String indexUid, int shard, ShardStamp stamp,
      String primaryKey, ShardDigest.Builder builder, long offset) {
    ObjectNode fetch = JsonNodeFactory.instance.objectNode();
    fetch.put("filter", stamp.is(shard));
    fetch.put("offset", offset);
    fetch.put("limit", pageSize);
    // Vectors a client supplied are content; CanonicalDocument drops the ones Meilisearch generated.
    fetch.put("retrieveVectors", true);
    return nodes.send(node, HttpMethod.POST, "/indexes/" + Endpoints.segment(indexUid) + "/documents/fetch",
            Buffer.buffer(fetch.toString()), "application/json", masterAuthorization)
        .compose(reply -> {
          if (!reply.isSuccess()) {
            return Future.failedFuture(failure(node, indexUid, reply));
          }
          return vertx.executeBlocking(() -> readPage(reply.body(), primaryKey, builder), false);
        })
        .compose(page -> page.returned() == 0 || offset + page.returned() >= page.total()
            ? Future.succeededFuture(builder)
            : page(node, indexUid, shard, stamp, primaryKey, builder, offset + page.returned()));
  }

  private record Page(int returned, long total) {}

  /** Streams one fetch answer's {@code results} into the builder. */
  private static Page readPage(Buffer body, String primaryKey, ShardDigest.Builder builder) throws IOException {
    int returned = 0;
    long total = -1;
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("documents/fetch answered something other than an object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("results") && value == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            builder.add(CanonicalDocument.read(p, primaryKey));
            returned++;
          }
        } else if (field.equals("total")) {
          total = p.getLongValue();
        } else {
          p.skipChildren();
        }
      }
    }
    return new Page(returned, total < 0 ? returned : total);
  }

  private static Throwable failure(TopologyNode node, String indexUid, NodeReply reply) {
    String detail = reply.status() == 0 ? reply.describe()
        : reply.describe() + ": " + reply.json().path("message").asText("");
    return MeiliError.nodeUnreachable("Cannot read index `" + indexUid + "` on node `" + node.id() + "`: " + detail)
        .exception();
  }
}
