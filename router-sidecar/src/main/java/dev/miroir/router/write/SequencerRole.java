package dev.miroir.router.write;

import io.vertx.core.Future;

/**
 * Whether this router is the cluster's write sequencer, and who is otherwise. A single router is
 * always the sequencer; several routers elect one through a lease in the shared store.
 */
public interface SequencerRole extends AutoCloseable {

  /** True while this router holds the sequencer's lease (and may append and dispatch). */
  boolean leading();

  /** The leader's advertised base URL, when another router leads; null when unknown or when leading. */
  String leaderUrl();

  /** The current term (fencing token), 0 for a single router. */
  long term();

  /**
   * Starts taking part. {@code onLeading} runs each time this router wins the lease; {@link #leading()}
   * turns true only once its future completed (the log is loaded before anything is appended).
   */
  Future<Void> start(java.util.function.Supplier<Future<Void>> onLeading);

  /** Runs when this router stops leading (lease lost): held writes must be let go. */
  default void onLost(Runnable action) {}

  /** On a router that does not lead, a node's status as the shared log says; null when leading. */
  default ReplicaStatus remoteStatus(String nodeId) {
    return null;
  }

  @Override
  void close();

  /** The only router: always leading. */
  static SequencerRole single() {
    return new SequencerRole() {
      @Override
      public boolean leading() {
        return true;
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
        return onLeading.get();
      }

      @Override
      public void close() {}
    };
  }
}
