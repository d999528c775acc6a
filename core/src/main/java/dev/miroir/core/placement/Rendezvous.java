package dev.miroir.core.placement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 *
 * <p>An instance holds one node set with each node's hash input prepared, so that ranking the nodes
 * for a shard allocates nothing per node: placement ranks every node for every shard.
 */
public final class Rendezvous {

  private final List<Node> nodes;
  private final byte[][] hashInputs;
  private final boolean zoned;

  public Rendezvous(List<Node> nodes) {
    this.nodes = List.copyOf(nodes);
    this.hashInputs = new byte[this.nodes.size()][];
    Set<String> zones = new HashSet<>();
    for (int i = 0; i < hashInputs.length; i++) {
      Node node = this.nodes.get(i);
      byte[] id = node.id().getBytes(StandardCharsets.UTF_8);
      byte[] input = new byte[4 + id.length + 1];
      System.arraycopy(id, 0, input, 4, id.length);
      input[input.length - 1] = ShardHash.TERMINATOR;
      hashInputs[i] = input;
      zones.add(zoneKey(node));
    }
    this.zoned = zones.size() > 1;
  }

  /** The owners of {@code shard} among {@code nodes}, best first. */
  public static List<String> owners(List<Node> nodes, int shard, int rf) {
    return new Rendezvous(nodes).owners(shard, rf);
  }

  /** The owners of {@code shard}, best first. */
  public List<String> owners(int shard, int rf) {
    int n = nodes.size();
    long[] scores = new long[n];
    for (int i = 0; i < n; i++) {
      scores[i] = ShardHash.score(hashInputs[i], shard);
    }
    int want = Math.min(rf, n);
    return zoned ? zonedOwners(scores, want) : topOwners(scores, want);
  }

  /** Repeated selection of the best remaining node: O(N * rf), cheaper than sorting for small rf. */
  private List<String> topOwners(long[] scores, int want) {
    List<String> owners = new ArrayList<>(want);
    boolean[] taken = new boolean[scores.length];
    for (int k = 0; k < want; k++) {
      int best = -1;
      for (int i = 0; i < scores.length; i++) {
        if (!taken[i] && (best < 0 || better(i, best, scores))) {
          best = i;
        }
      }
      taken[best] = true;
      owners.add(nodes.get(best).id());
    }
    return owners;
  }

  private List<String> zonedOwners(long[] scores, int want) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> better(a, b, scores) ? -1 : better(b, a, scores) ? 1 : 0);
    long zoneCount = nodes.stream().map(Rendezvous::zoneKey).distinct().count();
    int spread = (int) Math.min(want, zoneCount);
    List<String> owners = new ArrayList<>(want);
    Set<String> usedZones = new HashSet<>();
    boolean[] taken = new boolean[order.length];
    for (int i = 0; i < order.length && owners.size() < spread; i++) {
      if (usedZones.add(zoneKey(nodes.get(order[i])))) {
        owners.add(nodes.get(order[i]).id());
        taken[i] = true;
      }
    }
    for (int i = 0; i < order.length && owners.size() < want; i++) {
      if (!taken[i]) {
        owners.add(nodes.get(order[i]).id());
      }
    }
    return owners;
  }

  /** Higher unsigned score first; equal scores to the lower node id. */
  private boolean better(int a, int b, long[] scores) {
    int byScore = Long.compareUnsigned(scores[a], scores[b]);
    return byScore != 0 ? byScore > 0 : nodes.get(a).id().compareTo(nodes.get(b).id()) < 0;
  }

  private static String zoneKey(Node node) {
    return node.zone() == null ? "" : node.zone();
  }
}
