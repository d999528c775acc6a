package dev.miroir.core.digest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One replica's shard document by document: id → hex SHA-256 of the canonical document, in id order.
 * What a repair or a shard move compares to learn which documents to copy and which to delete.
 */
public final class DocumentDigests {

  private final SortedMap<String, String> byId;

  public DocumentDigests(SortedMap<String, String> byId) {
    this.byId = Collections.unmodifiableSortedMap(new TreeMap<>(byId));
  }

  public SortedMap<String, String> byId() {
    return byId;
  }

  public long count() {
    return byId.size();
  }

  /** The shard digest of these documents, equal to what the builder that made them builds. */
  public ShardDigest summary() {
    SortedMap<String, byte[]> hashes = new TreeMap<>();
    byId.forEach((id, hex) -> hashes.put(id, HexFormat.of().parseHex(hex)));
    return ShardDigest.combine(hashes);
  }

  /**
   * What a replica must change to hold exactly {@code authoritative}'s documents: documents to write
   * (missing here or different here) and ids to delete (here but not there).
   */
  public DigestDiff diffAgainst(DocumentDigests authoritative) {
    return diff(authoritative, this);
  }

  /**
   * @param authoritative the copy that wins
   * @param replica the copy to bring in line
   */
  public static DigestDiff diff(DocumentDigests authoritative, DocumentDigests replica) {
    List<String> missing = new ArrayList<>();
    List<String> differing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    authoritative.byId.forEach((id, hash) -> {
      String theirs = replica.byId.get(id);
      if (theirs == null) {
        missing.add(id);
      } else if (!theirs.equals(hash)) {
        differing.add(id);
      }
    });
    replica.byId.keySet().forEach(id -> {
      if (!authoritative.byId.containsKey(id)) {
        extra.add(id);
      }
    });
    return new DigestDiff(missing, differing, extra);
  }
}
