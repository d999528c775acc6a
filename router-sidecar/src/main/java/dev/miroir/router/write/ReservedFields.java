package dev.miroir.router.write;

/** Names the router owns inside client data. */
public final class ReservedFields {

  /**
   * Every stored document carries its shard number under this field, so that a search can ask a node
   * for only some of the shards it holds ({@code _miroir_shard IN [...]}), which is what keeps results
   * free of duplicates with RF > 1 and while a shard moves. Clients never see it.
   */
  public static final String SHARD = "_miroir_shard";

  private ReservedFields() {}

  /** Removes the shard stamp from a document about to be returned to a client. */
  public static void stripFromDocument(com.fasterxml.jackson.databind.JsonNode document) {
    if (document instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
      object.remove(SHARD);
    }
  }

  /** Whether a filterableAttributes entry (a name or a granular pattern object) is the router's. */
  static boolean isShardEntry(com.fasterxml.jackson.databind.JsonNode entry) {
    if (entry.isTextual()) {
      return SHARD.equals(entry.textValue());
    }
    com.fasterxml.jackson.databind.JsonNode patterns = entry.path("attributePatterns");
    return patterns.isArray() && patterns.size() == 1 && SHARD.equals(patterns.get(0).asText());
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

  /** What nodes store: the client's filterableAttributes (null = reset) plus the router's entry. */
  public static com.fasterxml.jackson.databind.node.ArrayNode withShard(
      com.fasterxml.jackson.databind.JsonNode filterable) {
    com.fasterxml.jackson.databind.node.ArrayNode out = withoutShard(filterable);
    out.add(SHARD);
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
