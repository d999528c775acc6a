package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.router.search.ShardQueryBuilder.ShardSearch;
import java.util.List;

/** The body the router sends a node for one search: the router's own code, called directly. */
final class RouterShape {

  private RouterShape() {}

  static ObjectNode nodeBody(ShardSearch plan, TopologyDocument topology, String node, List<Integer> answers) {
    return plan.forShards(answers);
  }
}
