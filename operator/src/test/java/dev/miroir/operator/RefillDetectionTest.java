package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.local.junit.WithMeilisearch;
import dev.miroir.operator.model.ApiKeys;
import dev.miroir.operator.nodes.HttpNodeAdmin;
import dev.miroir.operator.rebalance.RebalanceCoordinator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's test for a node that came back empty, against real nodes: the operator's keys (fixed
 * uids) that the key step gives every node are the marker; a node without them (as after a lost volume) is found, one
 * with them is not, and one that cannot be asked is never judged.
 */
@WithMeilisearch(nodes = 2)
class RefillDetectionTest {

  @Test
  void aPublishedNodeWithoutItsKeysCameBackEmpty(MeilisearchNodes nodes) {
    HttpNodeAdmin admin = new HttpNodeAdmin(Duration.ofSeconds(5));
    // Each test node has its own master key.
    Map<String, String> master = Map.of("demo-0", nodes.get(0).masterKey(), "demo-1", nodes.get(1).masterKey(),
        "demo-2", nodes.get(0).masterKey());
    List<ApiKeys.KeySpec> keys = ApiKeys.defaults("demo", "uid-1");
    List<TopologyNode> topologyNodes = List.of(
        new TopologyNode("demo-0", nodes.get(0).url().toString(), null, NodeState.ACTIVE),
        new TopologyNode("demo-1", nodes.get(1).url().toString(), null, NodeState.ACTIVE));
    TopologyDocument published = TopologyDocument.steadyState("demo", 3, topologyNodes,
        Placement.compute(List.of("demo-0", "demo-1"), 8, 2));
    Map<String, String> urls = Map.of("demo-0", topologyNodes.get(0).url(), "demo-1", topologyNodes.get(1).url(),
        "demo-2", "http://127.0.0.1:1");
    // demo-0 was given its keys; demo-1 has only what a fresh Meilisearch creates (a lost volume).
    assertThat(admin.ensureKeys(urls.get("demo-0"), master.get("demo-0"), keys)).isTrue();
    assertThat(admin.keysPresent(urls.get("demo-0"), master.get("demo-0"), keys)).contains(true);
    assertThat(admin.keysPresent(urls.get("demo-1"), master.get("demo-1"), keys)).contains(false);
    assertThat(admin.keysPresent(urls.get("demo-2"), master.get("demo-2"), keys)).as("a node that does not answer")
        .isEmpty();

    assertThat(RebalanceCoordinator.cameBackEmpty(published, List.of("demo-0", "demo-1", "demo-2"),
        id -> admin.keysPresent(urls.get(id), master.get(id), keys))).containsExactly("demo-1");

    assertThat(admin.ensureKeys(urls.get("demo-1"), master.get("demo-1"), keys)).isTrue();
    assertThat(admin.keysPresent(urls.get("demo-1"), master.get("demo-1"), keys)).as("the key step gives the marker back")
        .contains(true);
    assertThat(RebalanceCoordinator.cameBackEmpty(published, List.of("demo-0", "demo-1"),
        id -> admin.keysPresent(urls.get(id), master.get(id), keys))).isEmpty();
  }
}
