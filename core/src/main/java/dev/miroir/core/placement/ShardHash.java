package dev.miroir.core.placement;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;

/**
 * The two hashes that decide where data lives. They are the wire contract between the operator and
 * every router: both sides must compute them bit for bit like the original Rust Miroir design, so any
 * change here is a breaking change (golden vectors in {@code ShardHashTest} pin them).
 *
 * <p>zero-allocation-hashing provides a vetted XXH64 that hashes byte arrays without copying; a
 * hand-rolled XXH64 would be one more thing to get subtly wrong.
 */
public final class ShardHash {

  /** Appended to every hashed key so that "ab"+"c" and "a"+"bc" style concatenations cannot collide. */
  static final byte TERMINATOR = (byte) 0xFF;

  private static final LongHashFunction XXH64 = LongHashFunction.xx(0);

  private ShardHash() {}

  /**
   * The shard of a document: XXH64(seed 0, UTF-8 of the primary-key value, 0xFF) mod shards, the hash
   * taken as unsigned.
   */
  public static int shardOf(String primaryKeyValue, int shards) {
    requirePositive(shards);
    byte[] key = primaryKeyValue.getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[key.length + 1];
    System.arraycopy(key, 0, input, 0, key.length);
    input[key.length] = TERMINATOR;
    return (int) Long.remainderUnsigned(XXH64.hashBytes(input), shards);
  }

  /**
   * The shard of a document id as it appears in JSON. Meilisearch accepts only strings and integers as
   * primary-key values; an integer is hashed as its canonical decimal string so that {@code 42} and
   * {@code "42"} (which Meilisearch treats as the same document) land on the same shard.
   *
   * <p>Which strings Meilisearch accepts (charset, length) is the router's concern; placement hashes
   * whatever string it is given.
   *
   * @throws InvalidDocumentIdException for any other type
   */
  public static int shardOfId(Object primaryKeyValue, int shards) {
    return shardOf(canonicalId(primaryKeyValue), shards);
  }

  /** The canonical string of a primary-key value, or an exception saying why it is not one. */
  public static String canonicalId(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      return Long.toString(((Number) value).longValue());
    }
    if (value instanceof BigInteger big) {
      return big.toString();
    }
    throw new InvalidDocumentIdException(
        "a document identifier must be a string or an integer, got "
            + (value == null ? "null" : describe(value)));
  }

  /** Rendezvous score of a node for a shard: XXH64(seed 0, shard as u32 LE, node id UTF-8, 0xFF). */
  public static long score(String nodeId, int shard) {
    byte[] id = nodeId.getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[4 + id.length + 1];
    System.arraycopy(id, 0, input, 4, id.length);
    input[input.length - 1] = TERMINATOR;
    return score(input, shard);
  }

  /**
   * Score from a prepared input {@code [4 bytes for the shard][node id UTF-8][0xFF]}: the first four
   * bytes are overwritten with the shard, little-endian. Lets {@link Rendezvous} reuse one buffer per
   * node instead of allocating one per (node, shard).
   */
  static long score(byte[] preparedInput, int shard) {
    preparedInput[0] = (byte) shard;
    preparedInput[1] = (byte) (shard >>> 8);
    preparedInput[2] = (byte) (shard >>> 16);
    preparedInput[3] = (byte) (shard >>> 24);
    return XXH64.hashBytes(preparedInput);
  }

  private static String describe(Object value) {
    if (value instanceof Number) {
      return "a non-integer number `" + value + "`";
    }
    if (value instanceof Boolean) {
      return "a boolean `" + value + "`";
    }
    return "a " + value.getClass().getSimpleName();
  }

  private static void requirePositive(int shards) {
    if (shards <= 0) {
      throw new IllegalArgumentException("shard count must be at least 1, got " + shards);
    }
  }
}
