package dev.miroir.router.write;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Placeholder until the Redis-shared log and lease land. */
final class RedisSequencer implements SequencerRole {

  RedisSequencer(Vertx vertx, WriteOptions options) {
    throw new IllegalArgumentException("a Redis replica log is not available yet: use file: or memory");
  }

  ReplicaLogStore store() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean leading() {
    return false;
  }

  @Override
  public String leaderUrl() {
    return null;
  }

  @Override
  public long term() {
    return 0;
  }

  @Override
  public Future<Void> start(java.util.function.Supplier<Future<Void>> onLeading) {
    return Future.failedFuture("not available");
  }

  @Override
  public void close() {}
}
