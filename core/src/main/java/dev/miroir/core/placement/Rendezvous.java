package dev.miroir.core.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Highest-random-weight (rendezvous) choice of a shard's owners.
 *
 * <p>Without zones: the {@code rf} nodes with the highest unsigned score, ties to the lower node id.
 * Because a node's score for a shard does not depend on the other nodes, adding or removing a node
 * only changes the shards that node wins or loses, which is what keeps data movement minimal.
 *
 * <p>With zones: first the best-scoring node of as many distinct zones as the replication factor
 * allows (zones taken in the order of their best node), then the remaining places by plain score.
 * This spreads a shard's replicas over min(rf, zones) zones and is still a function of the node set
 * alone, so every router and the operator agree on it.
 */
public final class Rendezvous {

  private Rendezvous() {}

  /** The owners of {@code shard}, best first. */
  public static List<String> owners(List<Node> nodes, int shard, int rf) {
    Ranked[] ranked = rank(nodes, shard);
    int want = Math.min(rf, ranked.length);
    List<String> owners = new ArrayList<>(want);
    long zoneCount = nodes.stream().map(Rendezvous::zoneKey).distinct().count();
    if (zoneCount > 1) {
      int spread = (int) Math.min(want, zoneCount);
      Set<String> usedZones = new HashSet<>();
      boolean[] taken = new boolean[ranked.length];
      for (int i = 0; i < ranked.length && owners.size() < spread; i++) {
        if (usedZones.add(zoneKey(ranked[i].node))) {
          owners.add(ranked[i].node.id());
          taken[i] = true;
        }
      }
      for (int i = 0; i < ranked.length && owners.size() < want; i++) {
        if (!taken[i]) {
          owners.add(ranked[i].node.id());
        }
      }
      return owners;
    }
    for (int i = 0; i < want; i++) {
      owners.add(ranked[i].node.id());
    }
    return owners;
  }

  private static Ranked[] rank(List<Node> nodes, int shard) {
    Ranked[] ranked = new Ranked[nodes.size()];
    for (int i = 0; i < ranked.length; i++) {
      Node node = nodes.get(i);
      ranked[i] = new Ranked(node, ShardHash.score(node.id(), shard));
    }
    Arrays.sort(ranked, Rendezvous::byScoreThenId);
    return ranked;
  }

  private static int byScoreThenId(Ranked a, Ranked b) {
    int byScore = Long.compareUnsigned(b.score, a.score);
    return byScore != 0 ? byScore : a.node.id().compareTo(b.node.id());
  }

  private static String zoneKey(Node node) {
    return node.zone() == null ? "" : node.zone();
  }

  private record Ranked(Node node, long score) {}
}
