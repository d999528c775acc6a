package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Pages of {@code GET /indexes/{uid}/documents} and {@code POST .../documents/fetch} over shards.
 * Pure.
 *
 * <p>A single node lists documents in its internal document-id order, which no router can see
 * across shards, so the router defines its own order:
 *
 * <ul>
 *   <li>Without {@code sort}: shard by shard in ascending shard number, and within a shard in the
 *       order of the node answering for it (its internal id order, i.e. insertion order on that
 *       node). Pages are cut from per-shard totals ({@link #window}), so paging with offset/limit
 *       visits every document once as long as the index does not change.
 *   <li>With {@code sort}: by the sort values as Meilisearch compares them (missing last, numbers
 *       before strings), equal values by shard group then the node's own order ({@link #mergeSorted}).
 * </ul>
 */
public final class DocumentPage {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private DocumentPage() {}

  /** The part of one shard a page takes: its documents {@code [offset, offset + limit)}. */
  public record Piece(int shard, long offset, long limit) {}

  /**
   * The pieces of the page {@code [offset, offset + limit)} of the shard-major listing.
   *
   * @param totalsByShard the number of matching documents of every answered shard
   */
  public static List<Piece> window(SortedMap<Integer, Long> totalsByShard, long offset, long limit) {
    List<Piece> pieces = new ArrayList<>();
    long start = 0;
    long end = offset + limit;
    for (Map.Entry<Integer, Long> shard : totalsByShard.entrySet()) {
      long shardStart = start;
      long shardEnd = start + shard.getValue();
      long from = Math.max(offset, shardStart);
      long to = Math.min(end, shardEnd);
      if (from < to) {
        pieces.add(new Piece(shard.getKey(), from - shardStart, to - from));
      }
      start = shardEnd;
      if (start >= end) {
        break;
      }
    }
    return pieces;
  }

  /**
   * Merges lists each sorted by {@code sort} (e.g. {@code ["price:asc", "title:desc"]}) and returns
   * documents {@code [offset, offset + limit)} of the merged order. Lists are consumed.
   */
  public static List<ObjectNode> mergeSorted(List<JsonNode> lists, List<String> sort, long offset, long limit) {
    List<String[]> rules = new ArrayList<>();
    for (String rule : sort) {
      int colon = rule.lastIndexOf(':');
      rules.add(new String[] {rule.substring(0, colon), rule.substring(colon + 1)});
    }
    List<Iterator<JsonNode>> cursors = new ArrayList<>();
    List<JsonNode> heads = new ArrayList<>();
    for (JsonNode list : lists) {
      Iterator<JsonNode> cursor = list == null ? java.util.Collections.emptyIterator() : list.iterator();
      cursors.add(cursor);
      heads.add(cursor.hasNext() ? cursor.next() : null);
    }
    List<ObjectNode> out = new ArrayList<>();
    long taken = 0;
    while (taken < offset + limit) {
      int best = -1;
      for (int i = 0; i < heads.size(); i++) {
        if (heads.get(i) != null && (best < 0 || before(heads.get(i), heads.get(best), rules) > 0)) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      if (taken >= offset) {
        out.add((ObjectNode) heads.get(best));
      }
      taken++;
      heads.set(best, cursors.get(best).hasNext() ? cursors.get(best).next() : null);
    }
    return out;
  }

  /** Positive when {@code a} comes first; 0 leaves the earlier list first (strict {@code >} above). */
  private static int before(JsonNode a, JsonNode b, List<String[]> rules) {
    for (String[] rule : rules) {
      int c = HitOrder.compareSortValues("asc".equals(rule[1]), valueAt(a, rule[0]), valueAt(b, rule[0]));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** The value at a dotted path ({@code author.name}), a flattened key first as Meilisearch allows. */
  static JsonNode valueAt(JsonNode document, String path) {
    JsonNode direct = document.get(path);
    if (direct != null) {
      return direct;
    }
    int dot = path.indexOf('.');
    if (dot < 0) {
      return null;
    }
    JsonNode inner = document.get(path.substring(0, dot));
    return inner == null || !inner.isObject() ? null : valueAt(inner, path.substring(dot + 1));
  }

  /** {@code {"results", "offset", "limit", "total"}}, Meilisearch's field order. */
  public static ObjectNode page(List<? extends JsonNode> documents, long offset, long limit, long total) {
    ObjectNode page = JSON.objectNode();
    ArrayNode results = page.putArray("results");
    documents.forEach(results::add);
    page.put("offset", offset);
    page.put("limit", limit);
    page.put("total", total);
    return page;
  }
}
