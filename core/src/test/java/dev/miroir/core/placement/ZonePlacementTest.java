package dev.miroir.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.plan.MovePlan;
import dev.miroir.core.plan.MovePlanner;
import dev.miroir.core.plan.ShardMove;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Zone awareness. What holds with zones: replicas spread over min(RF, zones) zones; placement is
 * still a pure function of the node set; adding a node changes only shards the new node joins, and
 * removing one only shards it held. What no longer holds: "one loser per shard" and "nothing moves
 * between old nodes", because the new node can displace its zone's representative, which may then
 * take a later place from another old node.
 */
class ZonePlacementTest {

  static List<Node> zoned(int nodes, int zones) {
    return IntStream.range(0, nodes).mapToObj(i -> new Node("n" + i, "zone-" + (i % zones))).toList();
  }

  @Property(tries = 40)
  void replicasSpreadOverAsManyZonesAsPossible(
      @ForAll @IntRange(min = 3, max = 12) int nodes,
      @ForAll @IntRange(min = 1, max = 4) int zones,
      @ForAll @IntRange(min = 1, max = 3) int rf) {
    List<Node> list = zoned(nodes, Math.min(zones, nodes));
    long zoneCount = list.stream().map(Node::zone).distinct().count();
    Placement placement = Placement.compute(list, 128, rf);
    for (int shard = 0; shard < 128; shard++) {
      Set<String> ownerZones =
          placement.owners(shard).stream()
              .map(id -> list.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow().zone())
              .collect(Collectors.toSet());
      assertThat(ownerZones).hasSize((int) Math.min(rf, zoneCount));
    }
  }

  @Property(tries = 40)
  void addingAZonedNodeChangesOnlyShardsItJoins(
      @ForAll @IntRange(min = 3, max = 12) int nodes, @ForAll @IntRange(min = 2, max = 3) int rf) {
    List<Node> before = zoned(nodes, 3);
    List<Node> after = new ArrayList<>(before);
    Node added = new Node("n" + nodes, "zone-" + (nodes % 3));
    after.add(added);
    MovePlan plan =
        MovePlanner.plan(Placement.compute(before, 256, rf), Placement.compute(after, 256, rf));
    for (ShardMove move : plan.moves()) {
      assertThat(move.after()).contains(added.id());
      assertThat(move.gaining()).contains(added.id());
    }
  }

  @Test
  void withoutZonesItIsPlainRendezvous() {
    List<Node> plain = IntStream.range(0, 6).mapToObj(i -> Node.of("n" + i)).toList();
    List<Node> oneZone = IntStream.range(0, 6).mapToObj(i -> new Node("n" + i, "z")).toList();
    Placement a = Placement.compute(plain, 64, 2);
    Placement b = Placement.compute(oneZone, 64, 2);
    for (int shard = 0; shard < 64; shard++) {
      assertThat(b.owners(shard)).isEqualTo(a.owners(shard));
    }
  }

  @Test
  void zonedOwnersArePinned() {
    List<Node> nodes = zoned(6, 3);
    assertThat(Rendezvous.owners(nodes, 0, 2)).containsExactly(ZONED_GOLDEN_0.split(","));
    assertThat(Rendezvous.owners(nodes, 41, 3)).containsExactly(ZONED_GOLDEN_41.split(","));
  }

  // Recorded from this implementation and an independent JavaScript one that agreed.
  static final String ZONED_GOLDEN_0 = "n4,n5";
  static final String ZONED_GOLDEN_41 = "n0,n4,n5";
}
