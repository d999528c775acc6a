package dev.miroir.router.write;

import java.util.Objects;

/**
 * One node's copy of a sequenced write, as the replica log keeps it and the dispatcher sends it.
 *
 * @param seq the write's place in the cluster's write order (0 before it is sequenced)
 * @param nodeId the node that must enqueue it
 * @param method HTTP method
 * @param uri path and query, already encoded
 * @param body request body, or null
 * @param contentType body content type, or null
 * @param authorization the client's Authorization header, so that a replay is allowed exactly what the
 *     original request was (a node refuses it if the key was revoked meanwhile)
 * @param nonIdempotentType the node task type when applying it twice is not the same as once
 *     ({@code documentEdition}, {@code indexSwap}), else null
 * @param indexUid the index the write is about, or null (swap, cluster-wide)
 * @param loggedAtMillis when it was sequenced
 */
public record NodeCopy(
    long seq,
    String nodeId,
    String method,
    String uri,
    byte[] body,
    String contentType,
    String authorization,
    String nonIdempotentType,
    String indexUid,
    long loggedAtMillis) {

  public NodeCopy {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
  }

  public long bytes() {
    return body == null ? 0 : body.length;
  }

  NodeCopy sequenced(long seq, long atMillis) {
    return new NodeCopy(seq, nodeId, method, uri, body, contentType, authorization, nonIdempotentType, indexUid,
        atMillis);
  }

  /**
   * A body as a buffer that shares its bytes: a copy's body is several megabytes for a large batch and
   * is sent (and resent) as is, so it is never copied into each buffer that carries it.
   */
  public static io.vertx.core.buffer.Buffer wrap(byte[] body) {
    return io.vertx.core.internal.buffer.BufferInternal.buffer(io.netty.buffer.Unpooled.wrappedBuffer(body));
  }

  /** A buffer's bytes: its own array when it holds exactly them (as {@link #wrap} makes), else a copy. */
  public static byte[] bytesOf(io.vertx.core.buffer.Buffer buffer) {
    if (buffer instanceof io.vertx.core.internal.buffer.BufferInternal internal) {
      io.netty.buffer.ByteBuf buf = internal.unwrap();
      if (buf.hasArray() && buf.arrayOffset() == 0 && buf.readerIndex() == 0
          && buf.writerIndex() == buf.array().length) {
        return buf.array();
      }
    }
    return buffer.getBytes();
  }

  /** Never print the body or the key. */
  @Override
  public String toString() {
    return "NodeCopy[seq=" + seq + ", node=" + nodeId + ", " + method + " " + uri.replaceAll("\\?.*", "") + "]";
  }
}
