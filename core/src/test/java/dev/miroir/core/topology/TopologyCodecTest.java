package dev.miroir.core.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miroir.core.placement.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopologyCodecTest {

  static List<TopologyNode> nodes(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new TopologyNode("n" + i, "http://127.0.0.1:" + (7701 + i), null, NodeState.ACTIVE))
        .toList();
  }

  static TopologyDocument steady(int n, int shards, int rf) {
    List<TopologyNode> nodes = nodes(n);
    return TopologyDocument.steadyState(
        "demo", 3, nodes, Placement.compute(nodes.stream().map(TopologyNode::id).toList(), shards, rf));
  }

  @Test
  void roundTripsThroughJson() {
    TopologyDocument doc = steady(3, 16, 2);
    String json = TopologyCodec.encode(doc);
    assertThat(json).contains("\"schemaVersion\" : 1", "\"readOwners\"", "\"writeTargets\"", "\"state\" : \"active\"");
    assertThat(TopologyCodec.decode(json)).isEqualTo(doc);
  }

  @Test
  void ignoresFieldsFromANewerOperator() {
    String json = TopologyCodec.encode(steady(3, 4, 1)).replaceFirst("\\{", "{\"futureField\":true,");
    assertThat(TopologyCodec.decode(json).shards()).isEqualTo(4);
  }

  @Test
  void rejectsAShardWithNoReadableOwner() {
    TopologyDocument doc = steady(3, 4, 1);
    List<ShardAssignment> placement = new ArrayList<>(doc.placement());
    placement.set(2, new ShardAssignment(2, List.of(), List.of("n0")));
    assertThatThrownBy(() -> TopologyCodec.encode(with(doc, doc.nodes(), placement)))
        .isInstanceOf(InvalidTopologyException.class)
        .hasMessageContaining("shard 2 has no readable owner");
  }

  @Test
  void aJoiningNodeIsNotReadable() {
    TopologyDocument doc = steady(2, 2, 1);
    List<TopologyNode> nodes =
        doc.nodes().stream().map(n -> new TopologyNode(n.id(), n.url(), null, NodeState.JOINING)).toList();
    assertThat(TopologyValidator.problems(with(doc, nodes, doc.placement())))
        .contains("shard 0 has no readable owner", "shard 1 has no readable owner");
  }

  @Test
  void rejectsAnUnknownOwner() {
    TopologyDocument doc = steady(3, 4, 2);
    List<ShardAssignment> placement = new ArrayList<>(doc.placement());
    placement.set(1, ShardAssignment.steady(1, List.of("n0", "ghost")));
    assertThat(TopologyValidator.problems(with(doc, doc.nodes(), placement)))
        .containsExactly(
            "shard 1 has read owner `ghost` that is not a known node",
            "shard 1 has write target `ghost` that is not a known node");
  }

  @Test
  void rejectsASteadyShardWithTheWrongNumberOfOwners() {
    TopologyDocument doc = steady(3, 4, 2);
    List<ShardAssignment> placement = new ArrayList<>(doc.placement());
    placement.set(3, ShardAssignment.steady(3, List.of("n0")));
    assertThat(TopologyValidator.problems(with(doc, doc.nodes(), placement)))
        .containsExactly("shard 3 is at rest with 1 owners, expected 2");
  }

  @Test
  void aMovingShardMayHaveMoreWriteTargetsThanRf() {
    TopologyDocument doc = steady(3, 4, 1);
    List<ShardAssignment> placement = new ArrayList<>(doc.placement());
    String owner = placement.get(0).readOwners().get(0);
    String gaining = owner.equals("n2") ? "n1" : "n2";
    placement.set(0, new ShardAssignment(0, List.of(owner), List.of(owner, gaining)));
    TopologyDocument moving = with(doc, doc.nodes(), placement);
    assertThat(TopologyValidator.problems(moving)).isEmpty();
    assertThat(moving.assignment(0).isMoving()).isTrue();
  }

  @Test
  void rejectsAReadOwnerThatIsNotWritten() {
    TopologyDocument doc = steady(3, 4, 1);
    List<ShardAssignment> placement = new ArrayList<>(doc.placement());
    placement.set(0, new ShardAssignment(0, List.of("n0"), List.of("n1")));
    assertThat(TopologyValidator.problems(with(doc, doc.nodes(), placement)))
        .contains("shard 0 has a read owner that is not a write target");
  }

  @Test
  void rejectsMalformedJsonWithAPreciseMessage() {
    assertThatThrownBy(() -> TopologyCodec.decode("{\"schemaVersion\":1,"))
        .isInstanceOf(InvalidTopologyException.class)
        .hasMessageStartingWith("invalid topology document: ");
    assertThatThrownBy(() -> TopologyCodec.decode("{\"schemaVersion\":2,\"cluster\":\"x\",\"epoch\":1,\"shards\":1,\"replicationFactor\":1,\"nodes\":[],\"placement\":[]}"))
        .hasMessageContaining("schemaVersion 2 is not supported")
        .hasMessageContaining("there are no nodes")
        .hasMessageContaining("placement lists 0 shards but shards is 1");
  }

  @Test
  void rejectsAMissingEpoch() {
    String json = TopologyCodec.encode(steady(3, 4, 1)).replace("\"epoch\" : 3,", "");
    assertThatThrownBy(() -> TopologyCodec.decode(json)).hasMessageContaining("'epoch'");
  }

  @Test
  void rejectsNodesWithoutUsableUrls() {
    TopologyDocument doc = steady(2, 2, 1);
    List<TopologyNode> nodes = List.of(
        new TopologyNode("n0", "not a url", null, NodeState.ACTIVE), doc.nodes().get(1));
    assertThat(TopologyValidator.problems(with(doc, nodes, doc.placement())))
        .contains("node `n0` has no valid http(s) url");
  }

  private static TopologyDocument with(
      TopologyDocument doc, List<TopologyNode> nodes, List<ShardAssignment> placement) {
    return new TopologyDocument(
        doc.schemaVersion(), doc.cluster(), doc.epoch(), doc.shards(), doc.replicationFactor(), nodes, placement);
  }
}
