package dev.miroir.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.node.NodeReply;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer to a client: status, extra headers, JSON body. */
public record Reply(int status, Map<String, String> headers, Buffer body) {

  public static Reply json(int status, JsonNode body) {
    return new Reply(status, Map.of(), bytes(body));
  }

  private static final com.fasterxml.jackson.databind.ObjectWriter WRITER =
      new com.fasterxml.jackson.databind.ObjectMapper().writer();

  /**
   * The JSON text of {@code json} as UTF-8 bytes, written once: {@code Buffer.buffer(json.toString())}
   * wrote it to a String and then encoded that String again. Same text as {@code toString()}. The
   * buffer wraps the written array ({@code Buffer.buffer(byte[])} copies it once more).
   */
  public static Buffer bytes(JsonNode json) {
    Scratch scratch = SCRATCH.get();
    try {
      WRITER.writeValue(scratch, json);
      return dev.miroir.router.write.NodeCopy.wrap(scratch.take());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a JSON tree that cannot be written", e);
    } finally {
      scratch.reset();
    }
  }

  /**
   * Where a thread writes its answers before copying them out at their exact size: Jackson's own
   * {@code writeValueAsBytes} grew fresh blocks for every answer, twice the answer's bytes of garbage
   * per search. An array above {@link #SCRATCH_KEPT} is dropped after use, not kept.
   */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final int SCRATCH_KEPT = 1 << 20;

  private static final class Scratch extends java.io.ByteArrayOutputStream {
    Scratch() {
      super(16 * 1024);
    }

    byte[] take() {
      return java.util.Arrays.copyOf(buf, count);
    }

    @Override
    public void reset() {
      super.reset();
      if (buf.length > SCRATCH_KEPT) {
        buf = new byte[16 * 1024];
      }
    }
  }

  public static Reply error(MeiliError error, Map<String, String> headers) {
    return new Reply(error.status(), headers, Buffer.buffer(error.toJson().toString()));
  }

  /** A node's answer passed through unchanged (its own 4xx, or a read served by one node). */
  public static Reply of(NodeReply node) {
    return new Reply(node.status(), Map.of(), node.body());
  }

  public Reply withHeaders(Map<String, String> more) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putAll(more);
    return new Reply(status, all, body);
  }
}
