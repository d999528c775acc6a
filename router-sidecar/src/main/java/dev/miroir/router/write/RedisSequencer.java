package dev.miroir.router.write;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sequencer election among several routers through a lease in the shared Redis.
 *
 * <p>The lease key holds {@code <term>|<router id>|<advertised url>} and expires after {@link #TTL}
 * unless its holder renews it (every {@link #RENEW}, compare-and-{@code PEXPIRE}). Taking a free lease
 * increments {@code term}: the fencing token every replica-log script checks, so a router that lost
 * the lease (paused, partitioned) can no longer append or mark copies delivered. A router considers
 * itself the leader only until {@code last renewal sent + 0.8 × TTL} by its own monotonic clock, so
 * it stops before another router can take over. Followers read the leader's URL from the same key.
 */
final class RedisSequencer implements SequencerRole {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSequencer.class);

  static final String LEASE = RedisLogStore.PREFIX + "lease";
  static final String TERM = RedisLogStore.PREFIX + "term";
  static final Duration TTL = Duration.ofMillis(Long.getLong("miroir.sequencer.leaseMillis", 5_000));
  static final Duration RENEW = TTL.dividedBy(5);

  private static final String ACQUIRE = """
      local current = redis.call('GET', KEYS[1])
      if current then
        return current
      end
      local t = redis.call('INCR', KEYS[2])
      local v = t .. '|' .. ARGV[1] .. '|' .. ARGV[2]
      redis.call('SET', KEYS[1], v, 'PX', ARGV[3])
      return v
      """;

  private static final String RENEW_SCRIPT = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
      end
      return 0
      """;

  private static final String RELEASE = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0
      """;

  private final Vertx vertx;
  private final Redis redis;
  private final String routerId = UUID.randomUUID().toString();
  private final String advertiseUrl;
  private final RedisLogStore store;
  private Supplier<Future<Void>> onLeading;
  private Runnable onLost = () -> {};
  private volatile String leaseValue;
  private volatile long term;
  private volatile boolean leading;
  private volatile boolean becoming;
  private volatile long validUntilNanos;
  private volatile String leaderUrl;
  private volatile Map<String, ReplicaStatus> remote = Map.of();
  private long timer = -1;
  private boolean ticking;

  RedisSequencer(Vertx vertx, WriteOptions options) {
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(options.replicaLog())
        .setMaxPoolSize(8).setMaxPoolWaiting(4096));
    this.advertiseUrl = options.advertiseUrl() == null ? "" : options.advertiseUrl();
    this.store = new RedisLogStore(redis, LEASE, () -> term, options.describe());
  }

  RedisLogStore store() {
    return store;
  }

  @Override
  public boolean leading() {
    return leading && System.nanoTime() < validUntilNanos;
  }

  @Override
  public String leaderUrl() {
    return leading() ? null : leaderUrl;
  }

  @Override
  public long term() {
    return term;
  }

  @Override
  public void onLost(Runnable action) {
    this.onLost = action;
  }

  @Override
  public ReplicaStatus remoteStatus(String nodeId) {
    return leading() ? null : remote.getOrDefault(nodeId, new ReplicaStatus(nodeId, 0, false, null));
  }

  @Override
  public Future<Void> start(Supplier<Future<Void>> onLeading) {
    this.onLeading = onLeading;
    return tick().onComplete(done -> timer = vertx.setPeriodic(RENEW.toMillis(), id -> tick()));
  }

  private Future<Void> tick() {
    synchronized (this) {
      if (ticking) {
        return Future.succeededFuture();
      }
      ticking = true;
    }
    long sentAt = System.nanoTime();
    Future<Void> step = leaseValue != null ? renew(sentAt) : acquire(sentAt);
    return step.recover(failure -> {
      LOG.warn("sequencer lease in Redis: {}", failure.toString());
      if (leaseValue != null && System.nanoTime() >= validUntilNanos) {
        lose("cannot renew the lease: " + failure.getMessage());
      }
      return Future.succeededFuture();
    }).onComplete(done -> {
      synchronized (this) {
        ticking = false;
      }
    });
  }

  private Future<Void> renew(long sentAt) {
    String mine = leaseValue;
    return redis.send(Request.cmd(Command.EVAL).arg(RENEW_SCRIPT).arg(1).arg(LEASE).arg(mine).arg(TTL.toMillis()))
        .map(r -> {
          if (r != null && r.toLong() == 1) {
            validUntilNanos = sentAt + (long) (TTL.toNanos() * 0.8);
          } else {
            lose("another router holds the lease");
          }
          return null;
        });
  }

  private Future<Void> acquire(long sentAt) {
    return redis.send(Request.cmd(Command.EVAL).arg(ACQUIRE).arg(2).arg(LEASE).arg(TERM).arg(routerId)
        .arg(advertiseUrl).arg(TTL.toMillis())).compose(r -> {
          String value = r.toString();
          String[] parts = value.split("\\|", 3);
          if (parts.length == 3 && parts[1].equals(routerId)) {
            term = Long.parseLong(parts[0]);
            leaseValue = value;
            validUntilNanos = sentAt + (long) (TTL.toNanos() * 0.8);
            becoming = true;
            LOG.info("this router is now the cluster's write sequencer (term {})", term);
            return onLeading.get().map(v -> {
              becoming = false;
              if (value.equals(leaseValue)) {
                leading = true;
              }
              return (Void) null;
            }).recover(failure -> {
              becoming = false;
              lose("could not load the replica log: " + failure);
              return Future.succeededFuture();
            });
          }
          leaderUrl = parts.length == 3 && !parts[2].isEmpty() ? parts[2] : null;
          return store.statuses().map(statuses -> {
            remote = statuses;
            return (Void) null;
          });
        });
  }

  private void lose(String why) {
    boolean was = leaseValue != null;
    leading = false;
    leaseValue = null;
    if (was) {
      LOG.warn("this router stopped sequencing writes: {}", why);
      onLost.run();
    }
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    String mine = leaseValue;
    leading = false;
    if (mine != null) {
      try {
        redis.send(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(LEASE).arg(mine))
            .toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("could not release the sequencer lease (it expires by itself): {}", e.toString());
      }
    }
    leaseValue = null;
    redis.close();
  }

  @SuppressWarnings("unused")
  private static long asLong(Response r) {
    return r == null ? 0 : r.toLong();
  }
}
