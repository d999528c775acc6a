package dev.miroir.operator.model;

import dev.miroir.core.move.MoveStep;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalanceProgress;
import dev.miroir.core.move.ShardMoveState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.operator.crd.RebalanceStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a rebalance shows outside the operator: the status block read from the mover's journal, and
 * the Events of each phase, found by comparing it with the previous status (so an operator restart
 * repeats no Event, and a phase a pass did not see is still reported once it is past).
 */
public final class RebalanceReport {

  /** One Event to record on the MeiliCluster. */
  public record Event(boolean warning, String reason, String message) {}

  private RebalanceReport() {}

  /**
   * @param failedJob a mover Job whose retries are exhausted, or null
   */
  public static RebalanceStatus status(RebalanceJournal journal, String failedJob) {
    RebalanceProgress progress = journal.progress();
    RebalanceStatus status = new RebalanceStatus();
    status.setMoves(progress.movesDone() + "/" + progress.movesTotal());
    status.setMovesDone(progress.movesDone());
    status.setMovesTotal(progress.movesTotal());
    status.setRolledBack(progress.rolledBack());
    status.setDocumentsCopied(progress.documentsCopied());
    status.setCurrent(progress.current().size() > 10 ? progress.current().subList(0, 10) : progress.current());
    status.setBlockedBy(failedJob != null ? "mover Job " + failedJob + " failed, see its logs"
        : progress.blocking());
    Map<String, String> steps = new TreeMap<>();
    journal.moves().forEach(m -> steps.put(Integer.toString(m.shard()), m.step().wireName()));
    status.setSteps(steps);
    List<String> drained = new ArrayList<>();
    for (TopologyNode node : journal.leaving()) {
      List<ShardMoveState> giving = journal.moves().stream()
          .filter(m -> m.before().contains(node.id()) && !m.after().contains(node.id())).toList();
      if (giving.stream().allMatch(m -> m.step() == MoveStep.DONE)) {
        drained.add(node.id());
      }
    }
    status.setLeavingNodes(journal.leaving().stream().map(TopologyNode::id).toList());
    status.setDrainedNodes(drained);
    return status;
  }

  /** The Events between two passes; {@code previous} is null before the first, {@code next} after the last. */
  public static List<Event> events(RebalanceStatus previous, RebalanceStatus next, RebalanceJournal journal) {
    List<Event> events = new ArrayList<>();
    if (next == null) {
      if (previous != null) {
        // The mover finished and removed its journal between two passes: what was left is done.
        drained(events, previous, previous.getLeavingNodes());
        events.add(new Event(false, "RebalanceFinished", "rebalance finished: " + previous.getMovesTotal()
            + " shard moves, the new placement is published"));
      }
      return events;
    }
    if (previous == null) {
      Set<String> joining = new TreeSet<>(journal.staying());
      journal.beforeNodes().forEach(n -> joining.remove(n.id()));
      events.add(new Event(false, "RebalancePlanned", next.getMovesTotal() + " shard moves planned ("
          + journal.replicasToMove() + " copies)"
          + (joining.isEmpty() ? "" : "; joining " + joining)
          + (journal.leaving().isEmpty() ? "" : "; leaving " + journal.leaving().stream().map(TopologyNode::id).toList())));
    }
    Map<String, String> before = previous == null || previous.getSteps() == null ? Map.of() : previous.getSteps();
    reached(events, before, next.getSteps(), s -> s.ordinal() >= MoveStep.COPYING.ordinal() && !s.isRollingBack(),
        "ShardsCopying", " copying to their new owners");
    reached(events, before, next.getSteps(), MoveStep::isCutOver,
        "ShardsVerified", " verified on every new owner (document count and digest equal)");
    reached(events, before, next.getSteps(), s -> s.ordinal() >= MoveStep.LIFTING.ordinal() && s.isCutOver(),
        "ShardsCutOver", " cut over: read and written on their new owners only");
    reached(events, before, next.getSteps(), s -> s == MoveStep.ROLLED_BACK,
        "ShardsRolledBack", " rolled back to their old owners (nothing lost); see the mover's logs");
    drained(events, previous, next.getDrainedNodes());
    if (next.getBlockedBy() != null && !Objects.equals(next.getBlockedBy(),
        previous == null ? null : previous.getBlockedBy())) {
      events.add(new Event(true, "RebalanceBlocked", next.getBlockedBy()));
    }
    return events;
  }

  private static void drained(List<Event> events, RebalanceStatus previous, List<String> drainedNow) {
    List<String> before = previous == null || previous.getDrainedNodes() == null ? List.of()
        : previous.getDrainedNodes();
    for (String node : drainedNow == null ? List.<String>of() : drainedNow) {
      if (!before.contains(node)) {
        events.add(new Event(false, "NodeDrained", "node " + node
            + " drained: every shard it held has moved and verified elsewhere; it is deleted once the rebalance ends"));
      }
    }
  }

  /** One Event for the shards that passed a milestone since the previous pass. */
  private static void reached(List<Event> events, Map<String, String> before, Map<String, String> after,
      Predicate<MoveStep> milestone, String reason, String what) {
    List<Integer> shards = new ArrayList<>();
    Map<String, String> now = after == null ? Map.of() : new LinkedHashMap<>(after);
    now.forEach((shard, step) -> {
      MoveStep was = before.containsKey(shard) ? MoveStep.fromWire(before.get(shard)) : MoveStep.PLANNED;
      if (milestone.test(MoveStep.fromWire(step)) && !milestone.test(was)) {
        shards.add(Integer.parseInt(shard));
      }
    });
    if (!shards.isEmpty()) {
      shards.sort(null);
      String list = shards.size() > 20 ? shards.size() + " shards" : "shards " + shards;
      events.add(new Event(reason.equals("ShardsRolledBack"), reason, list + what));
    }
  }
}
