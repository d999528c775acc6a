package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The k-way merge under {@link HitMerger} and {@link MultiSearchMerger}.
 *
 * <p>Each node list is sorted by {@link HitOrder}, equal hits in the node's internal document
 * order, and cut at offset + limit. The merge is ordered by {@link HitOrder}, then by the node's
 * place in the covering set, then by position in the node's list. Breaking ties any other way (by
 * shard, say) would be wrong, not just different: a node answering for shards 1 and 2 cuts its
 * list among equal hits by its own document order, so a hit of shard 1 that a shard-first rule
 * would want can already be cut off while an equal hit of shard 2 was kept. Ties (hits equal on
 * every rule) are where a sharded answer can differ from a single node's, which orders them by its
 * internal document id, something a router cannot see; with this rule they are deterministic for
 * one covering set, and the caller must pass the answers in covering-set order (failover answers
 * after them).
 *
 * <p>Keys are parsed lazily, only for hits that reach the head of their list: at most offset +
 * limit + nodes of them.
 */
final class RankedMerge {

  private RankedMerge() {}

  /** Where a hit comes from: its query (federated search has several) and how to rank it. */
  interface Queries {
    /** The client's position of the query a hit of node {@code node} answers. */
    int position(int node, JsonNode hit);

    double weight(int position);

    double semanticRatio(int position);

    /** The attribute to deduplicate the query's hits by, or null. */
    String distinct(int position);
  }

  /**
   * The merged window, the client query position of each of its hits, and how many of them came
   * from the semantic side.
   */
  record Window(List<ObjectNode> hits, int[] queryPositions, int semanticHits) {}

  private static final class Run {
    final JsonNode hits;
    final int node;
    int next;
    int position;
    RankingKey head;

    Run(JsonNode hits, int node) {
      this.hits = hits;
      this.node = node;
    }

    JsonNode headHit() {
      return hits.get(next);
    }
  }

  /**
   * Merges the hit lists of several nodes and returns hits {@code [offset, offset + limit)} of the
   * merged order, after distinct deduplication.
   */
  static Window merge(List<JsonNode> hitLists, Queries queries, long offset, long limit) {
    List<Run> runs = new ArrayList<>(hitLists.size());
    for (int node = 0; node < hitLists.size(); node++) {
      JsonNode hits = hitLists.get(node);
      if (hits != null && hits.isArray() && !hits.isEmpty()) {
        runs.add(new Run(hits, node));
      }
    }

    PriorityQueue<Run> heads = new PriorityQueue<>(Math.max(1, runs.size()), RankedMerge::before);
    for (Run run : runs) {
      readHead(run, queries);
      heads.add(run);
    }

    List<ObjectNode> window = new ArrayList<>((int) Math.min(limit, 1024));
    int[] positions = new int[(int) Math.min(limit, 1024)];
    Set<String> seen = null;
    long skipped = 0;
    int semantic = 0;
    while (!heads.isEmpty() && window.size() < limit) {
      Run run = heads.poll();
      JsonNode hit = run.headHit();
      RankingKey key = run.head;
      run.next++;
      if (run.next < run.hits.size()) {
        readHead(run, queries);
        heads.add(run);
      }
      String distinct = queries.distinct(key.queryPosition);
      if (distinct != null) {
        List<String> identities = FacetValues.identities(hit, distinct);
        if (seen == null) {
          seen = new HashSet<>();
        }
        boolean duplicate = false;
        for (String identity : identities) {
          if (seen.contains(key.queryPosition + ":" + identity)) {
            duplicate = true;
            break;
          }
        }
        if (duplicate) {
          continue;
        }
        for (String identity : identities) {
          seen.add(key.queryPosition + ":" + identity);
        }
      }
      if (skipped < offset) {
        skipped++;
        continue;
      }
      if (key.semantic) {
        semantic++;
      }
      if (window.size() == positions.length) {
        positions = java.util.Arrays.copyOf(positions, positions.length * 2 + 1);
      }
      positions[window.size()] = key.queryPosition;
      window.add((ObjectNode) hit);
    }
    return new Window(window, java.util.Arrays.copyOf(positions, window.size()), semantic);
  }

  private static void readHead(Run run, Queries queries) {
    run.position = queries.position(run.node, run.headHit());
    run.head =
        RankingKey.of(
            run.headHit(),
            run.position,
            queries.weight(run.position),
            queries.semanticRatio(run.position));
  }

  /** Negative when {@code a}'s head goes first. */
  private static int before(Run a, Run b) {
    int c = HitOrder.compare(a.head, b.head);
    if (c != 0) {
      return -c;
    }
    c = Integer.compare(a.node, b.node);
    return c != 0 ? c : Integer.compare(a.next, b.next);
  }
}
