package dev.miroir.core.digest;

import java.util.ArrayList;
import java.util.List;

/**
 * How one replica of a shard differs from the authoritative copy, by id (each list in id order).
 *
 * @param missing ids the authoritative copy has and the replica lacks: write them
 * @param differing ids both have with different content: rewrite them
 * @param extra ids the replica has and the authoritative copy lacks: delete them
 */
public record DigestDiff(List<String> missing, List<String> differing, List<String> extra) {

  public DigestDiff {
    missing = List.copyOf(missing);
    differing = List.copyOf(differing);
    extra = List.copyOf(extra);
  }

  public boolean isEmpty() {
    return missing.isEmpty() && differing.isEmpty() && extra.isEmpty();
  }

  /** Ids whose authoritative document must be written to the replica. */
  public List<String> toWrite() {
    List<String> ids = new ArrayList<>(missing.size() + differing.size());
    ids.addAll(missing);
    ids.addAll(differing);
    return ids;
  }
}
