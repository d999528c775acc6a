package dev.miroir.router.move;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.DigestDiff;
import dev.miroir.core.digest.DocumentDigests;
import dev.miroir.core.digest.ShardDigest;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.consistency.ShardDigester;
import dev.miroir.router.http.Endpoints;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.ShardStamp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The mover's work on Meilisearch nodes, through the router's one {@link NodeClient} with the master
 * key: index shapes, pages of one shard, per-document diffs and their rewrite, drains, drops. Every
 * method is idempotent (replaces, deletes, index creation that may already exist), which is what lets
 * a killed mover simply run again.
 */
public final class ShardCopier {

  /** Documents per copy page when nothing is known yet about the index's document size. */
  public static final int DEFAULT_PAGE_SIZE = 1_000;

  /**
   * Bytes a copy page aims at: pages are sized by bytes, not documents, so that small documents travel
   * in few large requests (each request and each node task has a fixed cost) and large ones stay well
   * under a node's payload limit (100 MB by default).
   */
  public static final long PAGE_BYTES = 8L << 20;

  /** The most documents in one page, whatever their size. */
  public static final int MAX_PAGE_DOCUMENTS = 20_000;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final NodeClient client;
  private final ShardDigester digester;
  private final String masterAuthorization;
  private final int pageSize;
  /** Each index's shard stamp ({@link ShardStamp}): fixed for the index's life, asked once. */
  private final java.util.Map<String, ShardStamp> stamps = new java.util.concurrent.ConcurrentHashMap<>();
  /** Average document size seen per index, for sizing the next page (a hint: offsets stay exact). */
  private final java.util.Map<String, Long> documentBytes = new java.util.concurrent.ConcurrentHashMap<>();

  public ShardCopier(NodeClient client, ShardDigester digester, String masterAuthorization, int pageSize) {
    this.client = client;
    this.digester = digester;
    this.masterAuthorization = masterAuthorization;
    this.pageSize = pageSize;
  }

  /** An index as the source holds it. */
  public record IndexInfo(String uid, String primaryKey) {}

  /** Where a page left the cursor. */
  public record PageResult(String nextIndex, long nextOffset, long documents, boolean finished) {}

  private NodeReply call(TopologyNode node, HttpMethod method, String path, String body) {
    return Sync.await(client.send(node, method, path, body == null ? null : Buffer.buffer(body),
        body == null ? null : "application/json", masterAuthorization));
  }

  private JsonNode require(TopologyNode node, HttpMethod method, String path, String body) {
    return success(node, method + " " + path, call(node, method, path, body));
  }

  public boolean healthy(TopologyNode node) {
    NodeReply reply = call(node, HttpMethod.GET, "/health", null);
    return reply.isSuccess();
  }

  /** Indexes of {@code node} in uid order. */
  public List<IndexInfo> indexes(TopologyNode node) {
    List<IndexInfo> out = new ArrayList<>();
    for (long offset = 0; ; offset += 100) {
      JsonNode page = require(node, HttpMethod.GET, "/indexes?limit=100&offset=" + offset, null);
      for (JsonNode idx : page.path("results")) {
        out.add(new IndexInfo(idx.path("uid").asText(), idx.path("primaryKey").asText(null)));
      }
      if (page.path("results").size() < 100) {
        break;
      }
    }
    out.sort(java.util.Comparator.comparing(IndexInfo::uid));
    return out;
  }

  /**
   * Every index of the source exists on each target with the same primary key and settings. Returns
   * whether anything had to change.
   */
  public boolean prepare(TopologyNode source, List<TopologyNode> targets) {
    boolean changed = false;
    List<IndexInfo> sourceIndexes = indexes(source);
    for (TopologyNode target : targets) {
      List<String> present = indexes(target).stream().map(IndexInfo::uid).toList();
      for (IndexInfo index : sourceIndexes) {
        String path = "/indexes/" + Endpoints.segment(index.uid());
        if (!present.contains(index.uid())) {
          ObjectNode create = JSON.objectNode().put("uid", index.uid());
          if (index.primaryKey() != null) {
            create.put("primaryKey", index.primaryKey());
          }
          awaitTask(target, require(target, HttpMethod.POST, "/indexes", create.toString()), true);
          changed = true;
        }
        JsonNode wanted = require(source, HttpMethod.GET, path + "/settings", null);
        JsonNode have = require(target, HttpMethod.GET, path + "/settings", null);
        if (!wanted.equals(have)) {
          awaitTask(target, require(target, HttpMethod.PATCH, path + "/settings", wanted.toString()), false);
          changed = true;
        }
      }
    }
    return changed;
  }

  /**
   * Copies one page of {@code shard} at the cursor from the source to every target. Pages are
   * enqueued without waiting for the previous one to be applied (Meilisearch batches them); {@link
   * #awaitDrained} waits for them all.
   */
  public PageResult copyPage(TopologyNode source, List<TopologyNode> targets, int shard, String indexUid, long offset) {
    List<IndexInfo> indexes = indexes(source).stream().filter(i -> i.primaryKey() != null).toList();
    if (indexes.isEmpty()) {
      return new PageResult(null, 0, 0, true);
    }
    IndexInfo index = indexUid == null ? indexes.get(0)
        : indexes.stream().filter(i -> i.uid().equals(indexUid)).findFirst().orElse(null);
    if (index == null) {
      // Deleted since the last page: move on to the index after it.
      return next(indexes, indexUid, 0);
    }
    int limit = pageLimit(index.uid());
    ObjectNode fetch = JSON.objectNode();
    ShardStamp stamp = stampOf(source, index.uid());
    fetch.put("filter", stamp.is(shard));
    fetch.put("offset", offset);
    fetch.put("limit", limit);
    JsonNode page = require(source, HttpMethod.POST, "/indexes/" + Endpoints.segment(index.uid()) + "/documents/fetch",
        fetch.toString());
    ArrayNode docs = stamped(page.path("results"), shard, stamp);
    if (!docs.isEmpty()) {
      // Serialized once for every target; the targets are written at the same time.
      Buffer body = Buffer.buffer(docs.toString());
      documentBytes.put(index.uid(), Math.max(1L, body.length() / docs.size()));
      List<io.vertx.core.Future<NodeReply>> writes = new ArrayList<>();
      for (TopologyNode target : targets) {
        writes.add(client.send(target, HttpMethod.POST, documentsPath(index), body, "application/json",
            masterAuthorization));
      }
      for (int i = 0; i < targets.size(); i++) {
        NodeReply reply = Sync.await(writes.get(i));
        if (!reply.isSuccess()) {
          throw new IllegalStateException("copy page to " + targets.get(i).id() + ": " + RouterApi.describe(reply));
        }
      }
    }
    long total = page.path("total").asLong(docs.size());
    if (docs.size() < limit || offset + docs.size() >= total) {
      PageResult moved = next(indexes, index.uid(), docs.size());
      return moved;
    }
    return new PageResult(index.uid(), offset + docs.size(), docs.size(), false);
  }

  private static PageResult next(List<IndexInfo> indexes, String after, long documents) {
    for (IndexInfo i : indexes) {
      if (i.uid().compareTo(after) > 0) {
        return new PageResult(i.uid(), 0, documents, false);
      }
    }
    return new PageResult(null, 0, documents, true);
  }

  private static ArrayNode stamped(JsonNode results, int shard, ShardStamp stamp) {
    ArrayNode docs = JSON.arrayNode();
    for (JsonNode doc : results) {
      ObjectNode copy = ((ObjectNode) doc).deepCopy();
      copy.put(stamp.field(), shard);
      docs.add(copy);
    }
    return docs;
  }

  /** The index's shard stamp, as {@code node} holds the index. */
  private ShardStamp stampOf(TopologyNode node, String indexUid) {
    return stamps.computeIfAbsent(indexUid, uid -> Sync.await(digester.stamp(node, uid)));
  }

  /** Documents in the next page of an index: {@link #PAGE_BYTES} over its average document size. */
  int pageLimit(String indexUid) {
    Long average = documentBytes.get(indexUid);
    if (average == null) {
      return pageSize;
    }
    return (int) Math.max(pageSize, Math.min(MAX_PAGE_DOCUMENTS, PAGE_BYTES / average));
  }

  private static String documentsPath(IndexInfo index) {
    return "/indexes/" + Endpoints.segment(index.uid()) + "/documents?primaryKey="
        + java.net.URLEncoder.encode(index.primaryKey(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private void write(TopologyNode target, IndexInfo index, ArrayNode docs) {
    require(target, HttpMethod.POST, documentsPath(index), docs.toString());
  }

  /** The longest pause between two looks at a draining node's queue, while writes flow. */
  public static final long DRAIN_PAUSE_MAX_MS = 500;

  /**
   * The pause between two looks under a fence: every millisecond there holds the shard's writes, and a
   * look is one cheap {@code GET /tasks}.
   */
  public static final long FENCED_DRAIN_PAUSE_MS = 20;

  /** Waits until the node has processed every task it had when asked. */
  public void awaitDrained(TopologyNode node) {
    awaitDrained(List.of(node), DRAIN_PAUSE_MAX_MS);
  }

  /**
   * Waits until every node has processed every task it had when asked. The nodes are asked at the same
   * moment and waited for together: asked one after the other, each later node would also be waited
   * for the tasks it received meanwhile.
   */
  public void awaitDrained(List<TopologyNode> nodes, long maxPauseMillis) {
    java.util.Map<TopologyNode, Long> whole = new java.util.LinkedHashMap<>();
    nodes.forEach(n -> whole.put(n, null));
    awaitTasks(whole, maxPauseMillis);
  }

  /**
   * Waits until each node has processed every task up to the one named for it (null: every task it
   * has when asked). A node applies a shard's writes in enqueue order, so waiting for the last task
   * holding a write to the shard is enough to read the shard; the node's other work (a batch of writes
   * to other shards, another move's page) is not waited for. Nodes without a known task are asked for
   * their last task at the same moment, and all are waited for together.
   */
  public void awaitTasks(java.util.Map<TopologyNode, Long> upTo, long maxPauseMillis) {
    List<TopologyNode> unknown = upTo.entrySet().stream().filter(e -> e.getValue() == null)
        .map(java.util.Map.Entry::getKey).toList();
    List<io.vertx.core.Future<NodeReply>> asked = unknown.stream()
        .map(n -> client.send(n, HttpMethod.GET, "/tasks?limit=1", null, null, masterAuthorization)).toList();
    java.util.Map<TopologyNode, Long> waiting = new java.util.LinkedHashMap<>();
    upTo.forEach((node, uid) -> {
      if (uid != null && uid >= 0) {
        waiting.merge(node, uid, Math::max);
      }
    });
    for (int i = 0; i < unknown.size(); i++) {
      JsonNode latest = success(unknown.get(i), "GET /tasks", Sync.await(asked.get(i))).path("results");
      if (!latest.isEmpty()) {
        waiting.merge(unknown.get(i), latest.get(0).path("uid").asLong(), Math::max);
      }
    }
    long pause = Math.min(20, maxPauseMillis);
    while (!waiting.isEmpty()) {
      List<java.util.Map.Entry<TopologyNode, Long>> now = List.copyOf(waiting.entrySet());
      List<io.vertx.core.Future<NodeReply>> looks = now.stream().map(e -> client.send(e.getKey(), HttpMethod.GET,
          "/tasks?statuses=enqueued,processing&limit=1&from=" + e.getValue(), null, null, masterAuthorization)).toList();
      for (int i = 0; i < now.size(); i++) {
        TopologyNode node = now.get(i).getKey();
        if (success(node, "GET /tasks", Sync.await(looks.get(i))).path("results").isEmpty()) {
          waiting.remove(node);
        }
      }
      if (waiting.isEmpty()) {
        return;
      }
      Sync.sleep(pause);
      pause = Math.min(maxPauseMillis, pause * 2);
    }
  }

  private static JsonNode success(TopologyNode node, String what, NodeReply reply) {
    if (!reply.isSuccess()) {
      throw new IllegalStateException(what + " on " + node.id() + ": " + RouterApi.describe(reply));
    }
    return reply.json();
  }

  /**
   * What differs between the source's indexes (presence, settings) and each target's,
   * every node asked at the same moment; null when nothing does.
   */
  private String shapeDifference(TopologyNode source, List<TopologyNode> targets, List<IndexInfo> indexes) {
    List<io.vertx.core.Future<NodeReply>> lists = targets.stream().map(t -> client.send(t, HttpMethod.GET,
        "/indexes?limit=1000", null, null, masterAuthorization)).toList();
    List<TopologyNode> all = new ArrayList<>();
    all.add(source);
    all.addAll(targets);
    List<List<io.vertx.core.Future<NodeReply>>> settings = indexes.stream().map(i -> all.stream().map(n -> client.send(
        n, HttpMethod.GET, "/indexes/" + Endpoints.segment(i.uid()) + "/settings", null, null, masterAuthorization))
        .toList()).toList();
    for (int t = 0; t < targets.size(); t++) {
      JsonNode listed = success(targets.get(t), "GET /indexes", Sync.await(lists.get(t))).path("results");
      java.util.Set<String> present = new java.util.HashSet<>();
      listed.forEach(i -> present.add(i.path("uid").asText()));
      if (listed.size() >= 1000) {
        indexes(targets.get(t)).forEach(i -> present.add(i.uid()));
      }
      for (IndexInfo index : indexes) {
        if (!present.contains(index.uid())) {
          return "index `" + index.uid() + "` is missing on " + targets.get(t).id();
        }
      }
    }
    for (int i = 0; i < indexes.size(); i++) {
      JsonNode wanted = success(source, "GET settings", Sync.await(settings.get(i).get(0)));
      for (int t = 0; t < targets.size(); t++) {
        if (!Objects.equals(wanted, success(targets.get(t), "GET settings", Sync.await(settings.get(i).get(t + 1))))) {
          return "settings of `" + indexes.get(i).uid() + "` differ on " + targets.get(t).id();
        }
      }
    }
    return null;
  }

  /** What a node has queued or processing, summed by task type (for {@link FenceClock#TRACE}). */
  private String queued(TopologyNode node) {
    JsonNode tasks = require(node, HttpMethod.GET, "/tasks?statuses=enqueued,processing&limit=100", null).path("results");
    java.util.Map<String, long[]> byType = new java.util.TreeMap<>();
    for (JsonNode t : tasks) {
      long[] c = byType.computeIfAbsent(t.path("type").asText() + "/" + t.path("status").asText(), k -> new long[2]);
      c[0]++;
      c[1] += t.path("details").path("receivedDocuments").asLong(0) + t.path("details").path("providedIds").asLong(0);
    }
    StringBuilder out = new StringBuilder(node.id()).append(':');
    byType.forEach((k, c) -> out.append(' ').append(k).append(" x").append(c[0]).append(" (").append(c[1])
        .append(" docs)"));
    return out.toString();
  }

  /** What {@link #settle} did: documents rewritten or deleted, and what still differs (null: verified). */
  public record Settled(long rewritten, String difference) {}

  /**
   * Makes every target hold exactly the source's documents of {@code shard}, by per-document digests:
   * writes what is missing or different, deletes what the source lacks. Returns documents rewritten
   * plus deleted. Only a guarantee when no write to the shard is in flight (under the fence).
   */
  public long reconcile(TopologyNode source, List<TopologyNode> targets, int shard, Enqueuer enqueuer) {
    return settle(source, targets, shard, false, new FenceClock(), enqueuer, java.util.Map.of()).rewritten();
  }

  public long reconcile(TopologyNode source, List<TopologyNode> targets, int shard) {
    return reconcile(source, targets, shard, Enqueuer.DIRECT);
  }

  /**
   * How a rewrite reaches a target's queue: the mover passes one that waits while the target is kept
   * quiet for another move's fence.
   */
  @FunctionalInterface
  public interface Enqueuer {
    Enqueuer DIRECT = (target, rewrite) -> rewrite.run();

    void enqueue(TopologyNode target, Runnable rewrite);
  }

  /**
   * The fenced round, as short as it can be: drain, one read of every copy (all at once), the
   * difference rewritten, and only the copies that were rewritten read again. With {@code verify},
   * equal per-document digests of the source and a target are the proof (the shard digest is a function
   * of them), so a copy the unfenced catch-up already made equal is read once, not twice.
   */
  public Settled settle(TopologyNode source, List<TopologyNode> targets, int shard, boolean verify, FenceClock clock) {
    return settle(source, targets, shard, verify, clock, Enqueuer.DIRECT, java.util.Map.of());
  }

  /**
   * @param lastTasks per node id, the last task holding a write to the shard (the fence's answer): the
   *     first drain waits for that task only; a node missing from it, or null, is drained whole
   */
  public Settled settle(TopologyNode source, List<TopologyNode> targets, int shard, boolean verify, FenceClock clock,
      java.util.Map<String, Long> lastTasks) {
    return settle(source, targets, shard, verify, clock, Enqueuer.DIRECT, lastTasks);
  }

  private Settled settle(TopologyNode source, List<TopologyNode> targets, int shard, boolean verify, FenceClock clock,
      Enqueuer enqueuer, java.util.Map<String, Long> lastTasks) {
    long changed = 0;
    // Under the fence (verify) the queues are watched closely; a catch-up round may look less often.
    long pause = verify ? FENCED_DRAIN_PAUSE_MS : DRAIN_PAUSE_MAX_MS;
    List<TopologyNode> involved = new ArrayList<>();
    involved.add(source);
    involved.addAll(targets);
    if (FenceClock.TRACE) {
      clock.note(queued(source));
      targets.forEach(t -> clock.note(queued(t)));
      clock.lap("trace");
    }
    java.util.Map<TopologyNode, Long> upTo = new java.util.LinkedHashMap<>();
    involved.forEach(n -> upTo.put(n, lastTasks.get(n.id())));
    awaitTasks(upTo, pause);
    clock.lap("drain");
    // Index shapes: one look at every node at once; the slow path (create, patch, wait) only when one
    // differs, which after PREPARING means a settings write raced the move.
    List<IndexInfo> indexes = indexes(source);
    String shape = shapeDifference(source, targets, indexes);
    if (shape != null) {
      prepare(source, targets);
      indexes = indexes(source);
    }
    clock.lap("prepare");
    for (IndexInfo index : indexes) {
      if (index.primaryKey() == null) {
        continue;
      }
      List<TopologyNode> all = new ArrayList<>();
      all.add(source);
      all.addAll(targets);
      List<DocumentDigests> read = digestsOf(all, index.uid(), shard);
      clock.lap("digests");
      DocumentDigests authoritative = read.get(0);
      List<TopologyNode> rewritten = new ArrayList<>();
      for (int i = 0; i < targets.size(); i++) {
        DigestDiff diff = DocumentDigests.diff(authoritative, read.get(i + 1));
        if (!diff.isEmpty()) {
          TopologyNode target = targets.get(i);
          long[] n = {0};
          enqueuer.enqueue(target, () -> n[0] = rewrite(source, target, index, shard, diff));
          changed += n[0];
          rewritten.add(target);
        }
      }
      clock.lap("rewrite");
      if (verify && !rewritten.isEmpty()) {
        awaitDrained(rewritten, pause);
        clock.lap("drain rewritten");
        List<DocumentDigests> again = digestsOf(rewritten, index.uid(), shard);
        clock.lap("digests again");
        for (int i = 0; i < rewritten.size(); i++) {
          if (!DocumentDigests.diff(authoritative, again.get(i)).isEmpty()) {
            ShardDigest have = again.get(i).summary();
            ShardDigest wanted = authoritative.summary();
            return new Settled(changed, "shard " + shard + " of `" + index.uid() + "` digests " + have.count() + "/"
                + have.digest().substring(0, 12) + " on " + rewritten.get(i).id() + " but " + wanted.count() + "/"
                + wanted.digest().substring(0, 12) + " on " + source.id());
          }
        }
      }
    }
    if (!verify) {
      awaitDrained(targets, pause);
      return new Settled(changed, null);
    }
    // Settings writes are sequenced broadcasts, held by every fence: the look after the drain already
    // proved the shapes equal at the fence point. Only shapes the slow path changed are looked at again.
    String differs = shape == null ? null : shapeDifference(source, targets, indexes);
    if (differs != null) {
      return new Settled(changed, differs);
    }
    clock.lap("settings");
    return new Settled(changed, null);
  }

  /** Per-document digests of the shard on every node, read at the same time. */
  private List<DocumentDigests> digestsOf(List<TopologyNode> nodes, String indexUid, int shard) {
    List<io.vertx.core.Future<DocumentDigests>> reads =
        nodes.stream().map(n -> digester.documentDigests(n, indexUid, shard)).toList();
    return reads.stream().map(Sync::await).toList();
  }

  private long rewrite(TopologyNode source, TopologyNode target, IndexInfo index, int shard, DigestDiff diff) {
    String path = "/indexes/" + Endpoints.segment(index.uid());
    List<String> toWrite = diff.toWrite();
    for (int from = 0; from < toWrite.size(); from += pageSize) {
      List<String> ids = toWrite.subList(from, Math.min(toWrite.size(), from + pageSize));
      ObjectNode fetch = JSON.objectNode();
      ArrayNode idArray = fetch.putArray("ids");
      ids.forEach(idArray::add);
      fetch.put("limit", ids.size());
      ArrayNode docs = stamped(require(source, HttpMethod.POST, path + "/documents/fetch", fetch.toString())
          .path("results"), shard, stampOf(source, index.uid()));
      if (!docs.isEmpty()) {
        write(target, index, docs);
      }
    }
    List<String> extra = diff.extra();
    for (int from = 0; from < extra.size(); from += pageSize) {
      ArrayNode ids = JSON.arrayNode();
      extra.subList(from, Math.min(extra.size(), from + pageSize)).forEach(ids::add);
      require(target, HttpMethod.POST, path + "/documents/delete-batch", ids.toString());
    }
    return toWrite.size() + extra.size();
  }

  /** Deletes the shard's documents on a node, every index, and waits for the deletions. */
  public void drop(TopologyNode node, int shard) {
    for (JsonNode task : enqueueDrop(node, shard)) {
      awaitTask(node, task, false);
    }
  }

  /**
   * Enqueues the deletion of the shard's documents on a node, every index, without waiting: the node
   * applies it in its own time (consecutive deletions batch together), {@link #remaining} checks it.
   */
  public List<JsonNode> enqueueDrop(TopologyNode node, int shard) {
    List<JsonNode> tasks = new ArrayList<>();
    for (IndexInfo index : indexes(node)) {
      if (index.primaryKey() == null) {
        continue;
      }
      ObjectNode body = JSON.objectNode().put("filter", stampOf(node, index.uid()).is(shard));
      tasks.add(require(node, HttpMethod.POST, "/indexes/" + Endpoints.segment(index.uid()) + "/documents/delete",
          body.toString()));
    }
    return tasks;
  }

  /** Documents of these shards still on the node, every index (after its queued tasks are processed). */
  public long remaining(TopologyNode node, java.util.Collection<Integer> shards) {
    awaitDrained(node);
    long left = 0;
    for (IndexInfo index : indexes(node)) {
      if (index.primaryKey() == null) {
        continue;
      }
      ObjectNode fetch = JSON.objectNode();
      fetch.put("filter", stampOf(node, index.uid()).in(shards));
      fetch.put("limit", 0);
      left += require(node, HttpMethod.POST, "/indexes/" + Endpoints.segment(index.uid()) + "/documents/fetch",
          fetch.toString()).path("total").asLong();
    }
    return left;
  }

  /** Waits for a node task; a failure fails the step unless it is "the index already exists". */
  private void awaitTask(TopologyNode node, JsonNode enqueued, boolean existsIsFine) {
    long uid = enqueued.path("taskUid").asLong();
    long pause = 10;
    while (true) {
      JsonNode task = require(node, HttpMethod.GET, "/tasks/" + uid, null);
      String status = task.path("status").asText();
      if (status.equals("succeeded")) {
        return;
      }
      if (status.equals("failed") || status.equals("canceled")) {
        String code = task.path("error").path("code").asText();
        if (existsIsFine && code.equals("index_already_exists")) {
          return;
        }
        throw new IllegalStateException("task " + uid + " on " + node.id() + " " + status + ": "
            + task.path("error").path("message").asText());
      }
      Sync.sleep(pause);
      pause = Math.min(200, pause * 2);
    }
  }
}
