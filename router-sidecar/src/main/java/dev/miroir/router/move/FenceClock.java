package dev.miroir.router.move;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one fenced verification's time went, phase by phase: every millisecond under the fence holds
 * the shard's writes, so the mover reports it ({@link Mover.Listener#fenced}) and the benchmarks sum it.
 * Not thread-safe: one fenced step, one thread.
 */
public final class FenceClock {

  /** Whether to note what each fenced drain found queued (one more request per drain: benchmarks only). */
  static final boolean TRACE = Boolean.getBoolean("miroir.mover.traceFence");

  private final Map<String, Long> millis = new LinkedHashMap<>();
  private final java.util.List<String> notes = new java.util.ArrayList<>();
  private long mark = System.nanoTime();

  /** Charges the time since the last lap (or the clock's start) to {@code phase}. */
  public void lap(String phase) {
    long now = System.nanoTime();
    millis.merge(phase, (now - mark) / 1_000_000, Long::sum);
    mark = now;
  }

  /** Remembers what a phase met (e.g. the tasks a drain waited for), with {@link #TRACE} only. */
  public void note(String what) {
    notes.add(what);
  }

  public java.util.List<String> notes() {
    return java.util.List.copyOf(notes);
  }

  /** Milliseconds per phase, in the order the phases were first met. */
  public Map<String, Long> millis() {
    return new LinkedHashMap<>(millis);
  }
}
