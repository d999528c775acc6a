package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Restricts a client filter to the shards a node must answer for, so that a node holding more
 * shards than it answers for (RF > 1, or a shard being moved onto it) counts no document twice.
 *
 * <p>The restriction is always expressed in Meilisearch's array form: an array is the AND of its
 * elements, and each element is parsed on its own ({@code Filter::from_array} in milli). Appending
 * one element therefore never re-parses or re-brackets the client's text, which is what keeps its
 * semantics intact: a string filter becomes {@code [client, clause]}, an array filter gets
 * {@code clause} appended (its inner OR arrays are untouched), and no filter becomes
 * {@code [clause]}.
 */
public final class ShardFilter {

  private ShardFilter() {}

  /**
   * The client filter ANDed with {@code <stamp> IN [shards]} ({@link ShardStamp#in}). A filter of
   * another JSON type is returned unchanged so that the node answers with Meilisearch's own error for it.
   */
  public static JsonNode restrict(JsonNode clientFilter, Collection<Integer> shards, ShardStamp stamp) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("a node asked for no shard must not be asked at all");
    }
    String clause = stamp.in(shards);
    JsonNodeFactory json = JsonNodeFactory.instance;
    if (clientFilter == null || clientFilter.isNull() || clientFilter.isMissingNode()) {
      return json.arrayNode().add(clause);
    }
    if (clientFilter.isTextual()) {
      // An empty string is no filter for Meilisearch; keeping it costs nothing and is still valid.
      return json.arrayNode().add(clientFilter.textValue()).add(clause);
    }
    if (clientFilter.isArray()) {
      ArrayNode restricted = ((ArrayNode) clientFilter).deepCopy();
      restricted.add(clause);
      return restricted;
    }
    return clientFilter;
  }

  /**
   * Whether a node asked for {@code answers} answers for every shard the placement gives it
   * ({@code placed}, see {@code RoutingSnapshot.placedShards}). Then the filter on them keeps
   * everything the node holds, provided it holds no document of another shard
   * ({@link #strayCount} answers 0), and only costs the node a filter evaluation per search.
   */
  public static boolean answersForAllPlaced(List<Integer> placed, Collection<Integer> answers) {
    return placed != null && placed.size() == answers.size() && new TreeSet<>(answers).equals(new TreeSet<>(placed));
  }

  /**
   * The search that counts a node's documents outside {@code placed}, exactly (placeholder, limit 0;
   * documents without the shard field count too): 0 proves the node holds no other shard.
   */
  public static ObjectNode strayCount(Collection<Integer> placed, ShardStamp stamp) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("q", "");
    body.put("limit", 0);
    body.put("filter", stamp.notIn(placed));
    return body;
  }
}
