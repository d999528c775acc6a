package dev.miroir.router.write;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/** Keeps nothing beyond the process: for tests and throwaway routers only (the router warns). */
final class MemoryLogStore implements ReplicaLogStore {

  private long lastSeq;

  @Override
  public Future<Loaded> load() {
    return Future.succeededFuture(new Loaded(0, List.of(), Map.of(), Map.of()));
  }

  @Override
  public synchronized Future<Long> append(List<List<NodeCopy>> writes) {
    long first = lastSeq + 1;
    lastSeq += writes.size();
    return Future.succeededFuture(first);
  }

  @Override
  public Future<Void> delivered(String nodeId, long seq, long taskUid) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> dropped(String nodeId, long throughSeq) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> needsRepair(String nodeId, String reason) {
    return Future.succeededFuture();
  }

  @Override
  public String describe() {
    return "memory";
  }

  @Override
  public void close() {}
}
