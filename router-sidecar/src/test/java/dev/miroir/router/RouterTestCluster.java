package dev.miroir.router;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.router.topology.FileTopologySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Real nodes sharing one master key, and a router over them with a file topology. */
final class RouterTestCluster implements AutoCloseable {

  static final String MASTER_KEY = "router-test-master-key-0123456789";

  final MeilisearchNodes nodes;
  final Path topologyFile;
  final List<TopologyNode> topologyNodes = new ArrayList<>();
  RouterHandle router;

  RouterTestCluster(int nodeCount) {
    nodes = MeilisearchNodes.start(nodeCount, (i, b) -> b.masterKey(MASTER_KEY).maxIndexingThreads(1));
    // Equal default keys on every node, as `miroir local up` makes them.
    nodes.forEach(n -> dev.miroir.local.DefaultKeys.ensure(new MeiliHttp(n.url(), MASTER_KEY)));
    for (int i = 0; i < nodeCount; i++) {
      topologyNodes.add(new TopologyNode("node-" + i, nodes.get(i).url().toString(), null, NodeState.ACTIVE));
    }
    try {
      topologyFile = Files.createTempFile("miroir-topology-", ".json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  TopologyDocument document(long epoch, int shards, int rf) {
    Placement placement = Placement.compute(topologyNodes.stream().map(TopologyNode::id).toList(), shards, rf);
    return TopologyDocument.steadyState("test", epoch, topologyNodes, placement);
  }

  void writeTopology(TopologyDocument doc) {
    try {
      Path tmp = Files.createTempFile(topologyFile.getParent(), "topology-", ".tmp");
      Files.writeString(tmp, TopologyCodec.encode(doc));
      Files.move(tmp, topologyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RouterHandle startRouter(TopologyDocument doc, long maxPayloadBytes) {
    writeTopology(doc);
    router = RouterServer.start(RouterConfig.local(0, MASTER_KEY,
        new FileTopologySource(topologyFile, Duration.ofMillis(100))).withMaxPayloadBytes(maxPayloadBytes));
    return router;
  }

  @Override
  public void close() {
    if (router != null) {
      router.close();
    }
    nodes.close();
    try {
      Files.deleteIfExists(topologyFile);
    } catch (IOException ignored) {
      // temporary file
    }
  }
}
