package dev.miroir.router.write;

import dev.miroir.router.search.ShardStamp;

/** Names the router owns inside client data. */
public final class ReservedFields {

  /**
   * Every stored document carries its shard number under a stamp field, so that a search can ask a
   * node for only some of the shards it holds ({@code <stamp> IN [...]}), which is what keeps results
   * free of duplicates with RF > 1 and while a shard moves. Clients never see it. This is the name of
   * the first stamp, which every stamp name contains ({@link ShardStamp}: {@code _miroir_shard},
   * {@code _geo._miroir_shard}), so a text that names neither does not contain it.
   */
  public static final String SHARD = ShardStamp.LEGACY_FIELD;

  private ReservedFields() {}

  /** Removes the shard stamp from a document about to be returned to a client. */
  public static void stripFromDocument(com.fasterxml.jackson.databind.JsonNode document) {
    if (document instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
      object.remove(ShardStamp.FIELDS);
    }
  }

  /** Whether a filterableAttributes entry (a name or a granular pattern object) is the router's. */
  static boolean isShardEntry(com.fasterxml.jackson.databind.JsonNode entry) {
    return ShardStamp.FIELDS.stream().anyMatch(field -> ShardStamp.names(entry, field));
  }

  /** The client's view of filterableAttributes: without the router's entry. */
  public static com.fasterxml.jackson.databind.node.ArrayNode withoutShard(
      com.fasterxml.jackson.databind.JsonNode filterable) {
    com.fasterxml.jackson.databind.node.ArrayNode out =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    if (filterable != null && filterable.isArray()) {
      filterable.forEach(e -> {
        if (!isShardEntry(e)) {
          out.add(e);
        }
      });
    }
    return out;
  }

  /**
   * What nodes store: the client's filterableAttributes (null = reset) plus the router's entries for
   * an index whose documents carry {@code stamp}.
   */
  public static com.fasterxml.jackson.databind.node.ArrayNode withShard(
      com.fasterxml.jackson.databind.JsonNode filterable, ShardStamp stamp) {
    com.fasterxml.jackson.databind.node.ArrayNode out = withoutShard(filterable);
    stamp.filterableEntries().forEach(out::add);
    return out;
  }

  public static boolean containsShard(com.fasterxml.jackson.databind.JsonNode filterable) {
    if (filterable != null && filterable.isArray()) {
      for (com.fasterxml.jackson.databind.JsonNode e : filterable) {
        if (isShardEntry(e)) {
          return true;
        }
      }
    }
    return false;
  }
}
