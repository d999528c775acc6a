package dev.miroir.router.consistency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.digest.DigestDiff;
import dev.miroir.core.digest.DocumentDigests;
import dev.miroir.core.digest.ReplicaJudgement;
import dev.miroir.core.digest.ShardDigest;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.ApiException;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Endpoints;
import dev.miroir.router.http.Fleet;
import dev.miroir.router.node.NodeReply;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.topology.RoutingSnapshot;
import dev.miroir.router.write.ReplicaStatus;
import dev.miroir.router.write.ShardFence;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Anti-entropy for one index: {@link #verify} digests every replica of every shard and judges them
 * ({@link ReplicaJudgement}); {@link #repair} rewrites each divergent replica from the authoritative
 * copy under a fence. The protocol, and why it cannot resurrect a deleted document, is in
 * docs/design/anti-entropy.md.
 */
public final class ConsistencyChecker {

  /** Shards digested at once; each reads all its replicas in parallel. */
  public static final int DEFAULT_PARALLEL_SHARDS = 4;
  /** How long a repair's fence stands if the router dies before lifting it. */
  static final Duration FENCE_TTL = Duration.ofMinutes(5);
  /** Documents per fetch from the authoritative copy and per write to a divergent replica. */
  static final int COPY_CHUNK = 1_000;

  private final Fleet fleet;
  private final ShardDigester digester;
  private final int parallelShards;
  private final Duration taskTimeout;

  public ConsistencyChecker(Fleet fleet, ShardDigester digester, int parallelShards, Duration taskTimeout) {
    this.fleet = fleet;
    this.digester = digester;
    this.parallelShards = Math.max(1, parallelShards);
    this.taskTimeout = taskTimeout;
  }

  public static ConsistencyChecker forFleet(Fleet fleet) {
    return forFleet(fleet, ShardDigester.DEFAULT_PAGE_SIZE, DEFAULT_PARALLEL_SHARDS);
  }

  public static ConsistencyChecker forFleet(Fleet fleet, int pageSize, int parallelShards) {
    return new ConsistencyChecker(fleet,
        new ShardDigester(fleet.vertx(), fleet.nodes(), fleet.masterAuthorization(), pageSize),
        parallelShards, Duration.ofMinutes(2));
  }

  // ---- verify ------------------------------------------------------------------------------------

  /** Checks every shard of {@code indexUid}; fails with {@code index_not_found} when no node has it. */
  public Future<IndexConsistency> verify(String indexUid) {
    RoutingSnapshot s = fleet.snapshot();
    Instant started = Instant.now();
    return requireIndex(s, indexUid)
        .compose(ignored -> bounded(s.shards(), parallelShards, shard -> checkShard(s, indexUid, shard)))
        .map(shards -> new IndexConsistency(indexUid, s.epoch(), s.replicationFactor(), started,
            Duration.between(started, Instant.now()).toMillis(), shards));
  }

  /**
   * Replicas apply a shard's writes in one order but not at the same instant: while a write is
   * queued on one replica and already processed on another, their digests differ for a moment. A
   * shard that looks divergent is judged again once its owners have nothing queued for the index (at
   * most {@link #SETTLE_ATTEMPTS} times); if writes never stop flowing, it is reported {@code unknown}
   * ("unsettled"), never divergent, since only replicas at rest can be told apart from a lag.
   */
  private Future<ShardConsistency> checkShard(RoutingSnapshot s, String indexUid, int shard) {
    return checkShard(s, indexUid, shard, SETTLE_ATTEMPTS);
  }

  static final int SETTLE_ATTEMPTS = 3;
  static final Duration SETTLE_WAIT = Duration.ofSeconds(10);

  private Future<ShardConsistency> checkShard(RoutingSnapshot s, String indexUid, int shard, int attemptsLeft) {
    return digestShard(s, indexUid, shard).compose(result -> {
      if (!result.divergent()) {
        return Future.succeededFuture(result);
      }
      List<String> owners = s.readOwners(shard);
      return busy(s, indexUid, owners).compose(busy -> {
        if (!busy) {
          return Future.succeededFuture(result);
        }
        if (attemptsLeft <= 1) {
          return Future.succeededFuture(new ShardConsistency(shard, result.replicas(), new ReplicaJudgement.Verdict(
              ReplicaJudgement.Status.UNKNOWN, result.verdict().authoritative(), result.verdict().rule(),
              List.of(), List.of())));
        }
        return fleet.waitWhile(() -> busy(s, indexUid, owners), System.nanoTime() + SETTLE_WAIT.toNanos(), 200)
            .compose(v -> checkShard(s, indexUid, shard, attemptsLeft - 1));
      });
    });
  }

  /** Whether an owner has a write copy still to deliver, or a task of this index queued or running. */
  private Future<Boolean> busy(RoutingSnapshot s, String indexUid, List<String> owners) {
    if (owners.stream().anyMatch(id -> !fleet.replicaStatus(id).caughtUp())) {
      return Future.succeededFuture(true);
    }
    List<Future<NodeReply>> asks = owners.stream().map(id -> fleet.send(s, id, new Fleet.NodeCall(HttpMethod.GET,
        "/tasks?indexUids=" + Endpoints.segment(indexUid) + "&statuses=enqueued,processing&limit=1", null, null,
        fleet.masterAuthorization()))).toList();
    return Future.join(asks).transform(ignored -> Future.succeededFuture(asks.stream().anyMatch(a -> a.failed()
        || !a.result().isSuccess() || a.result().json().path("results").size() > 0)));
  }

  private Future<ShardConsistency> digestShard(RoutingSnapshot s, String indexUid, int shard) {
    List<String> owners = s.readOwners(shard);
    List<Future<ShardDigest>> digests = owners.stream()
        .map(id -> digester.digest(s.node(id), indexUid, shard)).toList();
    return Future.join(digests).transform(ignored -> {
      List<ReplicaCheck> checks = new ArrayList<>();
      for (int i = 0; i < owners.size(); i++) {
        Future<ShardDigest> d = digests.get(i);
        checks.add(new ReplicaCheck(owners.get(i), d.succeeded() ? d.result() : null,
            d.succeeded() ? null : message(d.cause()), fleet.replicaStatus(owners.get(i))));
      }
      return Future.succeededFuture(judge(shard, checks, s.replicationFactor()));
    });
  }

  private static ShardConsistency judge(int shard, List<ReplicaCheck> checks, int rf) {
    List<ReplicaJudgement.Replica> replicas = checks.stream()
        .map(c -> new ReplicaJudgement.Replica(c.nodeId(), c.digest(), c.status().authoritative(), c.status().caughtUp()))
        .toList();
    return new ShardConsistency(shard, checks, ReplicaJudgement.judge(replicas, rf));
  }

  private Future<Void> requireIndex(RoutingSnapshot s, String indexUid) {
    return fleet.askOne(s, new Fleet.NodeCall(HttpMethod.GET, "/indexes/" + Endpoints.segment(indexUid), null, null,
            fleet.masterAuthorization()))
        .compose(reply -> {
          if (reply.status() == 404) {
            return Future.failedFuture(MeiliError.indexNotFound(indexUid).exception());
          }
          if (!reply.isSuccess()) {
            return Future.failedFuture(MeiliError.nodeUnreachable("Cannot read index `" + indexUid + "`: "
                + reply.describe()).exception());
          }
          return Future.succeededFuture();
        });
  }

  // ---- repair ------------------------------------------------------------------------------------

  /**
   * Checks the index, then repairs each divergent shard in turn (one fence at a time, so writes to the
   * other shards flow meanwhile).
   */
  public Future<RepairReport> repair(String indexUid) {
    return verify(indexUid).compose(before -> {
      List<Integer> divergent = before.divergentShardNumbers();
      List<RepairReport.ShardRepair> done = Collections.synchronizedList(new ArrayList<>());
      Future<Void> chain = Future.succeededFuture();
      for (int shard : divergent) {
        chain = chain.compose(ignored -> repairShard(indexUid, shard).map(r -> {
          done.add(r);
          return null;
        }));
      }
      return chain.map(ignored -> new RepairReport(indexUid, before, done));
    });
  }

  /**
   * Repairs one shard: raise a fence on it, re-read every replica document by document, judge again
   * (the first check may be stale), rewrite each repairable divergent replica, re-digest it, lift the
   * fence.
   */
  public Future<RepairReport.ShardRepair> repairShard(String indexUid, int shard) {
    RoutingSnapshot s = fleet.snapshot();
    Future<ShardFence.Handle> raised = fleet.fence().raise(indexUid, Set.of(shard), FENCE_TTL);
    return raised.transform(fenceResult -> {
      if (fenceResult.failed()) {
        return Future.succeededFuture(new RepairReport.ShardRepair(shard, null, null, List.of(),
            "could not fence the shard's writes: " + message(fenceResult.cause())));
      }
      ShardFence.Handle fence = fenceResult.result();
      return underFence(s, indexUid, shard)
          .recover(failure -> Future.succeededFuture(new RepairReport.ShardRepair(shard, null, null, List.of(),
              message(failure))))
          .compose(result -> fence.lift().transform(lifted -> Future.succeededFuture(result)));
    });
  }

  private Future<RepairReport.ShardRepair> underFence(RoutingSnapshot s, String indexUid, int shard) {
    List<String> owners = s.readOwners(shard);
    List<Future<DocumentDigests>> reads = owners.stream()
        .map(id -> digester.documentDigests(s.node(id), indexUid, shard)).toList();
    return Future.join(reads).transform(ignored -> {
      List<ReplicaCheck> checks = new ArrayList<>();
      for (int i = 0; i < owners.size(); i++) {
        Future<DocumentDigests> d = reads.get(i);
        checks.add(new ReplicaCheck(owners.get(i), d.succeeded() ? d.result().summary() : null,
            d.succeeded() ? null : message(d.cause()), fleet.replicaStatus(owners.get(i))));
      }
      ShardConsistency now = judge(shard, checks, s.replicationFactor());
      ReplicaJudgement.Verdict v = now.verdict();
      String rule = v.rule().name();
      if (!now.divergent()) {
        return Future.succeededFuture(new RepairReport.ShardRepair(shard, v.authoritative(), rule, List.of(), null));
      }
      if (v.authoritative() == null) {
        return Future.succeededFuture(new RepairReport.ShardRepair(shard, null, rule, List.of(),
            "no replica is eligible as the authoritative copy (every readable replica is behind or needs repair)"));
      }
      DocumentDigests authoritative = reads.get(owners.indexOf(v.authoritative())).result();
      List<RepairReport.ReplicaRepair> repairs = Collections.synchronizedList(new ArrayList<>());
      for (String node : v.divergent()) {
        if (!v.repairable().contains(node)) {
          ReplicaStatus status = fleet.replicaStatus(node);
          repairs.add(new RepairReport.ReplicaRepair(node, 0, 0, null, false, "has " + status.pendingCopies()
              + " write copies still to deliver; it is repaired once it has caught up"));
        }
      }
      Future<Void> chain = Future.succeededFuture();
      for (String node : v.repairable()) {
        DocumentDigests replica = reads.get(owners.indexOf(node)).result();
        DigestDiff diff = replica.diffAgainst(authoritative);
        chain = chain.compose(x -> rewrite(s, indexUid, shard, v.authoritative(), node, diff, authoritative.summary())
            .map(r -> {
              repairs.add(r);
              return null;
            }));
      }
      return chain.map(x -> new RepairReport.ShardRepair(shard, v.authoritative(), rule, repairs, null));
    });
  }

  /** Brings one replica in line with the authoritative copy, then digests it again. */
  private Future<RepairReport.ReplicaRepair> rewrite(RoutingSnapshot s, String indexUid, int shard, String from,
      String to, DigestDiff diff, ShardDigest want) {
    TopologyNode source = s.node(from);
    TopologyNode target = s.node(to);
    List<String> toWrite = diff.toWrite();
    List<String> toDelete = diff.extra();
    return digester.primaryKey(source, indexUid).compose(primaryKey -> digester.stamp(source, indexUid).compose(stamp -> {
      List<Future<Long>> tasks = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < toWrite.size(); i += COPY_CHUNK) {
        List<String> chunk = toWrite.subList(i, Math.min(toWrite.size(), i + COPY_CHUNK));
        chain = chain.compose(x -> copyChunk(source, target, indexUid, shard, stamp, primaryKey, chunk).map(task -> {
          tasks.add(Future.succeededFuture(task));
          return null;
        }));
      }
      for (int i = 0; i < toDelete.size(); i += COPY_CHUNK) {
        List<String> chunk = toDelete.subList(i, Math.min(toDelete.size(), i + COPY_CHUNK));
        chain = chain.compose(x -> enqueue(target, HttpMethod.POST,
            "/indexes/" + Endpoints.segment(indexUid) + "/documents/delete-batch", array(chunk)).map(task -> {
              tasks.add(Future.succeededFuture(task));
              return null;
            }));
      }
      return chain.compose(x -> waitAll(target, tasks))
          .compose(x -> digester.digest(target, indexUid, shard))
          .map(after -> new RepairReport.ReplicaRepair(to, toWrite.size(), toDelete.size(), after, after.equals(want),
              after.equals(want) ? null : "still differs after the rewrite (was it written meanwhile?)"));
    })).recover(failure -> Future.succeededFuture(
        new RepairReport.ReplicaRepair(to, 0, 0, null, false, message(failure))));
  }

  /**
   * Copies some documents of the shard from the authoritative node to the target, as stored there
   * (the shard stamp kept, so the copy stays filterable to its shard). Returns the node task uid.
   */
  private Future<Long> copyChunk(TopologyNode source, TopologyNode target, String indexUid, int shard,
      ShardStamp stamp, String primaryKey, List<String> ids) {
    ObjectNode fetch = JsonNodeFactory.instance.objectNode();
    fetch.set("ids", array(ids));
    fetch.put("filter", stamp.is(shard));
    fetch.put("limit", ids.size());
    fetch.put("retrieveVectors", true);
    return fleet.nodes().send(source, HttpMethod.POST, "/indexes/" + Endpoints.segment(indexUid) + "/documents/fetch",
            Buffer.buffer(fetch.toString()), "application/json", fleet.masterAuthorization())
        .compose(reply -> {
          if (!reply.isSuccess()) {
            return Future.failedFuture(nodeFailure(source, "read the authoritative documents", reply));
          }
          ArrayNode docs = JsonNodeFactory.instance.arrayNode();
          for (JsonNode doc : reply.json().path("results")) {
            ObjectNode copy = (ObjectNode) doc;
            JsonNode vectors = copy.get("_vectors");
            if (vectors != null && vectors.isObject() && vectors.isEmpty()) {
              copy.remove("_vectors");
            }
            docs.add(copy);
          }
          if (docs.isEmpty()) {
            // Deleted on the authoritative copy since it was read: nothing to copy.
            return Future.succeededFuture(-1L);
          }
          // POST replaces whole documents (PUT would merge fields into the divergent copy).
          return enqueue(target, HttpMethod.POST, "/indexes/" + Endpoints.segment(indexUid) + "/documents?primaryKey="
              + Endpoints.segment(primaryKey), docs);
        });
  }

  private Future<Long> enqueue(TopologyNode node, HttpMethod method, String uri, JsonNode body) {
    return fleet.nodes().send(node, method, uri, Buffer.buffer(body.toString()), "application/json",
            fleet.masterAuthorization())
        .compose(reply -> reply.isSuccess() ? Future.succeededFuture(reply.json().path("taskUid").asLong())
            : Future.failedFuture(nodeFailure(node, "enqueue the repair", reply)));
  }

  private Future<Void> waitAll(TopologyNode node, List<Future<Long>> tasks) {
    Future<Void> chain = Future.succeededFuture();
    long deadline = System.nanoTime() + taskTimeout.toNanos();
    for (Future<Long> t : tasks) {
      long uid = t.result();
      if (uid >= 0) {
        chain = chain.compose(x -> awaitTask(node, uid, deadline, 20));
      }
    }
    return chain;
  }

  /** Polls one node task until it succeeded (or failed, or the deadline passed). */
  private Future<Void> awaitTask(TopologyNode node, long uid, long deadline, long delayMillis) {
    return fleet.nodes().send(node, HttpMethod.GET, "/tasks/" + uid, null, null, fleet.masterAuthorization())
        .compose(reply -> {
          String status = reply.isSuccess() ? reply.json().path("status").asText() : "";
          switch (status) {
            case "succeeded":
              return Future.succeededFuture();
            case "failed":
            case "canceled":
              return Future.failedFuture(MeiliError.internal("repair task " + uid + " on node `" + node.id() + "` "
                  + status + ": " + reply.json().path("error").path("message").asText("")).exception());
            default:
              if (System.nanoTime() > deadline) {
                return Future.failedFuture(MeiliError.nodeUnreachable("repair task " + uid + " on node `"
                    + node.id() + "` did not finish in " + taskTimeout.toSeconds() + " s").exception());
              }
              Promise<Void> later = Promise.promise();
              fleet.vertx().setTimer(delayMillis, id -> awaitTask(node, uid, deadline, Math.min(500, delayMillis * 2))
                  .onComplete(later));
              return later.future();
          }
        });
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private static ArrayNode array(List<String> ids) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    ids.forEach(a::add);
    return a;
  }

  private static Throwable nodeFailure(TopologyNode node, String what, NodeReply reply) {
    String detail = reply.status() == 0 ? reply.describe()
        : reply.describe() + ": " + reply.json().path("message").asText("");
    return MeiliError.nodeUnreachable("Could not " + what + " on node `" + node.id() + "`: " + detail).exception();
  }

  static String message(Throwable t) {
    return t instanceof ApiException api ? api.error().message() : String.valueOf(t);
  }

  /** Runs {@code work(0..n-1)} with at most {@code parallel} in flight; results in index order. */
  static <T> Future<List<T>> bounded(int n, int parallel, IntFunction<Future<T>> work) {
    List<T> results = Collections.synchronizedList(new ArrayList<>(Collections.nCopies(n, null)));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(Math.min(parallel, n));
    Promise<List<T>> done = Promise.promise();
    if (n == 0) {
      return Future.succeededFuture(List.of());
    }
    for (int w = 0; w < Math.min(parallel, n); w++) {
      runNext(next, n, work, results, running, done);
    }
    return done.future();
  }

  private static <T> void runNext(AtomicInteger next, int n, IntFunction<Future<T>> work, List<T> results,
      AtomicInteger running, Promise<List<T>> done) {
    int i = next.getAndIncrement();
    if (i >= n) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete(new ArrayList<>(results));
      }
      return;
    }
    Future<T> f;
    try {
      f = work.apply(i);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
      } else {
        results.set(i, ar.result());
      }
      runNext(next, n, work, results, running, done);
    });
  }
}
