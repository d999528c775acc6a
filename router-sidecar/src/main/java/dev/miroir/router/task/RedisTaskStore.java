package dev.miroir.router.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Router tasks in Redis, shared by every router replica: a task enqueued through one router is
 * readable through any other, and after a restart.
 *
 * <p>Layout under a key prefix (default {@code miroir:}):
 *
 * <ul>
 *   <li>{@code tasks:uid} — the uid counter. {@code INCR} makes uids unique across replicas and
 *       restarts of any router (the counter outlives them; the operator runs Redis with an append-only
 *       file). One script raises it, atomically, to a floor when it is below: the clock floor of
 *       {@link TaskUids}, and one above the highest uid this router has handed out. So a Redis that
 *       lost its data, or the last second of it ({@code appendfsync everysec}), does not hand out a uid
 *       that a live router handed out before, nor one the clock says is old;
 *   <li>{@code task:<uid>} — the task as JSON, expiring after {@code retention} (a client polls a task
 *       for seconds, not weeks; this bounds the store);
 *   <li>{@code tasks} — a sorted set of uids (score = uid) for {@code GET /tasks} paging; members
 *       whose task expired are dropped when a listing meets them, and the oldest are trimmed beyond
 *       {@code capacity}.
 * </ul>
 *
 * <p>Calls block (with a timeout), so {@link #isBlocking()} is true and the router calls them off
 * the event loop. The store runs its own small Vert.x instance for the Redis client, because the
 * router's configuration (and so this store) exists before the router's Vert.x does.
 */
public final class RedisTaskStore implements TaskStore {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  /** INCR, raised to ARGV[1] when below it; one script, so atomic against every other router. */
  static final String NEXT_UID_SCRIPT = """
      local uid = redis.call('INCR', KEYS[1])
      local floor = tonumber(ARGV[1])
      if uid < floor then
        redis.call('SET', KEYS[1], floor)
        return floor
      end
      return uid""";

  private final Vertx vertx;
  private final Redis redis;
  private final String prefix;
  private final Duration retention;
  private final long capacity;
  private final String description;
  private final AtomicLong highestIssued = new AtomicLong();

  public RedisTaskStore(String redisUrl, String prefix, Duration retention, long capacity) {
    this.vertx = Vertx.vertx();
    this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl)
        .setMaxPoolSize(8).setMaxPoolWaiting(256));
    this.prefix = prefix;
    this.retention = retention;
    this.capacity = capacity;
    this.description = describe(redisUrl);
  }

  /** Defaults: prefix {@code miroir:}, 7 days' retention, 1,000,000 tasks. */
  public static RedisTaskStore connect(String redisUrl) {
    return new RedisTaskStore(redisUrl, "miroir:", Duration.ofDays(7), 1_000_000);
  }

  @Override
  public long nextUid() {
    long floor = Math.max(TaskUids.clockFloor(Instant.now()), highestIssued.get() + 1);
    long uid = call(Request.cmd(Command.EVAL).arg(NEXT_UID_SCRIPT).arg(1).arg(key("tasks:uid")).arg(floor)).toLong();
    highestIssued.accumulateAndGet(uid, Math::max);
    return TaskUids.checked(uid, this);
  }

  @Override
  public void put(RouterTask task) {
    String json;
    try {
      json = JSON.writeValueAsString(task);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode router task " + task.uid(), e);
    }
    call(Request.cmd(Command.SET).arg(taskKey(task.uid())).arg(json).arg("EX").arg(retention.toSeconds()));
    Response added = call(Request.cmd(Command.ZADD).arg(key("tasks")).arg(task.uid()).arg(task.uid()));
    if (added != null && added.toLong() > 0 && capacity > 0) {
      // Keep the newest `capacity` uids; the trimmed tasks' own keys expire on their own.
      call(Request.cmd(Command.ZREMRANGEBYRANK).arg(key("tasks")).arg(0).arg(-capacity - 1));
    }
  }

  @Override
  public Optional<RouterTask> get(long uid) {
    Response r = call(Request.cmd(Command.GET).arg(taskKey(uid)));
    return r == null ? Optional.empty() : Optional.of(decode(r.toString()));
  }

  @Override
  public List<RouterTask> listDescending(long fromUid, int max) {
    List<RouterTask> result = new ArrayList<>();
    String upper = Long.toString(fromUid);
    int page = (int) Math.min(Math.max(max, 1), 500);
    while (result.size() < max) {
      Response uids = call(Request.cmd(Command.ZREVRANGEBYSCORE).arg(key("tasks")).arg(upper).arg("-inf")
          .arg("LIMIT").arg(0).arg(page));
      if (uids == null || uids.size() == 0) {
        break;
      }
      Request mget = Request.cmd(Command.MGET);
      List<Long> batch = new ArrayList<>();
      for (Response uid : uids) {
        batch.add(uid.toLong());
        mget.arg(taskKey(uid.toLong()));
      }
      Response tasks = call(mget);
      List<Long> expired = new ArrayList<>();
      for (int i = 0; i < batch.size() && result.size() < max; i++) {
        Response t = tasks.get(i);
        if (t == null) {
          expired.add(batch.get(i));
        } else {
          result.add(decode(t.toString()));
        }
      }
      if (!expired.isEmpty()) {
        Request zrem = Request.cmd(Command.ZREM).arg(key("tasks"));
        expired.forEach(zrem::arg);
        call(zrem);
      }
      long lowest = batch.get(batch.size() - 1);
      if (batch.size() < page || lowest <= 0) {
        break;
      }
      upper = "(" + lowest;
    }
    return result;
  }

  @Override
  public void remove(Collection<Long> uids) {
    if (uids.isEmpty()) {
      return;
    }
    Request del = Request.cmd(Command.DEL);
    Request zrem = Request.cmd(Command.ZREM).arg(key("tasks"));
    for (long uid : uids) {
      del.arg(taskKey(uid));
      zrem.arg(uid);
    }
    call(del);
    call(zrem);
  }

  @Override
  public long size() {
    return call(Request.cmd(Command.ZCARD).arg(key("tasks"))).toLong();
  }

  @Override
  public boolean isBlocking() {
    return true;
  }

  @Override
  public void close() {
    try {
      redis.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null)
          .join();
    }
  }

  @Override
  public String toString() {
    return "RedisTaskStore[" + description + "]";
  }

  private Response call(Request request) {
    Future<Response> sent = redis.send(request);
    try {
      return sent.toCompletionStage().toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling " + description, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("task store " + description + " failed: " + cause, cause);
    }
  }

  private String key(String name) {
    return prefix + name;
  }

  private String taskKey(long uid) {
    return prefix + "task:" + uid;
  }

  private static RouterTask decode(String json) {
    try {
      return JSON.readValue(json, RouterTask.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot decode a router task from Redis", e);
    }
  }

  /** The URL without credentials, for logs. */
  private static String describe(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort());
    } catch (RuntimeException e) {
      return "redis";
    }
  }
}
