package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.search.IndexSearchSettings;
import dev.miroir.router.search.ShardFilter;
import dev.miroir.router.search.ShardQueryBuilder;
import dev.miroir.router.search.ShardQueryBuilder.ShardSearch;
import dev.miroir.router.topology.RoutingSnapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The bodies the router sends its nodes for one search, built by the router's own code: its query
 * builder over the index's real settings ({@link IndexSearchSettings#of}), and its shard-filter rule
 * ({@code http/ShardResidency}): a node answering for every shard the placement gives it gets no
 * shard filter once a count proves it holds no other shard ({@link ShardFilter#strayCount}, asked
 * here once per node exactly as the router asks it).
 */
final class RouterShape {

  private final RoutingSnapshot snapshot;
  private final IndexSearchSettings settings;
  /** Nodes proven to hold documents of no shard but their placement's. */
  private final Set<String> exclusive = new HashSet<>();

  RouterShape(Http http, TopologyDocument topology, String index) {
    this.snapshot = new RoutingSnapshot(topology);
    TopologyNode first = topology.nodes().get(0);
    Http.Answer settingsAnswer = http.get(first.url() + "/indexes/" + index + "/settings");
    SearchTarget.require200(settingsAnswer, "settings of " + index);
    this.settings = IndexSearchSettings.of(settingsAnswer.json());
    for (TopologyNode node : topology.nodes()) {
      List<Integer> placed = snapshot.placedShards().get(node.id());
      if (placed == null) {
        continue;
      }
      Http.Answer count = http.post(node.url() + "/indexes/" + index + "/search", ShardFilter.strayCount(placed, settings.stamp()));
      SearchTarget.require200(count, "stray count on " + node.id());
      if (count.json().path("estimatedTotalHits").asLong(-1) == 0) {
        exclusive.add(node.id());
      }
    }
  }

  ShardSearch plan(ObjectNode client) {
    return ShardQueryBuilder.search(client, settings);
  }

  /** What the router sends {@code node} answering for {@code answers} in this search. */
  ObjectNode nodeBody(ShardSearch plan, String node, List<Integer> answers) {
    boolean filterless = exclusive.contains(node)
        && ShardFilter.answersForAllPlaced(snapshot.placedShards().get(node), answers);
    return plan.forNode(answers, filterless);
  }

  /** How many nodes get no shard filter when they answer for all their shards (for the log). */
  int exclusiveNodes() {
    return exclusive.size();
  }
}
