package dev.miroir.router.task;

import java.time.Instant;

/**
 * The rules every task store follows for router task uids. Pure.
 *
 * <p>A uid is positive and below 2^31: Meilisearch's task uids are u32 and the official Java SDK reads
 * them as {@code int}. A uid is never handed out twice, across restarts and router replicas: the
 * Redis store takes it from one shared, persisted counter, the file store (local mode) from a
 * high-water mark it reserves on disk before using, and the in-process store from the clock.
 *
 * <p><b>The clock floor.</b> Each store's next uid is at least {@link #clockFloor}: four per second since
 * 2026-01-01 UTC. The in-process store keeps nothing across a restart, so the clock is all it has: a
 * restarted router starts above every uid its previous run handed out unless that run issued tasks
 * faster than four per second for long enough to get ahead of the clock and the restart came before the
 * clock caught up again (a burst of 1,000 tasks within a few seconds is caught up within about four
 * minutes). Four per second leaves room until {@link #CLOCK_CEILING} (November 2040); beyond it the
 * floor stops rising and only the persisted stores keep their guarantee. The persisted stores use the
 * floor as a safety net only (a Redis that lost its data, a task directory deleted by hand), so their
 * uids look like the in-process store's and never go backwards when a cluster changes store.
 */
public final class TaskUids {

  /** Largest uid: {@code Integer.MAX_VALUE}. */
  public static final long MAX_UID = Integer.MAX_VALUE;

  static final Instant CLOCK_EPOCH = Instant.parse("2026-01-01T00:00:00Z");
  static final long TICKS_PER_SECOND = 4;
  /** The floor stops here, leaving 2^28 uids to stores that count from a persisted counter. */
  static final long CLOCK_CEILING = MAX_UID - (1L << 28);

  private TaskUids() {}

  /** Four per second since 2026-01-01 UTC, capped at {@link #CLOCK_CEILING}. */
  public static long clockFloor(Instant now) {
    long millis = now.toEpochMilli() - CLOCK_EPOCH.toEpochMilli();
    if (millis <= 0) {
      return 0;
    }
    return Math.min(CLOCK_CEILING, millis / (1000 / TICKS_PER_SECOND));
  }

  /** The uid, if it is one a client may be given; otherwise the store has run out. */
  public static long checked(long uid, Object store) {
    if (uid <= 0 || uid > MAX_UID) {
      throw new IllegalStateException("router task uids exhausted in " + store + " (next would be " + uid + ")");
    }
    return uid;
  }
}
