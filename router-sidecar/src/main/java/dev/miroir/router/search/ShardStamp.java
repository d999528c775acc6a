package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.digest.CanonicalDocument;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;

/**
 * How an index's documents carry their shard number, told by the router's entry in the index's
 * filterable attributes. Pure.
 *
 * <p>{@link #GEO}: the stamp is the top-level key {@code _geo._miroir_shard}. Meilisearch 1.21 treats
 * every field that {@code _geo} matches ({@code _geo}, {@code _geo.} anything) as a geo field, which
 * is never searchable whatever {@code searchableAttributes} says (milli
 * {@code MetadataBuilder::metadata_for_field}), yet filterable by name; only the exact {@code _geo}
 * rule turns geo on, and geo extraction reads only the {@code _geo} key. So the stamp is never a word:
 * a query {@code "5"} cannot match a document through it, as it could through a searchable
 * {@code _miroir_shard} under the default {@code ["*"]} (docs/compatibility.md). New indexes use it.
 *
 * <p>{@link #LEGACY}: {@code _miroir_shard}, searchable under {@code ["*"]}; indexes created before
 * keep it (their stored documents carry it). {@link #DUAL}: both entries, for an index being migrated
 * from the one to the other: filters accept either name, writes stamp the new one.
 *
 * <p>A filter naming an attribute that no filterable rule matches is an error on a node, so every
 * filter of a shard uses the names of the index's own form.
 */
public enum ShardStamp {
  LEGACY,
  DUAL,
  GEO;

  /** The stamp of indexes created before {@link #GEO}: searchable under {@code ["*"]}. */
  public static final String LEGACY_FIELD = CanonicalDocument.SHARD_FIELD;
  /** The stamp that no query matches (a geo field for Meilisearch). */
  public static final String GEO_FIELD = CanonicalDocument.GEO_SHARD_FIELD;
  /** Both names, for everything that hides or refuses the stamp. */
  public static final List<String> FIELDS = List.of(LEGACY_FIELD, GEO_FIELD);

  /** The form of an index whose nodes hold these filterable attributes (null or no entry: a new index). */
  public static ShardStamp of(JsonNode filterable) {
    boolean legacy = false;
    boolean geo = false;
    if (filterable != null && filterable.isArray()) {
      for (JsonNode entry : filterable) {
        legacy |= names(entry, LEGACY_FIELD);
        geo |= names(entry, GEO_FIELD);
      }
    }
    return legacy ? (geo ? DUAL : LEGACY) : GEO;
  }

  /** Whether a filterableAttributes entry (a name or a granular pattern object) is the router's {@code field}. */
  public static boolean names(JsonNode entry, String field) {
    if (entry.isTextual()) {
      return field.equals(entry.textValue());
    }
    JsonNode patterns = entry.path("attributePatterns");
    return patterns.isArray() && patterns.size() == 1 && field.equals(patterns.get(0).asText());
  }

  /** Whether {@code name} is a stamp, in either form. */
  public static boolean isStamp(String name) {
    return LEGACY_FIELD.equals(name) || GEO_FIELD.equals(name);
  }

  /** The field a write stamps. */
  public String field() {
    return this == LEGACY ? LEGACY_FIELD : GEO_FIELD;
  }

  /** The router's filterable entries on the nodes of an index of this form. */
  public List<String> filterableEntries() {
    return switch (this) {
      case LEGACY -> List.of(LEGACY_FIELD);
      case DUAL -> List.of(LEGACY_FIELD, GEO_FIELD);
      case GEO -> List.of(GEO_FIELD);
    };
  }

  /** {@code field IN [1, 4, 7]} (both names, ORed, for {@link #DUAL}). */
  public String in(Collection<Integer> shards) {
    StringJoiner list = new StringJoiner(", ", " IN [", "]");
    shards.stream().sorted().forEach(shard -> list.add(Integer.toString(shard)));
    return this == DUAL ? LEGACY_FIELD + list + " OR " + GEO_FIELD + list : field() + list;
  }

  /** The documents of one shard. */
  public String is(int shard) {
    return this == DUAL ? LEGACY_FIELD + " = " + shard + " OR " + GEO_FIELD + " = " + shard
        : field() + " = " + shard;
  }

  /** Every document outside these shards, documents without a stamp included. */
  public String notIn(Collection<Integer> shards) {
    return this == DUAL ? "NOT (" + in(shards) + ")" : in(shards).replace(" IN [", " NOT IN [");
  }
}
