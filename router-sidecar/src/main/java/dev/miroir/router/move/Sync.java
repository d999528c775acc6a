package dev.miroir.router.move;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The mover runs on its own threads and waits for the router's asynchronous clients. */
final class Sync {

  private Sync() {}

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within 10 minutes", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MoveInterruptedException();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MoveInterruptedException();
    }
  }

  /** The mover is being stopped (or killed in a test): stop at once, save nothing more. */
  static final class MoveInterruptedException extends RuntimeException {
    MoveInterruptedException() {
      super("mover stopped");
    }
  }
}
