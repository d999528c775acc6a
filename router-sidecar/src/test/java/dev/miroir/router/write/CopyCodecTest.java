package dev.miroir.router.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyCodecTest {

  private static NodeCopy copy(String node, byte[] body, String auth) {
    return new NodeCopy(42, node, "POST", "/indexes/ü/documents?primaryKey=id", body, "application/json", auth,
        null, "ü-index", 1_700_000_000_000L);
  }

  @Test
  void writesRoundTripWithTheirBodiesAndStrings() {
    byte[] big = new byte[3_000_000];
    Arrays.fill(big, (byte) 'x');
    List<NodeCopy> copies = List.of(copy("n0", big, "Bearer k\uD83D\uDE00"), copy("n1", null, null),
        copy("n2", "[]".getBytes(StandardCharsets.UTF_8), "Bearer lone \uD800 surrogate"));
    List<NodeCopy> back = CopyCodec.decodeOp(CopyCodec.encodeOp(copies));
    assertThat(back).hasSize(3);
    for (int i = 0; i < 3; i++) {
      NodeCopy a = copies.get(i);
      NodeCopy b = back.get(i);
      assertThat(b.body()).isEqualTo(a.body());
      assertThat(List.of(b.seq(), b.nodeId(), b.method(), b.uri(), String.valueOf(b.contentType()),
          String.valueOf(b.nonIdempotentType()), b.indexUid(), b.loggedAtMillis()))
          .isEqualTo(List.of(a.seq(), a.nodeId(), a.method(), a.uri(), String.valueOf(a.contentType()),
              String.valueOf(a.nonIdempotentType()), a.indexUid(), a.loggedAtMillis()));
    }
    assertThat(back.get(0).authorization()).isEqualTo("Bearer k\uD83D\uDE00");
    assertThat(back.get(1).authorization()).isNull();
    // A lone surrogate is written as UTF-8 writes it ('?'), and the record stays whole.
    assertThat(back.get(2).authorization()).isEqualTo("Bearer lone ? surrogate");
  }

  @Test
  void reservedBytesPrecedeTheRecordAndOneCopyRoundTrips() {
    List<NodeCopy> copies = List.of(copy("n0", "[1]".getBytes(StandardCharsets.UTF_8), "a"));
    byte[] plain = CopyCodec.encodeOp(copies);
    byte[] reserved = CopyCodec.encodeOp(copies, 16);
    assertThat(Arrays.copyOfRange(reserved, 16, reserved.length)).isEqualTo(plain);
    NodeCopy one = CopyCodec.decodeCopy(CopyCodec.encodeCopy(copies.get(0)));
    assertThat(one.body()).isEqualTo(copies.get(0).body());
    assertThat(one.uri()).isEqualTo(copies.get(0).uri());
  }

  @Test
  void aWrappedBodyIsSharedNotCopied() {
    byte[] body = "[{\"id\":1}]".getBytes(StandardCharsets.UTF_8);
    assertThat(NodeCopy.bytesOf(NodeCopy.wrap(body))).isSameAs(body);
    assertThat(NodeCopy.bytesOf(io.vertx.core.buffer.Buffer.buffer("abc"))).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
  }
}
