package dev.miroir.router.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ConfigMap source's event handling, driven directly: Fabric8's mock API server runs on Vert.x 4,
 * which cannot share this module's classpath with the router's Vert.x 5, so the informer itself is not
 * exercised here; what it calls is.
 */
class ConfigMapTopologySourceTest {

  static final List<TopologyNode> NODES = List.of(
      new TopologyNode("node-0", "http://127.0.0.1:7701", null, NodeState.ACTIVE),
      new TopologyNode("node-1", "http://127.0.0.1:7702", null, NodeState.ACTIVE));

  static TopologyDocument doc(long epoch) {
    return TopologyDocument.steadyState("test", epoch, NODES, Placement.compute(List.of("node-0", "node-1"), 4, 2));
  }

  static ConfigMap configMap(Map<String, String> data) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace("ns").withName("topology").endMetadata()
        .withData(data).build();
  }

  static ConfigMap configMap(TopologyDocument doc) {
    return configMap(Map.of(TopologyCodec.DATA_KEY, TopologyCodec.encode(doc)));
  }

  @Test
  void addsAndUpdatesSwitchEpochsUpOnlyAndBadDocumentsAreSkipped() {
    TopologyHolder holder = new TopologyHolder();
    ConfigMapTopologySource source = new ConfigMapTopologySource(null, "ns", "topology");
    ResourceEventHandler<ConfigMap> handler = source.handler(holder::offer);

    handler.onAdd(configMap(doc(1)));
    assertThat(holder.snapshot().epoch()).isEqualTo(1);
    handler.onUpdate(configMap(doc(1)), configMap(doc(3)));
    assertThat(holder.snapshot().epoch()).isEqualTo(3);
    // A late or replayed event with an older epoch is ignored.
    handler.onUpdate(configMap(doc(3)), configMap(doc(2)));
    assertThat(holder.snapshot().epoch()).isEqualTo(3);
    // Invalid or missing documents are logged, not delivered.
    handler.onUpdate(configMap(doc(3)), configMap(Map.of(TopologyCodec.DATA_KEY, "{\"epoch\": 9")));
    handler.onUpdate(configMap(doc(3)), configMap(Map.of("other", "x")));
    handler.onUpdate(configMap(doc(3)), configMap((Map<String, String>) null));
    assertThat(holder.snapshot().epoch()).isEqualTo(3);
    // Deleting the ConfigMap keeps the last epoch served.
    handler.onDelete(configMap(doc(3)), false);
    assertThat(holder.snapshot().epoch()).isEqualTo(3);
    handler.onAdd(configMap(doc(4)));
    assertThat(holder.snapshot().epoch()).isEqualTo(4);
    assertThat(holder.snapshot().document()).isEqualTo(doc(4));
    assertThat(source.describe()).isEqualTo("configmap:ns/topology");
  }
}
