package dev.miroir.router.task;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.time.Clock;
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
 * restart: run several routers with the Redis-backed store, and local mode with {@link FileTaskStore}.
 *
 * <p>Uids follow the clock ({@link TaskUids#clockFloor}: each uid is the larger of the previous plus one
 * and four per second since 2026), so a restarted router, which forgot its tasks, does not hand a
 * client's old uid to a new task; see {@link TaskUids} for the one case it cannot rule out and why.
 */
public final class InMemoryTaskStore implements TaskStore {

  private final Clock clock;
  private final Cache<Long, RouterTask> tasks;
  private final NavigableSet<Long> uids = new ConcurrentSkipListSet<>();
  private final AtomicLong lastUid;

  public InMemoryTaskStore(long capacity) {
    this(capacity, Clock.systemUTC());
  }

  InMemoryTaskStore(long capacity, Clock clock) {
    this.clock = clock;
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
    this.lastUid = new AtomicLong(TaskUids.clockFloor(clock.instant()));
  }

  @Override
  public long nextUid() {
    long floor = TaskUids.clockFloor(clock.instant());
    return TaskUids.checked(lastUid.updateAndGet(last -> Math.max(last + 1, floor)), this);
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

  @Override
  public String toString() {
    return "InMemoryTaskStore";
  }
}
