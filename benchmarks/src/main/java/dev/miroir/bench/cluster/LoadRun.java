package dev.miroir.bench.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * A closed loop: {@code clients} threads each send one search, wait for its answer, and send the
 * next, for a warm-up (not recorded) and then a measured window. Latency in microseconds.
 */
final class LoadRun {

  record Result(String system, int clients, Histogram latencyMicros, long completed, long errors,
      String firstError, double seconds) {

    double throughput() {
      return completed / seconds;
    }

    double p(double percentile) {
      return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  private LoadRun() {}

  static Result run(SearchTarget target, int clients, long warmupMillis, long measureMillis, int seed) {
    long start = System.nanoTime();
    long measureFrom = start + warmupMillis * 1_000_000;
    long measureTo = measureFrom + measureMillis * 1_000_000;
    return run(target, clients, measureFrom, measureTo, () -> false, seed);
  }

  /**
   * Measured from now until {@code done} says so (a rebalance ending, say); the last searches in
   * flight then count too. Throughput is over the time it really ran.
   */
  static Result until(SearchTarget target, int clients, java.util.function.BooleanSupplier done, int seed) {
    return run(target, clients, System.nanoTime(), Long.MAX_VALUE, done, seed);
  }

  private static Result run(SearchTarget target, int clients, long measureFrom, long measureTo,
      java.util.function.BooleanSupplier over, int seed) {
    List<Histogram> histograms = new ArrayList<>();
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Histogram h = new Histogram(120_000_000L, 3);
      histograms.add(h);
      int client = c;
      Thread t = new Thread(() -> {
        int i = seed + client * 7919;
        while (true) {
          long sent = System.nanoTime();
          if (sent >= measureTo || over.getAsBoolean()) {
            return;
          }
          boolean ok = true;
          try {
            target.search(i++);
          } catch (RuntimeException e) {
            ok = false;
            if (sent >= measureFrom) {
              errors.incrementAndGet();
              firstError.compareAndSet(null, e.getMessage());
            }
          }
          long done = System.nanoTime();
          if (ok && sent >= measureFrom && done <= measureTo) {
            h.recordValue(Math.max(1, (done - sent) / 1000));
            completed.incrementAndGet();
          }
        }
      }, "bench-client-" + c);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    Histogram all = new Histogram(120_000_000L, 3);
    histograms.forEach(all::add);
    double seconds = (Math.min(measureTo, System.nanoTime()) - measureFrom) / 1e9;
    return new Result(target.name, clients, all, completed.get(), errors.get(), firstError.get(), seconds);
  }
}
