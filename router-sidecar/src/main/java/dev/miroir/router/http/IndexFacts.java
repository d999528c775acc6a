package dev.miroir.router.http;

import static dev.miroir.router.http.Endpoints.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.write.BatchRules;
import dev.miroir.router.write.ShapeWrites;
import dev.miroir.router.write.WritePath;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What the router must know about an index before it can split a document batch: whether it exists,
 * its primary key, and the settings {@link BatchRules} judge a batch by.
 *
 * @param filterable the index's filterable attributes, null when unknown
 */
record IndexFacts(boolean exists, Optional<String> primaryKey, JsonNode filterable, BatchRules.IndexShape shape) {

  /** The facts from a node's answers to {@code GET /indexes/uid} and {@code GET /indexes/uid/settings}. */
  static IndexFacts of(String uid, NodeReply index, NodeReply settings) {
    if (index.status() == 0 || index.status() >= 500) {
      throw MeiliError.nodeUnreachable("No node could be asked about index `" + uid + "`: " + index.describe()).exception();
    }
    boolean exists = index.isSuccess();
    if (exists && (settings.status() == 0 || settings.status() >= 500)) {
      // The filterable list tells which shard stamp the batch's documents get: never guess it.
      throw MeiliError.nodeUnreachable("No node could be asked about index `" + uid + "`: " + settings.describe())
          .exception();
    }
    JsonNode pk = exists ? index.json().get("primaryKey") : null;
    Optional<String> primaryKey = pk == null || pk.isNull() ? Optional.empty() : Optional.of(pk.asText());
    JsonNode all = settings.isSuccess() ? settings.json() : JsonNodeFactory.instance.objectNode();
    JsonNode list = settings.isSuccess() ? all.get("filterableAttributes") : null;
    return new IndexFacts(exists, primaryKey, list, BatchRules.IndexShape.of(all));
  }

  /** Asks a node (through {@code ask}), with the master key, for the index's primary key and settings. */
  static Future<IndexFacts> read(Fleet fleet, Function<NodeCall, Future<NodeReply>> ask, String uid) {
    return answers(fleet, ask, uid).map(a -> of(uid, a.index(), a.settings()));
  }

  /** A node's answers to {@code GET /indexes/uid} and {@code GET /indexes/uid/settings}. */
  private record Answers(NodeReply index, NodeReply settings) {}

  /** Asks (through {@code ask}), with the master key, for the index and its settings, in parallel. */
  private static Future<Answers> answers(Fleet fleet, Function<NodeCall, Future<NodeReply>> ask, String uid) {
    String base = "/indexes/" + segment(uid);
    Future<NodeReply> index = ask.apply(new NodeCall(HttpMethod.GET, base, null, null, fleet.masterAuthorization()));
    Future<NodeReply> settings = ask.apply(new NodeCall(HttpMethod.GET, base + "/settings", null, null,
        fleet.masterAuthorization()));
    return Future.all(index, settings).map(done -> new Answers(index.result(), settings.result()));
  }

  /**
   * The facts of indexes that have a primary key, kept between document writes on the write
   * sequencer, so that a small write costs no round trip to ask them (issue 13).
   *
   * <p>They change only through writes the sequencer orders (index creation, update, deletion, swap,
   * settings; see {@link ShapeWrites}) and task cancellations, each of which voids every kept fact
   * when it arrives and again when it is answered ({@link WritePath#shapeStamp}). Facts are kept
   * only when they are read, between those, from a node that has every sequenced write
   * (not {@link WritePath#behind}) and no change of the index queued or processing: then they are what
   * every node will judge the next batch by, since it queues after those changes. When in doubt
   * (nothing kept, a change in flight, another router sequencing writes meanwhile) the write asks a
   * node, as it always did, and the keeping is retried off its path.
   */
  static final class Cache {

    /** Node task types that change what {@link IndexFacts} hold. */
    static final String SHAPE_TASK_TYPES = "indexCreation,indexUpdate,indexDeletion,settingsUpdate,indexSwap";

    private record Kept(ShapeWrites.Stamp stamp, IndexFacts facts) {}

    private final com.github.benmanes.caffeine.cache.Cache<String, Kept> kept =
        Caffeine.newBuilder().maximumSize(10_000).build();
    private final Set<String> reading = ConcurrentHashMap.newKeySet();

    /** The kept facts of the index, when they are still true. */
    Optional<IndexFacts> get(Fleet fleet, String uid) {
      Kept k = kept.getIfPresent(uid);
      if (k == null) {
        return Optional.empty();
      }
      Optional<ShapeWrites.Stamp> now = fleet.writes().shapeStamp();
      if (now.isPresent() && now.get().equals(k.stamp())) {
        return Optional.of(k.facts());
      }
      kept.invalidate(uid);
      return Optional.empty();
    }

    /**
     * Reads the facts again, off the write's path, to keep them: only for an index that has a primary
     * key (what {@code seen}, just read by a write, says), one read per index at a time.
     */
    void refresh(Fleet fleet, RoutingSnapshot s, String uid, IndexFacts seen) {
      WritePath writes = fleet.writes();
      Optional<ShapeWrites.Stamp> before = writes.shapeStamp();
      if (!seen.exists() || seen.primaryKey().isEmpty() || before.isEmpty()) {
        return;
      }
      String node = s.broadcastNodes().stream()
          .filter(id -> s.node(id).state().isReadable() && !writes.behind(id)).findFirst().orElse(null);
      if (node == null || !reading.add(uid)) {
        return;
      }
      NodeCall queued = new NodeCall(HttpMethod.GET, "/tasks?indexUids=" + segment(uid)
          + "&statuses=enqueued,processing&types=" + SHAPE_TASK_TYPES + "&limit=1", null, null,
          fleet.masterAuthorization());
      // The facts are read only once the node shows no change queued: read before, they could be
      // overtaken by a change processed between the two answers.
      fleet.send(s, node, queued).compose(reply -> {
        if (!reply.isSuccess() || reply.json().path("results").size() > 0) {
          return Future.succeededFuture((Kept) null);
        }
        return answers(fleet, call -> fleet.send(s, node, call), uid).map(a -> a.index().isSuccess()
            && a.settings().isSuccess() ? new Kept(before.get(), of(uid, a.index(), a.settings())) : null);
      }).onComplete(read -> {
        reading.remove(uid);
        Kept k = read.succeeded() ? read.result() : null;
        // Checked again at the end: a node that refused a change its peers enqueued is marked as
        // needing repair right after the change is answered.
        if (k != null && k.facts().primaryKey().isPresent() && before.equals(writes.shapeStamp())
            && !writes.behind(node)) {
          kept.put(uid, k);
        }
      });
    }
  }
}
