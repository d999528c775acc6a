package dev.miroir.router.task;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where router tasks live. Methods may block (a remote store); the server calls them off the event
 * loop when {@link #isBlocking()} says so.
 */
public interface TaskStore extends AutoCloseable {

  /**
   * A new task uid: positive, below 2^31 (Meilisearch's task uids are u32 and the official Java SDK
   * reads them as {@code int}), and never handed out twice by any router sharing this store.
   */
  long nextUid();

  void put(RouterTask task);

  Optional<RouterTask> get(long uid);

  /** Up to {@code max} tasks with uid at most {@code fromUid}, highest uid first. */
  List<RouterTask> listDescending(long fromUid, int max);

  void remove(Collection<Long> uids);

  /** Total number of tasks held. */
  long size();

  default boolean isBlocking() {
    return false;
  }

  @Override
  default void close() {}
}
