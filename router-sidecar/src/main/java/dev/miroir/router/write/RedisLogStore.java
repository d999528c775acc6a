package dev.miroir.router.write;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The replica log in the shared Redis, for several routers. Every change is a Lua script that first
 * checks the caller's fencing token (the term in the sequencer lease), so a router that lost the lease
 * can neither append nor mark a copy delivered.
 *
 * <p>Keys under {@code miroir:rlog:}: {@code seq} (the sequence counter), {@code q:<node>} (the node's
 * pending copies, a list of {@code <20-digit seq><copy>}), {@code nodes} (nodes that ever had a queue),
 * {@code lasttask} (node → last enqueued node task uid), {@code repair} (node → why it needs repair),
 * and the lease keys of {@link RedisSequencer}.
 */
final class RedisLogStore implements ReplicaLogStore {

  static final String PREFIX = "miroir:rlog:";
  private static final String SEQ = PREFIX + "seq";
  private static final String QUEUE = PREFIX + "q:";
  private static final String NODES = PREFIX + "nodes";
  private static final String LAST_TASK = PREFIX + "lasttask";
  private static final String REPAIR = PREFIX + "repair";

  private static final String CHECK_LEASE = """
      local lease = redis.call('GET', KEYS[1])
      if (not lease) or string.sub(lease, 1, string.len(ARGV[1]) + 1) ~= (ARGV[1] .. '|') then
        return redis.error_reply('NOTLEADER the sequencer lease moved on')
      end
      """;

  private static final String APPEND = CHECK_LEASE + """
      local n = tonumber(ARGV[2])
      local first = redis.call('INCRBY', KEYS[2], n) - n + 1
      local i = 3
      for w = 0, n - 1 do
        local seq = string.format('%020d', first + w)
        local c = tonumber(ARGV[i])
        i = i + 1
        for j = 1, c do
          redis.call('RPUSH', KEYS[3] .. ARGV[i], seq .. ARGV[i + 1])
          redis.call('SADD', KEYS[4], ARGV[i])
          i = i + 2
        end
      end
      return first
      """;

  private static final String DELIVERED = CHECK_LEASE + """
      local q = KEYS[2] .. ARGV[2]
      local head = redis.call('LINDEX', q, 0)
      if head and string.sub(head, 1, 20) == ARGV[3] then
        redis.call('LPOP', q)
      end
      if tonumber(ARGV[4]) >= 0 then
        redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
      end
      return 1
      """;

  private static final String DROPPED = CHECK_LEASE + """
      local q = KEYS[2] .. ARGV[2]
      while true do
        local head = redis.call('LINDEX', q, 0)
        if (not head) or string.sub(head, 1, 20) > ARGV[3] then
          break
        end
        redis.call('LPOP', q)
      end
      return 1
      """;

  private final Redis redis;
  private final String leaseKey;
  private final LongSupplier term;
  private final String description;

  RedisLogStore(Redis redis, String leaseKey, LongSupplier term, String description) {
    this.redis = redis;
    this.leaseKey = leaseKey;
    this.term = term;
    this.description = description;
  }

  @Override
  public Future<Loaded> load() {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(NODES)).compose(members -> {
      List<String> nodes = new ArrayList<>();
      if (members != null) {
        members.forEach(m -> nodes.add(m.toString()));
      }
      List<Future<Response>> queues = new ArrayList<>();
      for (String node : nodes) {
        queues.add(redis.send(Request.cmd(Command.LRANGE).arg(QUEUE + node).arg(0).arg(-1)));
      }
      Future<Response> lastTasks = hgetall(LAST_TASK);
      Future<Response> repairs = hgetall(REPAIR);
      Future<Response> seq = redis.send(Request.cmd(Command.GET).arg(SEQ));
      List<Future<?>> all = new ArrayList<>(queues);
      all.add(lastTasks);
      all.add(repairs);
      all.add(seq);
      return Future.all(all).map(done -> {
        List<NodeCopy> pending = new ArrayList<>();
        for (Future<Response> q : queues) {
          if (q.result() != null) {
            for (Response entry : q.result()) {
              pending.add(decode(entry.toBytes()));
            }
          }
        }
        pending.sort(Comparator.comparingLong(NodeCopy::seq));
        Map<String, Long> tasks = new HashMap<>();
        hash(lastTasks.result()).forEach((k, v) -> tasks.put(k, Long.parseLong(v)));
        Map<String, String> repair = hash(repairs.result());
        long last = seq.result() == null ? 0 : seq.result().toLong();
        return new Loaded(last, pending, tasks, repair);
      });
    });
  }

  @Override
  public Future<Long> append(List<List<NodeCopy>> writes) {
    long now = System.currentTimeMillis();
    Request r = Request.cmd(Command.EVAL).arg(APPEND).arg(4).arg(leaseKey).arg(SEQ).arg(QUEUE).arg(NODES)
        .arg(term.getAsLong()).arg(writes.size());
    for (List<NodeCopy> write : writes) {
      r.arg(write.size());
      for (NodeCopy c : write) {
        r.arg(c.nodeId());
        // The sequence number is known only inside the script: it prefixes the entry, and the copy
        // inside carries the time only (its seq is restored from the prefix when loaded).
        r.arg(Buffer.buffer(CopyCodec.encodeCopy(c.sequenced(0, now))));
      }
    }
    return call(r).map(Response::toLong);
  }

  @Override
  public Future<Void> delivered(String nodeId, long seq, long taskUid) {
    return call(Request.cmd(Command.EVAL).arg(DELIVERED).arg(3).arg(leaseKey).arg(QUEUE).arg(LAST_TASK)
        .arg(term.getAsLong()).arg(nodeId).arg(String.format("%020d", seq)).arg(taskUid)).mapEmpty();
  }

  @Override
  public Future<Void> dropped(String nodeId, long throughSeq) {
    return call(Request.cmd(Command.EVAL).arg(DROPPED).arg(2).arg(leaseKey).arg(QUEUE)
        .arg(term.getAsLong()).arg(nodeId).arg(String.format("%020d", throughSeq))).mapEmpty();
  }

  @Override
  public Future<Void> needsRepair(String nodeId, String reason) {
    Request r = reason == null ? Request.cmd(Command.HDEL).arg(REPAIR).arg(nodeId)
        : Request.cmd(Command.HSET).arg(REPAIR).arg(nodeId).arg(reason);
    return redis.send(r).mapEmpty();
  }

  /** For routers that do not lead: each node's pending copies and repair reason, read from Redis. */
  Future<Map<String, ReplicaStatus>> statuses() {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(NODES)).compose(members -> {
      List<String> nodes = new ArrayList<>();
      if (members != null) {
        members.forEach(m -> nodes.add(m.toString()));
      }
      List<Future<Response>> lengths = new ArrayList<>();
      nodes.forEach(n -> lengths.add(redis.send(Request.cmd(Command.LLEN).arg(QUEUE + n))));
      Future<Response> repairs = hgetall(REPAIR);
      List<Future<?>> all = new ArrayList<>(lengths);
      all.add(repairs);
      return Future.all(all).map(done -> {
        Map<String, String> repair = hash(repairs.result());
        Map<String, ReplicaStatus> out = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
          String n = nodes.get(i);
          out.put(n, new ReplicaStatus(n, lengths.get(i).result().toLong(), repair.containsKey(n), repair.get(n)));
        }
        repair.forEach((n, why) -> out.putIfAbsent(n, new ReplicaStatus(n, 0, true, why)));
        return out;
      });
    });
  }

  private Future<Response> call(Request r) {
    return redis.send(r).recover(failure -> Future.failedFuture(
        String.valueOf(failure.getMessage()).contains("NOTLEADER")
            ? new NotLeaderException("this router's sequencer lease moved on (term " + term.getAsLong() + ")")
            : failure));
  }

  private static NodeCopy decode(byte[] entry) {
    long seq = Long.parseLong(new String(entry, 0, 20, StandardCharsets.US_ASCII));
    byte[] copy = java.util.Arrays.copyOfRange(entry, 20, entry.length);
    NodeCopy c = CopyCodec.decodeCopy(copy);
    return c.sequenced(seq, c.loggedAtMillis());
  }

  /** HGETALL through a script, so the reply is a flat array whatever protocol the client speaks. */
  private Future<Response> hgetall(String key) {
    return redis.send(Request.cmd(Command.EVAL).arg("return redis.call('HGETALL', KEYS[1])").arg(1).arg(key));
  }

  private static Map<String, String> hash(Response r) {
    Map<String, String> out = new HashMap<>();
    if (r == null) {
      return out;
    }
    for (int i = 0; i + 1 < r.size(); i += 2) {
      out.put(r.get(i).toString(), r.get(i + 1).toString());
    }
    return out;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {}
}
