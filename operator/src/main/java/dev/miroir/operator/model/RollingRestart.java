package dev.miroir.operator.model;

import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which node pod to restart next, if any. Pure; the reconciler deletes the pod it names (the node
 * StatefulSets use {@code OnDelete}) and asks again on the next pass.
 *
 * <p>The rules, in order:
 *
 * <ol>
 *   <li>Nothing outdated: done.
 *   <li>An outdated pod that is not ready anyway is restarted first: it serves nothing, and the new
 *       template may be what fixes it.
 *   <li>Any other node not ready: wait. One node at a time.
 *   <li>The next outdated node (lowest ordinal) is restarted only if every shard it reads for has
 *       another ready read owner. Otherwise (always with RF 1) only with explicit permission, and
 *       the decision names the shards that will be unreadable.
 * </ol>
 */
public final class RollingRestart {

  public static final String REASON_UP_TO_DATE = "UpToDate";
  public static final String REASON_ROLLING = "Rolling";
  public static final String REASON_WAITING_FOR_READY = "WaitingForReadyNode";
  public static final String REASON_AWAITING_PERMISSION = "AwaitingPermission";

  /**
   * One node's pod as observed.
   *
   * @param exists whether the pod exists at all (a missing pod is being recreated)
   * @param outdated whether it runs an older template than its StatefulSet's
   */
  public record NodePod(String nodeId, boolean exists, boolean ready, boolean outdated) {}

  /**
   * @param restart the node whose pod to delete now, or null
   * @param inProgress whether some pod is still outdated (the RollingUpdate condition)
   * @param unreadableShards shards that become unreadable by this restart (only with permission)
   */
  public record Decision(String restart, boolean inProgress, String reason, String message,
      int updated, List<Integer> unreadableShards) {}

  private RollingRestart() {}

  public static Decision next(List<NodePod> pods, TopologyDocument published, boolean permitted) {
    List<NodePod> outdated = pods.stream().filter(p -> p.exists() && p.outdated()).toList();
    int updated = (int) pods.stream().filter(p -> p.exists() && !p.outdated()).count();
    if (outdated.isEmpty()) {
      return new Decision(null, false, REASON_UP_TO_DATE, "every node runs the current pod template", updated, List.of());
    }
    String progress = updated + " of " + pods.size() + " nodes updated";
    for (NodePod pod : outdated) {
      if (!pod.ready()) {
        return new Decision(pod.nodeId(), true, REASON_ROLLING,
            "restarting " + pod.nodeId() + " (not ready, so it serves nothing); " + progress, updated, List.of());
      }
    }
    List<String> notReady = pods.stream().filter(p -> !p.exists() || !p.ready()).map(NodePod::nodeId).toList();
    if (!notReady.isEmpty()) {
      return new Decision(null, true, REASON_WAITING_FOR_READY,
          "waiting for " + String.join(", ", notReady) + " to be ready before restarting the next node; " + progress,
          updated, List.of());
    }
    NodePod next = outdated.get(0);
    Set<String> ready = pods.stream().filter(NodePod::ready).map(NodePod::nodeId).collect(Collectors.toSet());
    List<Integer> unreadable = onlyReadableCopyOn(next.nodeId(), published, ready);
    if (unreadable.isEmpty()) {
      return new Decision(next.nodeId(), true, REASON_ROLLING,
          "restarting " + next.nodeId() + " (every shard it serves has another ready copy); " + progress,
          updated, List.of());
    }
    String shards = unreadable.size() > 20 ? unreadable.size() + " shards" : "shards " + unreadable;
    if (!permitted) {
      return new Decision(null, true, REASON_AWAITING_PERMISSION,
          "restarting " + next.nodeId() + " would make " + shards + " unreadable until it is ready (no other"
              + " ready copy, e.g. replicationFactor 1); set spec.updateStrategy.allowUnavailableShards: true or"
              + " annotate the cluster " + Labels.ALLOW_UNAVAILABLE_RESTART + "=true to proceed; " + progress,
          updated, unreadable);
    }
    return new Decision(next.nodeId(), true, REASON_ROLLING,
        "restarting " + next.nodeId() + " (permitted): " + shards + " unreadable until it is ready; " + progress,
        updated, unreadable);
  }

  /** Shards whose only ready read owner is this node. */
  static List<Integer> onlyReadableCopyOn(String nodeId, TopologyDocument published, Set<String> ready) {
    List<Integer> shards = new ArrayList<>();
    if (published == null) {
      return shards;
    }
    for (ShardAssignment a : published.placement()) {
      if (a.readOwners().contains(nodeId)
          && a.readOwners().stream().noneMatch(owner -> !owner.equals(nodeId) && ready.contains(owner))) {
        shards.add(a.shard());
      }
    }
    return shards;
  }
}
