package dev.miroir.router.write;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The binary form of a sequenced write (all its copies) in the file and Redis replica logs. */
final class CopyCodec {

  private static final int VERSION = 1;

  private CopyCodec() {}

  static byte[] encodeOp(List<NodeCopy> copies) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeInt(copies.size());
      for (NodeCopy c : copies) {
        writeCopy(out, c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      writeCopy(out, c);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
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

  private static void writeCopy(DataOutputStream out, NodeCopy c) throws IOException {
    out.writeLong(c.seq());
    out.writeLong(c.loggedAtMillis());
    writeString(out, c.nodeId());
    writeString(out, c.method());
    writeString(out, c.uri());
    writeString(out, c.contentType());
    writeString(out, c.authorization());
    writeString(out, c.nonIdempotentType());
    writeString(out, c.indexUid());
    if (c.body() == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(c.body().length);
      out.write(c.body());
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

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
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
