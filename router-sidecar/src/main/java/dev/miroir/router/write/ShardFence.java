package dev.miroir.router.write;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Set;

/**
 * Holds new writes to some shards while a repair or a shard move finishes its last step. Writes are
 * sequenced by one writer per cluster (see {@code docs/design/writes.md}), so a fence raised there
 * holds every router's writes to those shards.
 *
 * <p>Raising a fence resolves once every write to those shards sequenced before it is enqueued on
 * every reachable write target, or recorded as a missed copy. Writes that arrive while it stands wait
 * (they are not refused) until it is lifted or its time to live runs out, so a crashed mover cannot
 * hold a shard forever.
 */
public interface ShardFence {

  /**
   * @param indexUid the index, or null for the shards of every index (a shard move)
   * @param shards the shards to hold
   * @param ttl how long the fence stands at most if nobody lifts it
   */
  Future<Handle> raise(String indexUid, Set<Integer> shards, Duration ttl);

  /** A raised fence. */
  interface Handle {
    String id();

    Future<Void> lift();
  }
}
