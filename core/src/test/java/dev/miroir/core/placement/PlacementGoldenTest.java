package dev.miroir.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Owner golden vectors. They were cross-checked against an independent XXH64 implementation; if one
 * fails, placement changed and every existing cluster would reshuffle its data: a breaking change.
 */
class PlacementGoldenTest {

  @ParameterizedTest(name = "{0} shard {1} rf {2} -> {3}")
  @CsvSource(
      delimiter = ';',
      value = {
        "n0,n1,n2; 15; 1; n0",
        "n0,n1,n2; 15; 2; n0,n1",
        "n0,n1,n2; 24; 2; n1,n0",
        "n0,n1,n2,n3,n4; 0; 3; n4,n1,n3",
        "n0,n1,n2,n3,n4; 63; 2; n3,n2",
        "n0,n1,n2,n3,n4; 1023; 3; n1,n2,n4",
        "alpha,beta,gamma,delta; 7; 2; alpha,delta",
      })
  void ownersArePinned(String nodes, int shard, int rf, String expected) {
    List<Node> nodeList = List.of(nodes.split(",")).stream().map(Node::of).toList();
    assertThat(Rendezvous.owners(nodeList, shard, rf)).containsExactly(expected.split(","));
  }

  @ParameterizedTest
  @CsvSource({"user:12345, 64, n0", "product:abc, 64, n1"})
  void documentOwnersFollowFromTheShard(String docId, int shards, String firstOwner) {
    Placement placement = Placement.compute(List.of("n0", "n1", "n2"), shards, 2);
    assertThat(placement.ownersOfDocument(docId).get(0)).isEqualTo(firstOwner);
  }
}
