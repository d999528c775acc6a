package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.clientAuthorization;
import static dev.miroir.router.http.Endpoints.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.ApiException;
import dev.miroir.router.admission.BodyGuard;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.http.Fleet.TaskTemplate;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.task.RouterTask.DetailsMode;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.write.BatchRules;
import dev.miroir.router.write.DocumentIds;
import dev.miroir.router.write.DocumentBatch;
import dev.miroir.router.write.DocumentPayloads;
import dev.miroir.router.write.NodeCopy;
import dev.miroir.router.write.PrimaryKeyInference;
import dev.miroir.router.write.ReservedFields;
import dev.miroir.router.write.WriteSplitter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Document writes, routed by shard: each document goes to the write targets of its shard, as one
 * request per node. Deletes by id are routed the same way; deletes by filter and delete-all go to
 * every node.
 *
 * <p>Everything the router can check is checked before any node is contacted, so bad input changes
 * nothing. What Meilisearch refuses at once (payload, content type) is refused at once with its
 * error; what Meilisearch accepts and then fails whole (primary key, ids, {@code _geo},
 * {@code _vectors}: {@link BatchRules}) gets 202 and a router task that fails with the node's error.
 */
public final class DocumentRoutes implements RouteModule {

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    e.on(HttpMethod.POST, "/indexes/:uid/documents", "documents.replace",
        fleet.sequenced(ctx -> addDocuments(fleet, ctx)));
    e.on(HttpMethod.PUT, "/indexes/:uid/documents", "documents.update",
        fleet.sequenced(ctx -> addDocuments(fleet, ctx)));
    e.on(HttpMethod.DELETE, "/indexes/:uid/documents/:id", "documents.delete",
        fleet.sequenced(ctx -> deleteOne(fleet, ctx)));
    e.on(HttpMethod.POST, "/indexes/:uid/documents/delete-batch", "documents.deleteBatch",
        fleet.sequenced(ctx -> deleteBatch(fleet, ctx)));
    e.on(HttpMethod.POST, "/indexes/:uid/documents/delete", "documents.deleteByFilter", fleet.sequenced(
        ctx -> IndexRoutes.broadcastTask(fleet, ctx, ctx.pathParam("uid"), DetailsMode.SUM_OVER_REPLICAS, null)));
    e.on(HttpMethod.DELETE, "/indexes/:uid/documents", "documents.deleteAll", fleet.sequenced(
        ctx -> IndexRoutes.broadcastTask(fleet, ctx, ctx.pathParam("uid"), DetailsMode.SUM_OVER_REPLICAS, null)));
    // Not idempotent: a replay whose first send was ambiguous checks the node's tasks first.
    e.on(HttpMethod.POST, "/indexes/:uid/documents/edit", "documents.edit", fleet.sequenced(
        ctx -> IndexRoutes.broadcastTask(fleet, ctx, ctx.pathParam("uid"), DetailsMode.SUM_OVER_REPLICAS,
            "documentEdition")));
  }

  /** The facts of indexes, kept between writes while this router sequences them. */
  private final IndexFacts.Cache kept = new IndexFacts.Cache();
  private final io.micrometer.core.instrument.Counter factsKept;
  private final io.micrometer.core.instrument.Counter factsAsked;

  public DocumentRoutes(io.micrometer.core.instrument.MeterRegistry meters) {
    factsKept = factsCounter(meters, "kept");
    factsAsked = factsCounter(meters, "asked");
  }

  private static io.micrometer.core.instrument.Counter factsCounter(
      io.micrometer.core.instrument.MeterRegistry meters, String source) {
    return io.micrometer.core.instrument.Counter.builder("miroir_write_index_facts")
        .description("Document writes by where the index's primary key and settings came from: kept since the"
            + " index's last change, or asked of a node (a round trip before the write is sequenced)")
        .tag("source", source).register(meters);
  }

  /**
   * A batch that Meilisearch would fail whole (see {@link BatchRules}): 202 and a router task that is
   * already failed with the node's error, after the same permission check a node makes. As on a node,
   * the failed batch still creates the index (without a primary key) when it did not exist.
   */
  private Future<Reply> failWholeBatch(Fleet fleet, RoutingSnapshot s, RoutingContext ctx, String uid,
      IndexFacts facts, int received, MeiliError error) {
    String auth = clientAuthorization(ctx);
    Endpoints.permitted(ctx, dev.miroir.router.auth.Action.DOCUMENTS_ADD, uid);
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("receivedDocuments", received);
    details.put("indexedDocuments", 0);
    Future<?> created = facts.exists() ? Future.succeededFuture()
        : fleet.writeEverywhere(s, uid, new NodeCall(HttpMethod.POST, "/indexes",
                Buffer.buffer(JsonNodeFactory.instance.objectNode().put("uid", uid).toString()), "application/json",
                auth), null)
            .compose(replies -> replies.values().stream().allMatch(NodeReply::isSuccess)
                ? IndexRoutes.makeShardFilterable(fleet, s, uid, JsonNodeFactory.instance.arrayNode(), ShardStamp.GEO)
                    .compose(followUps -> finished(fleet, s, replies, System.nanoTime() + SETTLE_NANOS))
                : Future.succeededFuture());
    // The task is failed once the index exists, as on a node (which fails it after creating the index).
    return created.transform(ignored ->
        fleet.failAtEnqueue(uid, "documentAdditionOrUpdate", details, error));
  }

  private Future<Reply> addDocuments(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    String uid = ctx.pathParam("uid");
    DocumentPayloads.Format format = DocumentPayloads.Format.ofContentType(ctx.request().getHeader("Content-Type"));
    Character delimiter = csvDelimiter(ctx.queryParams().get("csvDelimiter"));
    byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : NodeCopy.bytesOf(ctx.body().buffer());
    String queryPrimaryKey = ctx.queryParams().get("primaryKey");
    RoutingSnapshot s = fleet.snapshot();
    HttpMethod method = ctx.request().method();
    java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();

    // Parsing, splitting and serialising a large body takes seconds: never on the event loop.
    Future<DocumentBatch> parsed = offLoopIfLarge(fleet, body.length, () -> {
      DocumentBatch documents = DocumentBatch.read(format, body, delimiter);
      received.set(documents.size());
      return documents;
    });
    // The facts a batch was judged fine against (off the event loop for a large one), not judged twice.
    java.util.concurrent.atomic.AtomicReference<IndexFacts> judgedFine = new java.util.concurrent.atomic.AtomicReference<>();
    Future<Reply> written = parsed.compose(documents -> keptOrRead(fleet, s, uid)
        .compose(facts -> offLoopIfLarge(fleet, body.length, () -> mayFail(uid, facts, queryPrimaryKey, documents, method))
            .compose(may -> {
              if (!may) {
                judgedFine.set(facts);
                return Future.succeededFuture(facts);
              }
              // Judged against an index that queued changes may still alter (its creation, primary key,
              // settings): a node would judge the batch after them, so the router waits for them first.
              return settled(fleet, s, uid, facts.primaryKey().isEmpty(), System.nanoTime() + SETTLE_NANOS)
                  .compose(v -> indexFacts(fleet, s, uid));
            }))
        .compose(facts -> {
      Optional<MeiliError> wholeBatchFailure = Optional.empty();
      if (facts != judgedFine.get()) {
        try {
          Optional<String> decided = primaryKey(facts, queryPrimaryKey, documents);
          wholeBatchFailure = decided.isEmpty() ? Optional.empty()
              : BatchRules.check(uid, documents, decided.get(), facts.shape(), method == HttpMethod.POST);
        } catch (ApiException e) {
          wholeBatchFailure = Optional.of(e.error());
        }
      }
      if (wholeBatchFailure.isPresent()) {
        return failWholeBatch(fleet, s, ctx, uid, facts, documents.size(), wholeBatchFailure.get());
      }
      return offLoopIfLarge(fleet, body.length, () -> {
      Optional<String> primaryKey = primaryKey(facts, queryPrimaryKey, documents);
      String query = passThroughQuery(ctx, primaryKey.orElse(null));
      String path = "/indexes/" + segment(uid) + "/documents" + query;
      WriteSplitter.Bodies split = primaryKey.isPresent()
          ? WriteSplitter.splitBatch(documents, primaryKey.get(), s, ShardStamp.of(facts.filterable()))
          : new WriteSplitter.Bodies(Map.of(), new java.util.TreeMap<>());
      Map<String, NodeCall> calls = new LinkedHashMap<>();
      split.perNode().forEach((node, bytes) -> calls.put(node, new NodeCall(method, path,
          NodeCopy.wrap(bytes), "application/json", auth)));
      // A node that gets none of this batch still needs the index and its primary key, or it would
      // disagree with its peers (and a search would miss the index there): it gets an empty batch.
      boolean newToSomeNode = !facts.exists() || facts.primaryKey().isEmpty();
      if (newToSomeNode || documents.size() == 0) {
        for (String node : s.broadcastNodes()) {
          calls.putIfAbsent(node, new NodeCall(method, path, Buffer.buffer("[]"), "application/json", auth));
        }
      }
      var targets = documents.size() == 0 ? s.allWriteTargets() : split.targetsByShard();
      // Empty batches that create the index on every node touch every shard (fences see them).
      java.util.Collection<Integer> shards = calls.size() > split.perNode().size() ? null : targets.keySet();
      return new PlannedWrite(calls, targets, shards);
    }).compose(plan -> {
      ObjectNode details = JsonNodeFactory.instance.objectNode();
      details.put("receivedDocuments", documents.size());
      details.putNull("indexedDocuments");
      boolean needsShardFilterable = !ReservedFields.containsShard(facts.filterable());
      return fleet.write(uid, plan.calls(), plan.shards(), null).compose(replies -> fleet.acknowledgeWrite(s, replies,
          plan.targets(),
          new TaskTemplate(uid, details, DetailsMode.SUM_OVER_REPLICAS),
          needsShardFilterable
              ? snap -> IndexRoutes.pendingSettingsUpdate(fleet, snap, uid).compose(pending -> pending
                  // A settings update still queued on the nodes came through the router, so it
                  // already carries the shard stamp; replacing the list now would undo the client's.
                  ? Future.succeededFuture(Map.of())
                  : IndexRoutes.makeShardFilterable(fleet, snap, uid,
                      facts.filterable() == null ? JsonNodeFactory.instance.arrayNode() : facts.filterable(),
                      ShardStamp.of(facts.filterable())))
              : null));
    });
        }));
    return written.recover(failure -> failsLikeANode(fleet, uid, received.get(), failure));
  }

  /**
   * A large body's work on a worker thread; a small one's ({@link BodyGuard#INLINE_PARSE_BYTES}) on
   * the event loop: a worker hop costs two thread wake-ups, which on a busy machine took longer than
   * parsing and splitting a 1- or 100-document batch (issue 13: the acknowledgement of small writes).
   */
  private static <T> Future<T> offLoopIfLarge(Fleet fleet, int bodyBytes, java.util.concurrent.Callable<T> work) {
    if (bodyBytes > BodyGuard.INLINE_PARSE_BYTES) {
      return fleet.vertx().executeBlocking(work, false);
    }
    try {
      return Future.succeededFuture(work.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** The node calls of one document batch and the shards they write. */
  private record PlannedWrite(Map<String, NodeCall> calls, java.util.SortedMap<Integer, List<String>> targets,
      java.util.Collection<Integer> shards) {}

  /** Errors a node reports in a failed task, not in its answer: the router answers 202 and fails the task. */
  private static final java.util.Set<String> FAILED_IN_TASK = java.util.Set.of("invalid_document_id",
      "missing_document_id", "index_primary_key_already_exists", "index_primary_key_no_candidate_found",
      "index_primary_key_multiple_candidates_found");

  private static Future<Reply> failsLikeANode(Fleet fleet, String uid, int received, Throwable failure) {
    dev.miroir.router.MeiliError error = null;
    if (failure instanceof dev.miroir.router.admission.TaskFailure task) {
      error = task.error();
    } else if (failure instanceof dev.miroir.router.ApiException api && FAILED_IN_TASK.contains(api.error().code())) {
      error = api.error();
    }
    if (error == null) {
      return Future.failedFuture(failure);
    }
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("receivedDocuments", received);
    details.put("indexedDocuments", 0);
    return fleet.failAtEnqueue(uid, "documentAdditionOrUpdate", details, error);
  }

  private static final long SETTLE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

  /** Completes once every node finished the tasks it enqueued for these replies (bounded by {@code deadline}). */
  private Future<Void> finished(Fleet fleet, RoutingSnapshot s, Map<String, NodeReply> replies, long deadline) {
    return fleet.waitWhile(() -> {
      List<Future<NodeReply>> asks = new ArrayList<>();
      replies.forEach((node, reply) -> {
        if (reply.isSuccess() && reply.json().path("taskUid").canConvertToLong()) {
          asks.add(fleet.send(s, node, new NodeCall(HttpMethod.GET, "/tasks/" + reply.json().path("taskUid").asLong(),
              null, null, fleet.masterAuthorization())));
        }
      });
      return Future.join(asks).transform(ignored -> Future.succeededFuture(asks.stream().anyMatch(a -> a.succeeded()
          && a.result().isSuccess()
          && !dev.miroir.router.task.TaskAggregator.isTerminal(a.result().json().path("status").asText()))));
    }, deadline, 50);
  }

  /** Whether the batch might fail whole: the primary key is not settled yet, or a rule fails it. */
  private static boolean mayFail(String uid, IndexFacts facts, String queryPrimaryKey, DocumentBatch documents,
      HttpMethod method) {
    if (facts.primaryKey().isEmpty()) {
      return true;
    }
    try {
      Optional<String> pk = primaryKey(facts, queryPrimaryKey, documents);
      return pk.isPresent() && BatchRules.check(uid, documents, pk.get(), facts.shape(), method == HttpMethod.POST)
          .isPresent();
    } catch (ApiException e) {
      return true;
    }
  }

  /** Completes once no node has a queued change of the index's shape (bounded by {@code deadline}). */
  private Future<Void> settled(Fleet fleet, RoutingSnapshot s, String uid, boolean withAdditions, long deadline) {
    String types = "indexCreation,indexUpdate,settingsUpdate,indexSwap" + (withAdditions ? ",documentAdditionOrUpdate" : "");
    NodeCall queued = new NodeCall(HttpMethod.GET, "/tasks?indexUids=" + segment(uid)
        + "&statuses=enqueued,processing&types=" + types + "&limit=1", null, null, fleet.masterAuthorization());
    return fleet.waitWhile(() -> fleet.askOne(s, queued)
        .map(reply -> reply.isSuccess() && reply.json().path("results").size() > 0), deadline, 50);
  }

  /** Asks one node, with the master key, for the index's primary key and settings. */
  private Future<IndexFacts> indexFacts(Fleet fleet, RoutingSnapshot s, String uid) {
    return IndexFacts.read(fleet, call -> fleet.askOne(s, call), uid);
  }

  /** The facts kept since the index's last change when they are still true, else asked of a node. */
  private Future<IndexFacts> keptOrRead(Fleet fleet, RoutingSnapshot s, String uid) {
    Optional<IndexFacts> facts = kept.get(fleet, uid);
    if (facts.isPresent()) {
      factsKept.increment();
      return Future.succeededFuture(facts.get());
    }
    factsAsked.increment();
    return indexFacts(fleet, s, uid).onSuccess(read -> kept.refresh(fleet, s, uid, read));
  }

  private Future<Reply> deleteOne(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    String uid = ctx.pathParam("uid");
    String id = ctx.pathParam("id");
    RoutingSnapshot s = fleet.snapshot();
    WriteSplitter.Split<Object> split = WriteSplitter.splitIds(List.of(id), s);
    Map<String, NodeCall> calls = new LinkedHashMap<>();
    split.perNode().keySet().forEach(node -> calls.put(node, new NodeCall(HttpMethod.DELETE,
        "/indexes/" + segment(uid) + "/documents/" + segment(id), null, null, auth)));
    // A node accepts any id here and deletes nothing for one no document can have; routing it by its
    // hash keeps that answer (a 202 and a succeeded task) without a special case.
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("providedIds", 1);
    return fleet.write(uid, calls, split.targetsByShard().keySet(), null).compose(replies -> fleet.acknowledgeWrite(
        s, replies, split.targetsByShard(), new TaskTemplate(uid, details, DetailsMode.SUM_OVER_REPLICAS), null));
  }

  private Future<Reply> deleteBatch(Fleet fleet, RoutingContext ctx) {
    String auth = clientAuthorization(ctx);
    String uid = ctx.pathParam("uid");
    JsonNode body = IndexRoutes.jsonBody(ctx);
    if (!body.isArray()) {
      throw MeiliError.invalidRequest("bad_request", "Invalid value type: expected an array of document ids").exception();
    }
    List<Object> ids = new ArrayList<>();
    List<JsonNode> unroutable = new ArrayList<>();
    // A node accepts ids no document can have (and deletes nothing for them): routable ones go to
    // their shard, the others to every node, which deletes nothing for them either.
    body.forEach(v -> {
      try {
        ids.add(DocumentIds.validId(v));
      } catch (dev.miroir.router.ApiException e) {
        unroutable.add(v);
      }
    });
    RoutingSnapshot s = fleet.snapshot();
    WriteSplitter.Split<Object> split = WriteSplitter.splitIds(ids, s);
    Map<String, NodeCall> calls = new LinkedHashMap<>();
    split.perNode().forEach((node, nodeIds) -> {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      nodeIds.forEach(v -> array.add(v instanceof String str ? JsonNodeFactory.instance.textNode(str)
          : JsonNodeFactory.instance.numberNode(new java.math.BigInteger(v.toString()))));
      calls.put(node, new NodeCall(HttpMethod.POST, "/indexes/" + segment(uid) + "/documents/delete-batch",
          Buffer.buffer(array.toString()), "application/json", auth));
    });
    if (!unroutable.isEmpty()) {
      for (String node : s.broadcastNodes()) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        NodeCall routed = calls.get(node);
        if (routed != null) {
          array.addAll((ArrayNode) IndexRoutes.parse(routed.body()));
        }
        unroutable.forEach(array::add);
        calls.put(node, new NodeCall(HttpMethod.POST, "/indexes/" + segment(uid) + "/documents/delete-batch",
            Buffer.buffer(array.toString()), "application/json", auth));
      }
    }
    if (calls.isEmpty()) {
      // An empty batch still yields a task, as in Meilisearch.
      s.broadcastNodes().forEach(node -> calls.put(node, new NodeCall(HttpMethod.POST,
          "/indexes/" + segment(uid) + "/documents/delete-batch", Buffer.buffer("[]"), "application/json", auth)));
    }
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("providedIds", ids.size() + unroutable.size());
    var targets = ids.isEmpty() ? s.allWriteTargets() : split.targetsByShard();
    return fleet.write(uid, calls, ids.isEmpty() || !unroutable.isEmpty() ? null : targets.keySet(), null).compose(replies ->
        fleet.acknowledgeWrite(s, replies, targets,
        new TaskTemplate(uid, details, DetailsMode.SUM_OVER_REPLICAS), null));
  }

  /** The client's query minus what the router consumed (CSV was turned into JSON), plus the key. */
  private static String passThroughQuery(RoutingContext ctx, String primaryKey) {
    List<String> parts = new ArrayList<>();
    ctx.queryParams().forEach(entry -> {
      String name = entry.getKey();
      if (!name.equals("csvDelimiter") && !name.equals("primaryKey")) {
        parts.add(enc(name) + "=" + enc(entry.getValue()));
      }
    });
    if (primaryKey != null) {
      parts.add("primaryKey=" + enc(primaryKey));
    }
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  private static Character csvDelimiter(String value) {
    if (value == null) {
      return null;
    }
    if (value.length() != 1 || value.charAt(0) > 127) {
      throw MeiliError.invalidRequest("invalid_document_csv_delimiter",
          "Invalid value in parameter `csvDelimiter`: expected a string of one character, but found the"
              + " following string of " + value.length() + " characters: `" + value + "`").exception();
    }
    return value.charAt(0);
  }

  /**
   * The batch's primary key ({@link PrimaryKeyInference#decide}). The first document is read as a
   * tree only when it is inferred from it: the index has no primary key and the query names none.
   */
  private static Optional<String> primaryKey(IndexFacts facts, String queryPrimaryKey, DocumentBatch documents) {
    boolean inferred = facts.primaryKey().isEmpty() && queryPrimaryKey == null && documents.size() > 0;
    return PrimaryKeyInference.decide(facts.primaryKey(), queryPrimaryKey, inferred ? documents.document(0) : null);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
