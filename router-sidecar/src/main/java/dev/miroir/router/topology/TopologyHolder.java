package dev.miroir.router.topology;

import dev.miroir.core.topology.TopologyDocument;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing snapshot currently served. A document replaces it only with a higher epoch: sources may
 * deliver late or repeated documents (a watch reconnect, a file rewritten with old content), and
 * going back to an older placement could send writes to nodes that no longer own a shard.
 */
public final class TopologyHolder {

  private static final Logger LOG = LoggerFactory.getLogger(TopologyHolder.class);

  private final AtomicReference<RoutingSnapshot> current = new AtomicReference<>();

  /** Offers a document; returns whether it is now served. */
  public boolean offer(TopologyDocument document) {
    RoutingSnapshot next = new RoutingSnapshot(document);
    while (true) {
      RoutingSnapshot served = current.get();
      if (served != null && document.epoch() <= served.epoch()) {
        if (document.epoch() < served.epoch()) {
          LOG.warn("ignoring topology epoch {}: already serving epoch {}", document.epoch(), served.epoch());
        }
        return false;
      }
      if (current.compareAndSet(served, next)) {
        LOG.info("serving topology epoch {} ({} nodes, {} shards, RF {})", document.epoch(),
            document.nodes().size(), document.shards(), document.replicationFactor());
        return true;
      }
    }
  }

  /** The snapshot to route one request with; read it once per request. */
  public RoutingSnapshot snapshot() {
    RoutingSnapshot s = current.get();
    if (s == null) {
      throw new IllegalStateException("no topology loaded yet");
    }
    return s;
  }

  public boolean isLoaded() {
    return current.get() != null;
  }
}
