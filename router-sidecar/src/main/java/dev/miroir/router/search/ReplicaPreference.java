package dev.miroir.router.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Orders the readable replicas of a shard best first, for {@link CoveringSetPlanner}. Pure: the
 * caller measures, this decides.
 *
 * <p>The cost of a replica is its recent latency times the requests it already has in flight plus
 * one: a node twice as slow, or one already serving a request, is as good as a fast idle node
 * serving one more. A replica never measured costs nothing, so new and recovered nodes get traffic
 * at once and are measured. Equal costs keep the placement order, so equal inputs give equal plans.
 */
public final class ReplicaPreference {

  /** What the router saw of one node recently. */
  public record Load(double latencyMillis, int inFlight) {
    public static final Load UNMEASURED = new Load(0, 0);

    double cost() {
      return latencyMillis * (inFlight + 1);
    }
  }

  private ReplicaPreference() {}

  /** {@code replicas} (placement order) re-ordered best first. */
  public static List<String> order(List<String> replicas, Map<String, Load> loads) {
    List<String> ordered = new ArrayList<>(replicas);
    // List.sort is stable: equal costs keep the placement order.
    ordered.sort(Comparator.comparingDouble(node -> loads.getOrDefault(node, Load.UNMEASURED).cost()));
    return ordered;
  }

  /**
   * The order {@link #order} puts {@code nodes} in, as a key: node ids cheapest first, ties joined
   * by {@code =}, others by {@code <}. Two load maps with the same key order every subset of
   * {@code nodes} alike (the sort is stable and compares only costs), so a plan made from one serves
   * the other: loads change with every answer, their order far less often.
   */
  public static String orderKey(List<String> nodes, Map<String, Load> loads) {
    List<String> ordered = order(nodes, loads);
    StringBuilder key = new StringBuilder();
    double previous = 0;
    for (int i = 0; i < ordered.size(); i++) {
      double cost = loads.getOrDefault(ordered.get(i), Load.UNMEASURED).cost();
      if (i > 0) {
        key.append(Double.compare(previous, cost) == 0 ? '=' : '<');
      }
      key.append(ordered.get(i));
      previous = cost;
    }
    return key.toString();
  }

  /**
   * A stable key for a query whose answer depends on which replicas serve it, else null. With
   * {@code matchingStrategy: frequency} Meilisearch drops query words by their frequency in the
   * node's whole index, and a node holds other shards besides the ones it answers for, so two
   * replicas of a shard may rank differently. Serving the same query from the same replicas every
   * time keeps its answer stable (see docs/compatibility.md).
   */
  public static Long affinity(com.fasterxml.jackson.databind.JsonNode body) {
    if (body == null) {
      return null;
    }
    if (!asksFrequency(body)) {
      return null; // almost every search: no need to write the body out to look
    }
    String text = body.toString();
    long h = 0xcbf29ce484222325L; // FNV-1a over the query as sent
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Whether {@code matchingStrategy: "frequency"} appears anywhere in the body (a multi-search's queries too). */
  private static boolean asksFrequency(com.fasterxml.jackson.databind.JsonNode node) {
    if (node.isObject()) {
      com.fasterxml.jackson.databind.JsonNode strategy = node.get("matchingStrategy");
      if (strategy != null && strategy.isTextual() && strategy.textValue().equals("frequency")) {
        return true;
      }
    } else if (!node.isArray()) {
      return false;
    }
    for (com.fasterxml.jackson.databind.JsonNode child : node) {
      if (asksFrequency(child)) {
        return true;
      }
    }
    return false;
  }

  /** {@code replicas} ordered by a rendezvous hash of (affinity, shard, node): the same for the same query. */
  public static List<String> sticky(List<String> replicas, long affinity, int shard) {
    List<String> ordered = new ArrayList<>(replicas);
    ordered.sort(Comparator.comparingLong(node -> mix(affinity, shard, node)));
    return ordered;
  }

  private static long mix(long affinity, int shard, String node) {
    long h = affinity ^ (shard * 0x9E3779B97F4A7C15L) ^ ((long) node.hashCode() << 17);
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
