package dev.miroir.operator.model;

import dev.miroir.core.placement.Node;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.plan.MovePlan;
import dev.miroir.core.plan.MovePlanner;
import dev.miroir.core.topology.TopologyDocument;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether the placement the spec asks for may be published now. Pure: the caller asks the nodes for
 * their document counts only when {@link Change#needsDocumentCount()} says the answer matters.
 *
 * <p>The safety rule: publishing a placement tells routers to read each shard from its new owners.
 * If documents exist and the new owners do not hold them yet, searches silently miss them. So a
 * change that moves shard copies is published at once only on a cluster known to be empty; otherwise
 * it is recorded as pending until the data has been moved (the migration's job, not this one's).
 */
public final class PlacementDecision {

  public enum Verdict {
    /** The published placement is what the spec asks for. */
    KEEP,
    /** Publish the wanted placement now. */
    PUBLISH,
    /** Keep the published placement and report the wanted one as pending. */
    PENDING,
    /**
     * Not safe to act at all: the published topology cannot be trusted (missing, unreadable or older
     * than what was published). Publish nothing, delete nothing, keep every node running.
     */
    HOLD
  }

  public static final String REASON_INITIAL = "InitialPlacement";
  public static final String REASON_EMPTY = "NoDocumentsToMove";
  public static final String REASON_NO_MOVES = "NoShardMoves";
  public static final String REASON_IN_SYNC = "PlacementUpToDate";
  public static final String REASON_DATA_MOVE = "DataMoveRequired";
  public static final String REASON_COUNT_UNKNOWN = "DocumentCountUnknown";
  public static final String REASON_SHARDS_CHANGED = "ShardCountImmutable";
  public static final String REASON_TOPOLOGY_MISSING = "TopologyMissing";
  public static final String REASON_TOPOLOGY_UNREADABLE = "TopologyUnreadable";
  public static final String REASON_TOPOLOGY_OLDER = "TopologyOlderThanPublished";

  /**
   * What the operator found where the topology ConfigMap should be.
   *
   * @param document the decoded document, null when missing or unreadable
   * @param problem why it could not be read, null when it was read or is simply absent
   */
  public record Reading(TopologyDocument document, String problem) {
    public static Reading absent() {
      return new Reading(null, null);
    }

    public boolean isMissing() {
      return document == null && problem == null;
    }
  }

  /**
   * Fails closed: a topology that is unreadable, missing after one was published, or older than the
   * epoch already published must never be taken for a first placement or an empty cluster. The rule
   * comes before any other, because every other rule trusts the published document.
   *
   * @param lastPublishedEpoch {@code status.topologyEpoch}, null when this cluster never published
   */
  public static java.util.Optional<Decision> guard(Reading reading, Long lastPublishedEpoch) {
    boolean published = lastPublishedEpoch != null && lastPublishedEpoch > 0;
    if (reading.problem() != null) {
      return java.util.Optional.of(new Decision(Verdict.HOLD, REASON_TOPOLOGY_UNREADABLE,
          "the topology ConfigMap is unreadable (" + reading.problem() + "); routers keep serving their last epoch;"
              + " nothing is published or deleted until it is restored"));
    }
    if (reading.isMissing() && published) {
      return java.util.Optional.of(new Decision(Verdict.HOLD, REASON_TOPOLOGY_MISSING,
          "the topology ConfigMap is missing although epoch " + lastPublishedEpoch + " was published; this is not a"
              + " new cluster: nothing is published or deleted until it is restored"));
    }
    if (reading.document() != null && published && reading.document().epoch() < lastPublishedEpoch) {
      return java.util.Optional.of(new Decision(Verdict.HOLD, REASON_TOPOLOGY_OLDER,
          "the topology ConfigMap holds epoch " + reading.document().epoch() + ", older than the published epoch "
              + lastPublishedEpoch + "; nothing is published or deleted until it is restored"));
    }
    return java.util.Optional.empty();
  }

  /**
   * The published placement, the wanted one and what it would take to go from one to the other.
   *
   * @param published placement in the current topology document, null before the first one
   * @param wanted placement over the nodes the spec asks for
   * @param plan moves from published to wanted, null when there is no published placement or the
   *     shard count differs
   */
  public record Change(
      Placement published, Placement wanted, List<DesiredNode> wantedNodes, MovePlan plan) {

    public boolean isInitial() {
      return published == null;
    }

    public boolean shardCountChanged() {
      return published != null && published.shards() != wanted.shards();
    }

    public boolean sameNodes() {
      return published != null && ids(published).equals(ids(wanted));
    }

    /** Only a change that moves copies of an existing placement depends on the documents. */
    public boolean needsDocumentCount() {
      return plan != null && !plan.isEmpty();
    }
  }

  /** The verdict, a CamelCase reason for conditions and events, and a sentence for people. */
  public record Decision(Verdict verdict, String reason, String message) {}

  private PlacementDecision() {}

  public static Change change(
      TopologyDocument published, List<DesiredNode> wantedNodes, int shards, int rf) {
    Placement wanted =
        Placement.compute(wantedNodes.stream().map(DesiredNode::placementNode).toList(), shards, rf);
    if (published == null) {
      return new Change(null, wanted, wantedNodes, null);
    }
    Placement current =
        Placement.compute(
            published.placementNodes(), published.shards(), published.replicationFactor());
    if (current.shards() != shards) {
      return new Change(current, wanted, wantedNodes, null);
    }
    return new Change(current, wanted, wantedNodes, MovePlanner.plan(current, wanted));
  }

  /**
   * @param documents total documents over the published nodes, empty when some node did not answer
   *     (unknown must be treated as "maybe some": guessing "none" could hide documents)
   */
  public static Decision decide(Change change, OptionalLong documents) {
    if (change.isInitial()) {
      return new Decision(
          Verdict.PUBLISH, REASON_INITIAL, "first placement of a new cluster: nothing to move");
    }
    if (change.shardCountChanged()) {
      return new Decision(
          Verdict.PENDING,
          REASON_SHARDS_CHANGED,
          "the published topology has " + change.published().shards()
              + " shards and the shard count cannot change; restore spec.shards");
    }
    if (change.plan().isEmpty()) {
      return change.sameNodes() && sameZones(change)
          ? new Decision(Verdict.KEEP, REASON_IN_SYNC, "published placement matches the spec")
          : new Decision(Verdict.PUBLISH, REASON_NO_MOVES, "node set changed without moving shards");
    }
    if (documents.isEmpty()) {
      return new Decision(
          Verdict.PENDING,
          REASON_COUNT_UNKNOWN,
          "placement change would move " + change.plan().replicasMoved()
              + " shard copies and not every node reported its document count; waiting");
    }
    if (documents.getAsLong() == 0) {
      return new Decision(
          Verdict.PUBLISH,
          REASON_EMPTY,
          "cluster holds no documents, so the new placement is published at once");
    }
    return new Decision(
        Verdict.PENDING,
        REASON_DATA_MOVE,
        "placement change would move " + change.plan().replicasMoved() + " shard copies ("
            + change.plan().moves().size() + " shards) holding some of " + documents.getAsLong()
            + " documents; it is kept pending until the data is moved, so no document is hidden");
  }

  private static boolean sameZones(Change change) {
    return Set.copyOf(change.published().nodes()).equals(Set.copyOf(change.wanted().nodes()));
  }

  private static Set<String> ids(Placement placement) {
    return placement.nodes().stream().map(Node::id).collect(Collectors.toSet());
  }
}
