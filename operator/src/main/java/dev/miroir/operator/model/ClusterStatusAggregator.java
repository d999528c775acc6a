package dev.miroir.operator.model;

import dev.miroir.core.topology.ShardAssignment;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.crd.PendingPlacementChange;
import dev.miroir.core.plan.ShardMove;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place a cluster's status is computed. Facts gathered during a reconcile go in; a status
 * with a fixed set of conditions comes out. {@code lastTransitionTime} moves only when a condition's
 * status flips, so an unchanged cluster yields an equal status and the reconciler skips the patch.
 */
public final class ClusterStatusAggregator {

  public static final String READY = "Ready";
  public static final String REBALANCING = "Rebalancing";
  public static final String DEGRADED = "Degraded";
  public static final String ROLLING_UPDATE = "RollingUpdate";
  public static final String VOLUME_EXPANSION = "VolumeExpansion";
  public static final String REPLICAS_CONSISTENT = "ReplicasConsistent";
  public static final String REASON_DIVERGENT_SHARDS = "DivergentShards";

  /** Ready=False reasons that only the user can clear; Argo CD shows them as Degraded. */
  public static final String REASON_BLOCKED = "Blocked";
  public static final String REASON_RESOURCE_CONFLICT = "ResourceConflict";
  public static final String REASON_RECONCILE_ERROR = "ReconcileError";

  public static final String PHASE_PROVISIONING = "Provisioning";
  public static final String PHASE_READY = "Ready";
  public static final String PHASE_DEGRADED = "Degraded";
  public static final String PHASE_SCALE_PENDING = "ScalePending";
  public static final String PHASE_BLOCKED = "Blocked";
  public static final String PHASE_UPDATING = "Updating";

  private final MeiliClusterStatus previous;
  private final long generation;
  private final Instant now;
  private TopologyDocument published;
  private Set<String> readyNodes = Set.of();
  private int existingNodes;
  private int desiredNodes;
  private PlacementDecision.Decision decision;
  private PlacementDecision.Change change;
  private final List<String> blockers = new ArrayList<>();
  private String blockerReason;
  private RollingRestart.Decision rolling;
  private boolean allPodsReady = true;
  private final List<String> volumeRefusals = new ArrayList<>();
  private String volumeRefusalReason;
  private final List<String> volumesExpanding = new ArrayList<>();
  private String selector;
  private String endpoint;
  private ReplicaConsistency consistency;
  private dev.miroir.operator.crd.RebalanceStatus rebalance;

  public ClusterStatusAggregator(MeiliClusterStatus previous, long generation, Instant now) {
    this.previous = previous == null ? new MeiliClusterStatus() : previous;
    this.generation = generation;
    this.now = now.truncatedTo(ChronoUnit.SECONDS);
  }

  public ClusterStatusAggregator published(TopologyDocument doc) {
    this.published = doc;
    return this;
  }

  public ClusterStatusAggregator nodes(int existing, int desired, Set<String> ready) {
    this.existingNodes = existing;
    this.desiredNodes = desired;
    this.readyNodes = Set.copyOf(ready);
    return this;
  }

  public ClusterStatusAggregator placement(PlacementDecision.Change change, PlacementDecision.Decision decision) {
    this.change = change;
    this.decision = decision;
    return this;
  }

  /** A problem only the user can fix (e.g. a referenced Secret is missing); keeps Ready false. */
  /** While the topology cannot be read, the last published epoch stays the guard (never reset to null). */
  public ClusterStatusAggregator keepEpoch(Long epoch) {
    this.keptEpoch = epoch;
    return this;
  }

  private Long keptEpoch;

  public ClusterStatusAggregator blocker(String message) {
    return blocker(REASON_BLOCKED, message);
  }

  /** A blocker with its own Ready reason (the first one given wins), e.g. ResourceConflict. */
  public ClusterStatusAggregator blocker(String reason, String message) {
    if (blockerReason == null) {
      blockerReason = reason;
    }
    blockers.add(message);
    return this;
  }

  /** The rolling restart's decision, and whether every node pod is ready right now. */
  public ClusterStatusAggregator rolling(RollingRestart.Decision decision, boolean allReady) {
    this.rolling = decision;
    this.allPodsReady = allReady;
    return this;
  }

  /** A node whose volume is being expanded. */
  public ClusterStatusAggregator volumeExpanding(String message) {
    volumesExpanding.add(message);
    return this;
  }

  /** A volume size change that cannot be applied; Ready turns False with this reason. */
  public ClusterStatusAggregator volumeRefused(String reason, String message) {
    if (volumeRefusalReason == null) {
      volumeRefusalReason = reason;
    }
    volumeRefusals.add(message);
    return blocker(reason, message);
  }

  public ClusterStatusAggregator endpoint(String selector, String endpoint) {
    this.selector = selector;
    this.endpoint = endpoint;
    return this;
  }

  /** The routers' last replica check; absent (not asked, no answer) leaves the condition Unknown. */
  public ClusterStatusAggregator replicaConsistency(ReplicaConsistency observed) {
    this.consistency = observed;
    return this;
  }

  /** The rebalance the mover runs ({@link RebalanceReport#status}); null when none. */
  public ClusterStatusAggregator rebalance(dev.miroir.operator.crd.RebalanceStatus report) {
    this.rebalance = report;
    return this;
  }

  public MeiliClusterStatus build() {
    MeiliClusterStatus status = new MeiliClusterStatus();
    status.setObservedGeneration(generation);
    status.setReplicas(existingNodes);
    status.setReadyReplicas(readyNodes.size());
    status.setUpdatedReplicas(rolling == null ? null : rolling.updated());
    status.setNodes(readyNodes.size() + "/" + desiredNodes);
    status.setSelector(selector);
    status.setEndpoint(endpoint);
    status.setTopologyEpoch(published == null ? keptEpoch : Long.valueOf(published.epoch()));
    boolean pending = decision != null && decision.verdict() == PlacementDecision.Verdict.PENDING;
    status.setPendingChange(pending ? pendingChange() : null);
    status.setRebalance(rebalance);

    List<String> unreadyOwners = unreadyOwners();
    List<Integer> dark = shardsWithoutReadyOwner();
    boolean ready = blockers.isEmpty() && published != null && unreadyOwners.isEmpty();
    boolean wasServing = isTrue(READY) || isTrue(DEGRADED);
    boolean degraded = published != null && !unreadyOwners.isEmpty() && wasServing;

    List<Condition> conditions = new ArrayList<>();
    if (!blockers.isEmpty()) {
      conditions.add(condition(READY, false, blockerReason, String.join("; ", blockers)));
    } else if (published == null) {
      conditions.add(condition(READY, false, "TopologyNotPublished", "no topology published yet"));
    } else if (!ready) {
      conditions.add(condition(READY, false, "NodesNotReady",
          "waiting for nodes " + String.join(", ", unreadyOwners)));
    } else {
      conditions.add(condition(READY, true, "AllNodesReady",
          "all " + readyNodes.size() + " nodes ready, topology epoch " + published.epoch()));
    }
    if (pending) {
      conditions.add(condition(REBALANCING, true, decision.reason(), decision.message()));
    } else {
      conditions.add(condition(REBALANCING, false, PlacementDecision.REASON_IN_SYNC,
          "published placement matches the spec"));
    }
    if (degraded) {
      String message = "nodes not ready: " + String.join(", ", unreadyOwners)
          + (dark.isEmpty() ? "; every shard still has a ready copy"
              : "; shards without a ready copy: " + dark);
      conditions.add(condition(DEGRADED, true,
          dark.isEmpty() ? "ReplicasUnavailable" : "ShardsUnavailable", message));
    } else {
      conditions.add(condition(DEGRADED, false, "AllReplicasAvailable",
          wasServing || ready ? "every shard copy is on a ready node" : "cluster is still provisioning"));
    }
    boolean rollingNow = rollingInProgress();
    if (rollingNow) {
      boolean stillWaiting = rolling == null || !rolling.inProgress();
      conditions.add(condition(ROLLING_UPDATE, true,
          stillWaiting ? RollingRestart.REASON_ROLLING : rolling.reason(),
          stillWaiting ? "waiting for the last restarted node to be ready" : rolling.message()));
    } else {
      conditions.add(condition(ROLLING_UPDATE, false, RollingRestart.REASON_UP_TO_DATE,
          "every node runs the current pod template"));
    }
    boolean expanding = !volumesExpanding.isEmpty();
    if (expanding) {
      conditions.add(condition(VOLUME_EXPANSION, true, VolumeResize.REASON_EXPANDING,
          String.join("; ", volumesExpanding)));
    } else if (!volumeRefusals.isEmpty()) {
      conditions.add(condition(VOLUME_EXPANSION, false, volumeRefusalReason, String.join("; ", volumeRefusals)));
    } else {
      conditions.add(condition(VOLUME_EXPANSION, false, VolumeResize.REASON_UP_TO_DATE,
          "every volume has the size the spec asks for"));
    }
    conditions.add(replicasConsistentCondition());
    status.setConditions(conditions);

    if (!blockers.isEmpty()) {
      status.setPhase(PHASE_BLOCKED);
    } else if (pending) {
      status.setPhase(PHASE_SCALE_PENDING);
    } else if (published != null && (rollingNow || expanding)) {
      status.setPhase(PHASE_UPDATING);
    } else if (ready) {
      status.setPhase(PHASE_READY);
    } else if (degraded) {
      status.setPhase(PHASE_DEGRADED);
    } else {
      status.setPhase(PHASE_PROVISIONING);
    }
    return status;
  }

  /**
   * In progress while a pod is outdated, and until the last restarted node is ready again: the
   * rollout is not over while a node it stopped is still coming back.
   */
  private boolean rollingInProgress() {
    if (rolling == null) {
      return false;
    }
    return rolling.inProgress() || (isTrue(ROLLING_UPDATE) && !allPodsReady);
  }

  private PendingPlacementChange pendingChange() {
    PendingPlacementChange p = new PendingPlacementChange();
    p.setFromReplicas(change.published() == null ? null : change.published().nodes().size());
    p.setToReplicas(change.wanted().nodes().size());
    p.setFromReplicationFactor(change.published() == null ? null : change.published().replicationFactor());
    p.setToReplicationFactor(change.wanted().replicationFactor());
    if (change.plan() != null) {
      p.setShardsToMove(change.plan().moves().size());
      p.setReplicasToMove(change.plan().replicasMoved());
      p.setReplicasMoved(0);
      Set<String> gaining = new TreeSet<>();
      Set<String> losing = new TreeSet<>();
      for (ShardMove move : change.plan().moves()) {
        gaining.addAll(move.gaining());
        losing.addAll(move.losing());
      }
      p.setGainingNodes(List.copyOf(gaining));
      p.setLosingNodes(List.copyOf(losing));
    }
    p.setReason(decision.reason());
    p.setMessage(decision.message());
    return p;
  }

  private List<String> unreadyOwners() {
    if (published == null) {
      return List.of();
    }
    return published.nodes().stream()
        .map(n -> n.id())
        .filter(id -> !readyNodes.contains(id))
        .sorted()
        .toList();
  }

  private List<Integer> shardsWithoutReadyOwner() {
    if (published == null) {
      return List.of();
    }
    List<Integer> dark = new ArrayList<>();
    for (ShardAssignment a : published.placement()) {
      if (a.readOwners().stream().noneMatch(readyNodes::contains)) {
        dark.add(a.shard());
      }
    }
    return dark.size() > 20 ? List.of(dark.size()) : dark;
  }

  /** Reported only: divergent replicas do not make the cluster un-Ready (searches still answer). */
  private Condition replicasConsistentCondition() {
    if (consistency == null) {
      return condition(REPLICAS_CONSISTENT, "Unknown", "NotObserved", "the routers' replica check did not answer");
    }
    if (!consistency.enabled()) {
      return condition(REPLICAS_CONSISTENT, "Unknown", "CheckDisabled",
          "the routers do not check replicas periodically (MIROIR_CONSISTENCY_INTERVAL is off)");
    }
    if (consistency.checkedAt() == null) {
      return condition(REPLICAS_CONSISTENT, "Unknown", "NotCheckedYet", "the routers' first replica check has not finished");
    }
    if (consistency.consistent()) {
      return condition(REPLICAS_CONSISTENT, true, "AllReplicasEqual",
          "every shard's replicas had equal digests at " + consistency.checkedAt());
    }
    return condition(REPLICAS_CONSISTENT, false,
        consistency.divergentShards() > 0 ? REASON_DIVERGENT_SHARDS : "CheckIncomplete",
        consistency.divergentShards() + " divergent shard(s) at " + consistency.checkedAt()
            + (consistency.divergent().isEmpty() ? "" : ": " + String.join("; ", consistency.divergent()))
            + "; see `miroir verify`, repair with `miroir repair` or POST /_miroir/indexes/{uid}/consistency");
  }

  private boolean isTrue(String type) {
    return previous.getConditions() != null
        && previous.getConditions().stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private Condition condition(String type, boolean value, String reason, String message) {
    return condition(type, value ? "True" : "False", reason, message);
  }

  private Condition condition(String type, String status, String reason, String message) {
    Condition prior = previous.getConditions() == null ? null
        : previous.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String since = prior != null && Objects.equals(prior.getStatus(), status) && prior.getLastTransitionTime() != null
        ? prior.getLastTransitionTime()
        : now.toString();
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  /**
   * The previous status with Ready=False (reason ReconcileError) for a reconcile that threw; the
   * other conditions stay as last computed, since nothing new was learned about them. The phase turns
   * Blocked: a phase kept at Ready next to Ready=False told {@code kubectl get} one thing and Argo CD
   * (Degraded) another, until the retry that succeeds computes both again.
   */
  public static MeiliClusterStatus withReconcileError(MeiliClusterStatus previous, long generation, Instant now,
      String message) {
    ClusterStatusAggregator aggregator = new ClusterStatusAggregator(previous, generation, now);
    MeiliClusterStatus status = io.fabric8.kubernetes.client.utils.Serialization.clone(aggregator.previous);
    List<Condition> conditions = new ArrayList<>();
    conditions.add(aggregator.condition(READY, false, REASON_RECONCILE_ERROR, message));
    if (status.getConditions() != null) {
      status.getConditions().stream().filter(c -> !READY.equals(c.getType())).forEach(conditions::add);
    }
    status.setConditions(conditions);
    status.setPhase(PHASE_BLOCKED);
    return status;
  }

  /**
   * Conditions worth an Event: those whose status flipped ("Ready became True"), and a Ready that
   * turned to a new blocking reason (a conflict, a refused downgrade...), which the user must act on
   * even when Ready was already False.
   */
  public static List<Condition> flipped(MeiliClusterStatus before, MeiliClusterStatus after) {
    List<Condition> result = new ArrayList<>();
    for (Condition c : after.getConditions()) {
      Condition prior = before == null || before.getConditions() == null ? null
          : before.getConditions().stream().filter(p -> p.getType().equals(c.getType())).findFirst().orElse(null);
      String priorStatus = prior == null ? null : prior.getStatus();
      // A condition's first value is news only when it is True (an Unknown or False start is not a change).
      boolean flip = !c.getStatus().equals(priorStatus) && !(priorStatus == null && !"True".equals(c.getStatus()));
      boolean newBlocker = READY.equals(c.getType()) && "False".equals(c.getStatus()) && isBlocking(c.getReason())
          && (prior == null || !c.getReason().equals(prior.getReason()));
      if (flip || newBlocker) {
        result.add(c);
      }
    }
    return result;
  }

  /** Ready=False reasons that wait for the user rather than for time. */
  public static boolean isBlocking(String reason) {
    return reason != null && !reason.equals("NodesNotReady") && !reason.equals("TopologyNotPublished")
        && !reason.equals("AllNodesReady");
  }
}
