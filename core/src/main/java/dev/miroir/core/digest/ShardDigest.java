package dev.miroir.core.digest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one replica holds of one shard of one index, in two numbers: how many documents, and a
 * SHA-256 over every document in id order. Two replicas with equal digests hold the same documents
 * with the same content (up to SHA-256 collisions); the count makes a difference readable.
 *
 * <p>The digest is over, for each document in order of its id (Java string order of the id's text),
 * the id's UTF-8 length (4 bytes, big-endian), the id's UTF-8 bytes, and the 32-byte SHA-256 of the
 * document's {@link CanonicalDocument canonical JSON}. Hashing each document on its own first lets a
 * replica be digested from pages in any order while keeping only 32 bytes per document, and gives
 * the per-document digests that {@link DocumentDigests#diff} compares to find what to repair.
 *
 * @param count documents in the shard on that replica
 * @param digest lowercase hex SHA-256 as described above
 */
public record ShardDigest(long count, String digest) {

  /** The digest of a shard with no documents. */
  public static final ShardDigest EMPTY = combine(new TreeMap<>());

  public ShardDigest {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0");
    }
    if (digest == null || digest.length() != 64) {
      throw new IllegalArgumentException("digest must be 64 hex characters");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Digests a shard fed one document at a time, in any order. It keeps the id and a 32-byte hash of
   * each document, never the document. A second document with an id already seen replaces the
   * first (a page stream that overlaps at a page boundary must not count a document twice).
   */
  public static final class Builder {

    private final SortedMap<String, byte[]> byId = new TreeMap<>();

    /** Adds one document given as JSON text. */
    public Builder addJson(String json, String primaryKey) {
      return add(CanonicalDocument.of(json, primaryKey));
    }

    public Builder add(CanonicalDocument document) {
      byId.put(document.id(), sha256().digest(document.json().getBytes(StandardCharsets.UTF_8)));
      return this;
    }

    public long count() {
      return byId.size();
    }

    public ShardDigest build() {
      return combine(byId);
    }

    /** The per-document digests seen so far, for diffing two replicas. */
    public DocumentDigests documents() {
      SortedMap<String, String> hex = new TreeMap<>();
      byId.forEach((id, hash) -> hex.put(id, HexFormat.of().formatHex(hash)));
      return new DocumentDigests(hex);
    }
  }

  /** The shard digest over per-document hashes in id order (the one definition of the digest). */
  static ShardDigest combine(SortedMap<String, byte[]> hashesById) {
    MessageDigest total = sha256();
    ByteBuffer length = ByteBuffer.allocate(4);
    for (Map.Entry<String, byte[]> e : hashesById.entrySet()) {
      byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
      length.clear();
      length.putInt(id.length);
      total.update(length.array());
      total.update(id);
      total.update(e.getValue());
    }
    return new ShardDigest(hashesById.size(), HexFormat.of().formatHex(total.digest()));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
