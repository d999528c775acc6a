package dev.miroir.router.move;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The quiet-node rule between concurrent moves: no window between an enqueue and a fence's drain. */
class NodeGateTest {

  private final NodeGate gate = new NodeGate(Duration.ofMinutes(1));

  @Test
  void anEnqueueWaitsWhileItsNodeIsQuietAndOnlyThen() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    CompletableFuture<Void> enqueue;
    try (NodeGate.Held held = gate.quiet(List.of("n1", "n2"))) {
      assertThat(gate.isQuiet("n1")).isTrue();
      // Another node is not held: its enqueue runs at once.
      assertThat(gate.enqueuing(List.of("n3"), () -> "done")).isEqualTo("done");
      enqueue = CompletableFuture.runAsync(() -> gate.enqueuing(List.of("n2"), () -> {
        ran.set(true);
        return null;
      }));
      Thread.sleep(200);
      assertThat(ran).as("an enqueue on a quiet node waits").isFalse();
    }
    enqueue.get(30, TimeUnit.SECONDS);
    assertThat(ran).isTrue();
    assertThat(gate.isQuiet("n1")).isFalse();
  }

  @Test
  void makingANodeQuietWaitsForTheEnqueueRunningOnIt() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicBoolean enqueued = new AtomicBoolean();
    CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> gate.enqueuing(List.of("n1"), () -> {
      inside.countDown();
      await(finish);
      enqueued.set(true);
      return null;
    }));
    assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> quiet = CompletableFuture.supplyAsync(() -> {
      try (NodeGate.Held held = gate.quiet(List.of("n1"))) {
        // Whatever the other move enqueued is in the queue before this move drains it.
        return enqueued.get();
      }
    });
    Thread.sleep(200);
    assertThat(quiet).as("quiet waits for the running enqueue").isNotDone();
    finish.countDown();
    assertThat(quiet.get(30, TimeUnit.SECONDS)).isTrue();
    copy.get(30, TimeUnit.SECONDS);
  }

  @Test
  void bothWaitsAreBoundedBecauseTheRuleIsOnlyAnOptimization() throws Exception {
    NodeGate impatient = new NodeGate(Duration.ofMillis(50));
    try (NodeGate.Held held = impatient.quiet(List.of("n1"))) {
      assertThat(CompletableFuture.supplyAsync(() -> impatient.enqueuing(List.of("n1"), () -> "late"))
          .get(30, TimeUnit.SECONDS)).isEqualTo("late");
    }
    // Closing twice releases once: a second quiet on the same node is not left held.
    NodeGate.Held held = impatient.quiet(List.of("n1"));
    held.close();
    held.close();
    assertThat(impatient.isQuiet("n1")).isFalse();
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
