package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A federated {@code POST /multi-search} ({@code federation} present), planned for the nodes.
 *
 * <p>Each node receives one federated multi-search holding the queries of every index it answers
 * for, each restricted to its shards of that index, with federation offset 0 and limit offset +
 * limit, its own weights, and no {@code mergeFacets} (like Meilisearch's own remote federation:
 * "never merge distant facets"): the node merges its shards' per-query lists and removes a
 * document found by several queries of one index, and {@link MultiSearchMerger#federated} merges
 * the node lists. A node sees only some of the queries, so its {@code queriesPosition} is local;
 * {@link NodeRequest#queryPositions} maps it back to the client's.
 */
public final class FederatedSearch {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final List<String> indexOfQuery;
  private final List<ShardQueryBuilder.ShardSearch> queries;
  private final ObjectNode federation;
  private final long offset;
  private final long limit;
  private final Map<String, IndexSearchSettings> settingsByIndex;

  /** One node's request: its body and, for each of its queries, the client's query position. */
  public record NodeRequest(String node, ObjectNode body, int[] queryPositions) {}

  private FederatedSearch(
      List<String> indexOfQuery,
      List<ShardQueryBuilder.ShardSearch> queries,
      ObjectNode federation,
      long offset,
      long limit,
      Map<String, IndexSearchSettings> settingsByIndex) {
    this.indexOfQuery = indexOfQuery;
    this.queries = queries;
    this.federation = federation;
    this.offset = offset;
    this.limit = limit;
    this.settingsByIndex = settingsByIndex;
  }

  /**
   * Plans a federated multi-search body ({@code {"queries": [...], "federation": {...}}}).
   *
   * @param settingsByIndex the settings of every index the queries name
   */
  public static FederatedSearch plan(ObjectNode client, Map<String, IndexSearchSettings> settingsByIndex) {
    ObjectNode federation =
        client.get("federation") instanceof ObjectNode f ? f.deepCopy() : JSON.objectNode();
    long offset = Math.max(0, ShardQueryBuilder.naturalOr(federation.get("offset"), 0));
    long limit =
        Math.max(0, ShardQueryBuilder.naturalOr(federation.get("limit"), ShardQueryBuilder.DEFAULT_LIMIT));
    List<String> indexOfQuery = new ArrayList<>();
    List<ShardQueryBuilder.ShardSearch> queries = new ArrayList<>();
    for (JsonNode query : client.path("queries")) {
      String index = query.path("indexUid").asText();
      JsonNode options = query.path("federationOptions");
      double weight = options.path("weight").isNumber() ? options.path("weight").doubleValue() : 1.0;
      IndexSearchSettings settings =
          settingsByIndex.getOrDefault(index, IndexSearchSettings.defaults());
      ShardQueryBuilder.ShardSearch planned =
          ShardQueryBuilder.federatedQuery((ObjectNode) query, settings, weight);
      if (planned.template().get("federationOptions") instanceof ObjectNode nodeOptions) {
        // Positions are ours to map back; the node must number its own queries.
        nodeOptions.remove("queryPosition");
      }
      indexOfQuery.add(index);
      queries.add(planned);
    }
    return new FederatedSearch(
        List.copyOf(indexOfQuery), List.copyOf(queries), federation, offset, limit, Map.copyOf(settingsByIndex));
  }

  /** The client query positions. */
  public int queryCount() {
    return queries.size();
  }

  /** The indexes the queries name, in first-use order. */
  public Set<String> indexes() {
    return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(indexOfQuery));
  }

  /** One request per node of the covering sets of the queried indexes. */
  public List<NodeRequest> requests(Map<String, CoveringSet> coveringByIndex) {
    Map<String, Map<String, List<Integer>>> shardsByIndexByNode = new LinkedHashMap<>();
    coveringByIndex.forEach(
        (index, covering) ->
            covering
                .shardsByNode()
                .forEach(
                    (node, shards) ->
                        shardsByIndexByNode
                            .computeIfAbsent(node, n -> new LinkedHashMap<>())
                            .put(index, shards)));
    List<NodeRequest> requests = new ArrayList<>();
    shardsByIndexByNode.forEach((node, shardsByIndex) -> requests.add(requestFor(node, shardsByIndex)));
    return requests;
  }

  /**
   * The request for one node answering for {@code shardsByIndex}; also used for a failover, with
   * the shards re-planned by {@link CoveringSetPlanner#failover} for each index.
   */
  public NodeRequest requestFor(String node, Map<String, List<Integer>> shardsByIndex) {
    ObjectNode body = JSON.objectNode();
    ArrayNode nodeQueries = body.putArray("queries");
    List<Integer> positions = new ArrayList<>();
    for (int position = 0; position < queries.size(); position++) {
      List<Integer> shards = shardsByIndex.get(indexOfQuery.get(position));
      if (shards == null || shards.isEmpty()) {
        continue;
      }
      nodeQueries.add(queries.get(position).forShards(shards));
      positions.add(position);
    }
    ObjectNode nodeFederation = federation.deepCopy();
    nodeFederation.put("offset", 0);
    nodeFederation.put("limit", Math.min(Integer.MAX_VALUE, offset + limit));
    nodeFederation.remove("mergeFacets");
    if (federation.get("facetsByIndex") instanceof ObjectNode facetsByIndex) {
      ObjectNode kept = nodeFederation.putObject("facetsByIndex");
      for (Iterator<Map.Entry<String, JsonNode>> it = facetsByIndex.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        // An index no query uses is still validated by Meilisearch: let every node do that.
        if (shardsByIndex.containsKey(entry.getKey()) || !indexOfQuery.contains(entry.getKey())) {
          kept.set(entry.getKey(), entry.getValue());
        }
      }
    }
    body.set("federation", nodeFederation);
    return new NodeRequest(node, body, positions.stream().mapToInt(Integer::intValue).toArray());
  }

  String indexOf(int position) {
    return indexOfQuery.get(position);
  }

  SearchIntent intentOf(int position) {
    return queries.get(position).intent();
  }

  IndexSearchSettings settingsOf(String index) {
    return settingsByIndex.getOrDefault(index, IndexSearchSettings.defaults());
  }

  long offset() {
    return offset;
  }

  long limit() {
    return limit;
  }

  /** {@code federation.mergeFacets}, or null when absent. */
  JsonNode mergeFacets() {
    JsonNode merge = federation.get("mergeFacets");
    return merge == null || merge.isNull() ? null : merge;
  }

  /** The indexes of {@code facetsByIndex} with facets asked, in uid order. */
  Set<String> facetedIndexes() {
    Set<String> out = new TreeSet<>(HitOrder::compareCodePoints);
    if (federation.get("facetsByIndex") instanceof ObjectNode facetsByIndex) {
      facetsByIndex.fields().forEachRemaining(e -> {
        if (e.getValue().isArray() && indexOfQuery.contains(e.getKey())) {
          out.add(e.getKey());
        }
      });
    }
    return out;
  }
}
