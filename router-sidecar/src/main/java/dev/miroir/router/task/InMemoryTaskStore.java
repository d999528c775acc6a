package dev.miroir.router.task;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tasks of one router, in process, bounded: beyond {@code capacity} the least recently used are
 * forgotten (a client polls a task for seconds, not days). Not shared between replicas and lost on
 * restart: run several routers with the Redis-backed store.
 *
 * <p>Uids start at the number of seconds since 2025-01-01 rather than 0, so that a restarted router
 * (which forgot its tasks) does not hand a client's old uid to a new task unless it enqueued more
 * than one task per second on average since 2025; 2^31 lasts until 2093 at that rate.
 */
public final class InMemoryTaskStore implements TaskStore {

  static final long UID_EPOCH_SECONDS = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();
  static final long MAX_UID = Integer.MAX_VALUE;

  private final Cache<Long, RouterTask> tasks;
  private final NavigableSet<Long> uids = new ConcurrentSkipListSet<>();
  private final AtomicLong lastUid;

  public InMemoryTaskStore(long capacity) {
    this.tasks =
        Caffeine.newBuilder()
            .maximumSize(capacity)
            .executor(Runnable::run)
            .removalListener(
                (Long uid, RouterTask task, RemovalCause cause) -> {
                  if (cause != RemovalCause.REPLACED && uid != null) {
                    uids.remove(uid);
                  }
                })
            .build();
    this.lastUid = new AtomicLong(Math.max(0, Instant.now().getEpochSecond() - UID_EPOCH_SECONDS));
  }

  @Override
  public long nextUid() {
    long uid = lastUid.incrementAndGet();
    if (uid > MAX_UID) {
      throw new IllegalStateException("router task uids exhausted");
    }
    return uid;
  }

  @Override
  public void put(RouterTask task) {
    tasks.put(task.uid(), task);
    uids.add(task.uid());
  }

  @Override
  public Optional<RouterTask> get(long uid) {
    return Optional.ofNullable(tasks.getIfPresent(uid));
  }

  @Override
  public List<RouterTask> listDescending(long fromUid, int max) {
    List<RouterTask> result = new ArrayList<>();
    for (Long uid : uids.headSet(fromUid, true).descendingSet()) {
      RouterTask task = tasks.getIfPresent(uid);
      if (task != null) {
        result.add(task);
        if (result.size() >= max) {
          break;
        }
      }
    }
    return result;
  }

  @Override
  public void remove(Collection<Long> toRemove) {
    tasks.invalidateAll(toRemove);
  }

  @Override
  public long size() {
    return tasks.estimatedSize();
  }
}
