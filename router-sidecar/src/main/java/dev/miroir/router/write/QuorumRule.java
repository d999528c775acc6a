package dev.miroir.router.write;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Decides whether a write is acknowledged, from what each node answered.
 *
 * <p><b>The rule.</b> The router sends every write to all write targets of every shard it touches
 * (never stopping early), then judges each shard on its own: the shard is <em>complete</em> when every
 * target enqueued the write, <em>degraded</em> when at least {@code floor(RF/2)+1} targets did but
 * not all, and <em>failed</em> below that. A node acknowledges only by enqueueing (HTTP 2xx); a 4xx,
 * a 5xx, a timeout or a refused connection are all "not enqueued". The write is acknowledged when no
 * shard failed and no node refused it with a 4xx. A 4xx means the request itself is wrong (identical
 * settings make every node judge alike), so the client gets that node's error unchanged.
 *
 * <p>With RF 1 and RF 2 the quorum is every target: with RF 2 a node down fails the writes of its
 * shards rather than keep a single copy of acknowledged data. With RF 3 one target may miss a write
 * and the client is told which shards are degraded.
 *
 * <p>A node that missed a write (acknowledged with RF 3, or not acknowledged at all) catches up through
 * the replica log: the router delivers the copies it missed, in sequence order, when it answers again.
 * A node that refuses (4xx) its copy while a peer enqueued the same write counts as missing it here
 * and is marked as needing repair (see {@code docs/design/writes.md}).
 */
public final class QuorumRule {

  /** What one node did with its share of the write. */
  public enum NodeOutcome {
    ENQUEUED,
    /** The node answered 4xx: the request is at fault. */
    REJECTED,
    /** 5xx, timeout or unreachable: the node is at fault. */
    UNAVAILABLE
  }

  public enum Verdict {
    /** Every shard reached quorum: answer 202 (naming degraded shards if any). */
    ACKNOWLEDGED,
    /** A node refused the request with a 4xx: pass its error through. */
    REJECTED,
    /** Some shard missed quorum: answer a Meilisearch-shaped 503 naming the failed shards. */
    FAILED
  }

  /**
   * @param degradedShards shards that reached quorum but not every target
   * @param failedShards shards below quorum
   * @param lateNodes nodes that did not enqueue; they need the write replayed (or a repair)
   */
  public record Decision(
      Verdict verdict, List<Integer> degradedShards, List<Integer> failedShards, List<String> lateNodes) {}

  private QuorumRule() {}

  public static int quorum(int replicationFactor) {
    return replicationFactor / 2 + 1;
  }

  public static Decision decide(
      SortedMap<Integer, List<String>> targetsByShard,
      Map<String, NodeOutcome> outcomes,
      int replicationFactor) {
    int quorum = quorum(replicationFactor);
    List<Integer> degraded = new ArrayList<>();
    List<Integer> failed = new ArrayList<>();
    for (Map.Entry<Integer, List<String>> entry : targetsByShard.entrySet()) {
      List<String> targets = entry.getValue();
      long enqueued =
          targets.stream().filter(n -> outcomes.get(n) == NodeOutcome.ENQUEUED).count();
      // A moving shard has more targets than RF; it still needs a quorum of RF's size, but never
      // more than it has targets (a shard with fewer targets must reach them all).
      int needed = Math.min(quorum, targets.size());
      if (enqueued == targets.size()) {
        continue;
      }
      if (enqueued >= needed) {
        degraded.add(entry.getKey());
      } else {
        failed.add(entry.getKey());
      }
    }
    List<String> late =
        outcomes.entrySet().stream()
            .filter(e -> e.getValue() != NodeOutcome.ENQUEUED)
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    Verdict verdict;
    if (outcomes.containsValue(NodeOutcome.REJECTED) && !outcomes.containsValue(NodeOutcome.ENQUEUED)) {
      // Every node that answered refused: the request is wrong, and nothing was enqueued anywhere.
      verdict = Verdict.REJECTED;
    } else if (!failed.isEmpty()) {
      verdict = Verdict.FAILED;
    } else {
      verdict = Verdict.ACKNOWLEDGED;
    }
    return new Decision(verdict, List.copyOf(degraded), List.copyOf(failed), late);
  }
}
