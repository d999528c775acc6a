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
}
