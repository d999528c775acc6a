package dev.miroir.cli.local;

import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * A data directory's shape (shard count, replication factor, node ids) is fixed by the documents
 * already placed in it. It is kept where the router reads it, the topology file, which stays after a
 * clean stop: so {@code up --shards 128} over data written with 64 shards is refused rather than
 * silently re-placing the documents, whether the cluster stopped cleanly or crashed.
 */
public final class LocalShape {

  private LocalShape() {}

  /**
   * The node ids to run: those of the topology when the directory has one (they keep their shards),
   * else {@code n0..n(N-1)}. Throws {@link IllegalArgumentException} (a one-line error, exit 2) when
   * the requested shape differs from the kept one.
   */
  static List<String> nodeIdsFor(LocalLayout layout, LocalCluster.Spec spec) throws IOException {
    if (!Files.exists(layout.topologyFile())) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < spec.nodes(); i++) {
        ids.add(LocalLayout.nodeId(i));
      }
      return ids;
    }
    TopologyDocument kept = TopologyCodec.decode(Files.readString(layout.topologyFile()));
    List<String> ids = kept.nodes().stream().map(TopologyNode::id).toList();
    if (kept.shards() != spec.shards() || kept.replicationFactor() != spec.replicationFactor()
        || ids.size() != spec.nodes()) {
      throw new IllegalArgumentException(layout.root() + " holds a cluster of " + ids.size() + " nodes ("
          + String.join(", ", ids) + "), RF " + kept.replicationFactor() + ", " + kept.shards()
          + " shards; start it with --nodes " + ids.size() + " --rf " + kept.replicationFactor() + " --shards "
          + kept.shards() + ", or use another --data-dir");
    }
    return ids;
  }
}
