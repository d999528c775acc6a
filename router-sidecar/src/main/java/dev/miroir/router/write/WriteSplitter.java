package dev.miroir.router.write;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.ShardHash;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.topology.RoutingSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns one client batch into one batch per node: each item goes to every write target of its shard.
 * Pure; the router sends the result.
 */
public final class WriteSplitter {

  /**
   * @param perNode items for each node, in client order within a node
   * @param targetsByShard the write targets of every shard the batch touches, ascending by shard
   */
  public record Split<T>(Map<String, List<T>> perNode, SortedMap<Integer, List<String>> targetsByShard) {}

  /**
   * @param perNode each node's request body (a JSON array of its documents)
   * @param targetsByShard the write targets of every shard the batch touches, ascending by shard
   */
  public record Bodies(Map<String, byte[]> perNode, SortedMap<Integer, List<String>> targetsByShard) {}

  private WriteSplitter() {}

  /**
   * Splits documents and stamps each with {@code stamp}'s field (the stamp is set on the document
   * itself, which the caller owns and has already checked for the reserved field).
   */
  public static Split<ObjectNode> splitDocuments(
      List<ObjectNode> documents, String primaryKey, RoutingSnapshot routing, ShardStamp stamp) {
    return split(
        documents,
        document -> {
          int shard = ShardHash.shardOfId(DocumentIds.idOf(document, primaryKey), routing.shards());
          document.put(stamp.field(), shard);
          return shard;
        },
        routing);
  }

  /**
   * Splits a batch into one body per node: each node's documents in client order, each stamped with
   * {@code stamp}'s field, as {@link #splitDocuments} followed by serialising each node's list gives.
   *
   * @throws dev.miroir.router.ApiException a document without a valid id (checked before, normally)
   */
  public static Bodies splitBatch(DocumentBatch batch, String primaryKey, RoutingSnapshot routing, ShardStamp stamp) {
    Object[] ids = batch.ids(primaryKey);
    int n = batch.size();
    int[] shardOf = new int[n];
    Map<String, int[]> indexes = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    SortedMap<Integer, List<String>> targets = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      int shard = ShardHash.shardOfId(ids[i], routing.shards());
      shardOf[i] = shard;
      List<String> writeTargets = targets.computeIfAbsent(shard, routing::writeTargets);
      for (String node : writeTargets) {
        int count = counts.getOrDefault(node, 0);
        int[] list = indexes.computeIfAbsent(node, x -> new int[Math.min(n, 1024)]);
        if (count == list.length) {
          list = java.util.Arrays.copyOf(list, Math.min(n, list.length * 2));
          indexes.put(node, list);
        }
        list[count] = i;
        counts.put(node, count + 1);
      }
    }
    Map<String, byte[]> perNode = new LinkedHashMap<>();
    indexes.forEach((node, list) -> perNode.put(node, batch.body(list, counts.get(node), shardOf, stamp)));
    return new Bodies(perNode, targets);
  }

  /** Splits document ids (already validated) for deletion. */
  public static Split<Object> splitIds(List<Object> ids, RoutingSnapshot routing) {
    return split(ids, id -> ShardHash.shardOfId(id, routing.shards()), routing);
  }

  private static <T> Split<T> split(
      List<T> items, Function<T, Integer> shardOf, RoutingSnapshot routing) {
    Map<String, List<T>> perNode = new LinkedHashMap<>();
    SortedMap<Integer, List<String>> targets = new TreeMap<>();
    for (T item : items) {
      int shard = shardOf.apply(item);
      List<String> writeTargets = routing.writeTargets(shard);
      targets.putIfAbsent(shard, writeTargets);
      for (String node : writeTargets) {
        perNode.computeIfAbsent(node, n -> new ArrayList<>()).add(item);
      }
    }
    return new Split<>(perNode, targets);
  }
}
