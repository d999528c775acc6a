package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The k-way merge under {@link HitMerger} and {@link MultiSearchMerger}.
 *
 * <p>A node answering for several shards returns one list in which equal hits keep its internal
 * document order, which differs from replica to replica. Each node list is therefore split into
 * runs, one per (query, shard): every run is sorted by {@link HitOrder} and then by position, so a
 * k-way merge ordered by {@link HitOrder}, then shard, then position within the run, is a total
 * order that gives the same answer whichever replica served a shard. Ties (hits equal on every
 * rule) are exactly where a sharded answer can differ from a single node's, which orders them by
 * its internal document id, something a router cannot see.
 *
 * <p>Keys are parsed lazily, only for hits that reach the head of their run: at most offset +
 * limit + runs of them.
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
    final int shardKey;
    final int position;
    int[] indexes = new int[8];
    int size;
    int next;
    RankingKey head;

    Run(JsonNode hits, int node, int shardKey, int position) {
      this.hits = hits;
      this.node = node;
      this.shardKey = shardKey;
      this.position = position;
    }

    void add(int index) {
      if (size == indexes.length) {
        indexes = java.util.Arrays.copyOf(indexes, size * 2);
      }
      indexes[size++] = index;
    }

    JsonNode headHit() {
      return hits.get(indexes[next]);
    }
  }

  /**
   * Merges the hit lists of several nodes and returns hits {@code [offset, offset + limit)} of the
   * merged order, after distinct deduplication.
   */
  static Window merge(List<JsonNode> hitLists, Queries queries, long offset, long limit) {
    List<Run> runs = new ArrayList<>();
    for (int node = 0; node < hitLists.size(); node++) {
      JsonNode hits = hitLists.get(node);
      if (hits == null || !hits.isArray()) {
        continue;
      }
      Map<Long, Run> byQueryAndShard = new HashMap<>();
      for (int i = 0; i < hits.size(); i++) {
        JsonNode hit = hits.get(i);
        int position = queries.position(node, hit);
        JsonNode shard = hit.get(ShardFilter.SHARD_FIELD);
        int shardKey = shard != null && shard.canConvertToInt() ? shard.intValue() : -1 - node;
        long key = ((long) position << 32) | (shardKey & 0xffffffffL);
        final int n = node;
        byQueryAndShard
            .computeIfAbsent(key, k -> new Run(hits, n, shardKey, position))
            .add(i);
      }
      runs.addAll(byQueryAndShard.values());
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
      if (run.next < run.size) {
        readHead(run, queries);
        heads.add(run);
      }
      String distinct = queries.distinct(run.position);
      if (distinct != null) {
        List<String> identities = FacetValues.identities(hit, distinct);
        if (seen == null) {
          seen = new HashSet<>();
        }
        boolean duplicate = false;
        for (String identity : identities) {
          if (seen.contains(run.position + ":" + identity)) {
            duplicate = true;
            break;
          }
        }
        if (duplicate) {
          continue;
        }
        for (String identity : identities) {
          seen.add(run.position + ":" + identity);
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
      positions[window.size()] = run.position;
      window.add((ObjectNode) hit);
    }
    return new Window(window, java.util.Arrays.copyOf(positions, window.size()), semantic);
  }

  private static void readHead(Run run, Queries queries) {
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
    c = Integer.compare(a.shardKey, b.shardKey);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.node, b.node);
    if (c != 0) {
      return c;
    }
    return Integer.compare(a.indexes[a.next], b.indexes[b.next]);
  }
}
