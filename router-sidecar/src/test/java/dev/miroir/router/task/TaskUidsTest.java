package dev.miroir.router.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The uid rules every store shares, and the in-process store's restart behaviour. */
class TaskUidsTest {

  @Test
  void clockFloorIsFourPerSecondSince2026AndStopsBelowTwoToThe31() {
    assertThat(TaskUids.clockFloor(Instant.parse("2025-06-01T00:00:00Z"))).isZero();
    assertThat(TaskUids.clockFloor(Instant.parse("2026-01-01T00:00:01Z"))).isEqualTo(4);
    assertThat(TaskUids.clockFloor(Instant.parse("2026-01-02T00:00:00Z"))).isEqualTo(4 * 86_400);
    // The documented horizon: the floor still rises in 2040 and stops below 2^31 after it.
    assertThat(TaskUids.clockFloor(Instant.parse("2040-06-01T00:00:00Z"))).isLessThan(TaskUids.CLOCK_CEILING);
    assertThat(TaskUids.clockFloor(Instant.parse("2041-01-01T00:00:00Z"))).isEqualTo(TaskUids.CLOCK_CEILING);
    assertThat(TaskUids.clockFloor(Instant.parse("2100-01-01T00:00:00Z"))).isLessThan(Integer.MAX_VALUE);
    assertThatThrownBy(() -> TaskUids.checked(TaskUids.MAX_UID + 1, "store")).hasMessageContaining("exhausted");
  }

  /** A restarted in-process store starts above its previous run, which issued at most 4/s. */
  @Test
  void restartedInMemoryStoreDoesNotReuseUids() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    Set<Long> seen = new HashSet<>();
    InMemoryTaskStore first = new InMemoryTaskStore(100, clock);
    for (int i = 0; i < 40; i++) {
      assertThat(seen.add(first.nextUid())).isTrue();
      clock.advance(Duration.ofMillis(250));
    }
    // Restarted a moment later: it knows nothing of the first run.
    clock.advance(Duration.ofMillis(300));
    InMemoryTaskStore second = new InMemoryTaskStore(100, clock);
    long firstOfSecond = second.nextUid();
    assertThat(firstOfSecond).isGreaterThan(seen.stream().mapToLong(Long::longValue).max().orElseThrow());
    assertThat(seen.add(firstOfSecond)).isTrue();
  }

  /** A burst runs ahead of the clock; an idle spell of a quarter of the burst's size catches it up. */
  @Test
  void burstsAreCaughtUpByTheClock() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));
    InMemoryTaskStore first = new InMemoryTaskStore(100, clock);
    long last = 0;
    for (int i = 0; i < 1000; i++) {
      last = first.nextUid();
    }
    clock.advance(Duration.ofSeconds(251));
    assertThat(new InMemoryTaskStore(100, clock).nextUid()).isGreaterThan(last);
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
