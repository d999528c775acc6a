package dev.miroir.router.write;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The binary form of a sequenced write (all its copies) in the file and Redis replica logs. */
final class CopyCodec {

  private static final int VERSION = 1;

  private CopyCodec() {}

  static byte[] encodeOp(List<NodeCopy> copies) {
    return encodeOp(copies, 0);
  }

  /**
   * The record with {@code reserved} bytes left free in front of it (for the log's own header), in
   * one array of its exact size: a copy's body is megabytes for a large batch, and growing a stream
   * and copying it out cost three times its size in garbage on every write.
   */
  static byte[] encodeOp(List<NodeCopy> copies, int reserved) {
    int length = reserved + 1 + 4;
    for (NodeCopy c : copies) {
      length += copyLength(c);
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    out.position(reserved);
    out.put((byte) VERSION);
    out.putInt(copies.size());
    for (NodeCopy c : copies) {
      writeCopy(out, c);
    }
    return out.array();
  }

  static List<NodeCopy> decodeOp(byte[] data) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
      int version = in.readByte();
      if (version != VERSION) {
        throw new IOException("unknown replica log record version " + version);
      }
      int n = in.readInt();
      List<NodeCopy> copies = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        copies.add(readCopy(in));
      }
      return copies;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] encodeCopy(NodeCopy c) {
    ByteBuffer out = ByteBuffer.allocate(1 + copyLength(c));
    out.put((byte) VERSION);
    writeCopy(out, c);
    return out.array();
  }

  static NodeCopy decodeCopy(byte[] data) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data))) {
      int version = in.readByte();
      if (version != VERSION) {
        throw new IOException("unknown replica log record version " + version);
      }
      return readCopy(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int copyLength(NodeCopy c) {
    int length = 8 + 8 + 4 + (c.body() == null ? 0 : c.body().length);
    for (byte[] s : strings(c)) {
      length += 4 + (s == null ? 0 : s.length);
    }
    return length;
  }

  /** The copy's strings in record order, as UTF-8 (null stays null). */
  private static byte[][] strings(NodeCopy c) {
    String[] all = {c.nodeId(), c.method(), c.uri(), c.contentType(), c.authorization(), c.nonIdempotentType(),
        c.indexUid()};
    byte[][] out = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      out[i] = all[i] == null ? null : all[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static void writeCopy(ByteBuffer out, NodeCopy c) {
    out.putLong(c.seq());
    out.putLong(c.loggedAtMillis());
    for (byte[] s : strings(c)) {
      writeBytes(out, s);
    }
    writeBytes(out, c.body());
  }

  private static void writeBytes(ByteBuffer out, byte[] b) {
    if (b == null) {
      out.putInt(-1);
    } else {
      out.putInt(b.length);
      out.put(b);
    }
  }

  private static NodeCopy readCopy(DataInputStream in) throws IOException {
    long seq = in.readLong();
    long at = in.readLong();
    String node = readString(in);
    String method = readString(in);
    String uri = readString(in);
    String contentType = readString(in);
    String auth = readString(in);
    String type = readString(in);
    String index = readString(in);
    int length = in.readInt();
    byte[] body = null;
    if (length >= 0) {
      body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("truncated replica log record");
      }
    }
    return new NodeCopy(seq, node, method, uri, body, contentType, auth, type, index, at);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IOException("truncated replica log record");
    }
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
}
