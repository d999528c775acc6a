package dev.miroir.router.write;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.ShardHash;
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

  private WriteSplitter() {}

  /**
   * Splits documents and stamps each with {@code _miroir_shard} (the stamp is set on the document
   * itself, which the caller owns and has already checked for the reserved field).
   */
  public static Split<ObjectNode> splitDocuments(
      List<ObjectNode> documents, String primaryKey, RoutingSnapshot routing) {
    return split(
        documents,
        document -> {
          int shard = ShardHash.shardOfId(DocumentIds.idOf(document, primaryKey), routing.shards());
          document.put(ReservedFields.SHARD, shard);
          return shard;
        },
        routing);
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
