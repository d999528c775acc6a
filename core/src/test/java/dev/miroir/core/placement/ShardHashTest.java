package dev.miroir.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** Golden vectors: these pin the wire contract shared with the original Rust Miroir design. */
class ShardHashTest {

  @Test
  void documentShardsMatchTheRustDesign() {
    assertThat(ShardHash.shardOf("user:12345", 64)).isEqualTo(15);
    assertThat(ShardHash.shardOf("product:abc", 64)).isEqualTo(24);
    assertThat(ShardHash.shardOf("test", 16)).isEqualTo(10);
    assertThat(ShardHash.shardOf("hello", 32)).isEqualTo(6);
  }

  @Test
  void integerIdsHashAsTheirDecimalString() {
    assertThat(ShardHash.shardOfId(42, 64)).isEqualTo(ShardHash.shardOf("42", 64));
    assertThat(ShardHash.shardOfId(42L, 64)).isEqualTo(ShardHash.shardOf("42", 64));
    assertThat(ShardHash.shardOfId(new BigInteger("18446744073709551615"), 1024))
        .isEqualTo(ShardHash.shardOf("18446744073709551615", 1024));
  }

  @Test
  void onlyStringAndIntegerIdsAreValid() {
    assertThatThrownBy(() -> ShardHash.shardOfId(1.5, 64))
        .isInstanceOf(InvalidDocumentIdException.class)
        .hasMessageContaining("string or an integer");
    assertThatThrownBy(() -> ShardHash.shardOfId(true, 64))
        .isInstanceOf(InvalidDocumentIdException.class);
    assertThatThrownBy(() -> ShardHash.shardOfId(null, 64))
        .isInstanceOf(InvalidDocumentIdException.class);
  }

  @Test
  void scoresArePinned() {
    // Raw XXH64 values: any change to the byte layout (LE shard, id, 0xFF) changes these.
    assertThat(Long.toUnsignedString(ShardHash.score("n0", 0))).isEqualTo(GOLDEN_SCORE_N0_0);
    assertThat(Long.toUnsignedString(ShardHash.score("node-a", 513))).isEqualTo(GOLDEN_SCORE_A_513);
  }

  @Test
  void hashIsUnsignedModulo() {
    for (int i = 0; i < 10_000; i++) {
      int shard = ShardHash.shardOf("k" + i, 7);
      assertThat(shard).isBetween(0, 6);
    }
  }

  // Cross-checked against an independent XXH64 (xxhash-wasm) when they were recorded.
  static final String GOLDEN_SCORE_N0_0 = "1886628003476672126";
  static final String GOLDEN_SCORE_A_513 = "17113472841709810856";
}
