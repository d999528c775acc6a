package dev.miroir.router.search;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads one node's search answer for {@link HitMerger} without building the documents of its hits.
 *
 * <p>A node returns offset + limit hits and the merge keeps about one in {@code nodes}; building a
 * JSON tree of every document (every title, every number as an exact decimal) to throw most of
 * them away was most of the router's work per search. Here each hit is a {@link Hit}: a tree of
 * only what the merge reads ({@code _rankingScore}, {@code _rankingScoreDetails},
 * {@code _federation}, the distinct attribute), plus where the hit's bytes and each of its fields
 * are in the answer. A hit that makes the page is written back to the client as those bytes with
 * the router's fields left out, so its document is neither parsed into a tree nor written again,
 * and goes out byte for byte as the node wrote it. Everything outside {@code hits} (counts, facets,
 * query) is parsed as usual.
 */
public final class NodeAnswer {

  private static final Set<String> RANKING = Set.of("_rankingScore", "_rankingScoreDetails", "_federation");
  /** Hits with these fields fall back to a full tree: the shard field hides inside them too. */
  private static final Set<String> NESTED = Set.of("_formatted", "_matchesPosition");

  private NodeAnswer() {}

  /**
   * @param mapper the mapper for everything parsed (exact decimals)
   * @param distinct the distinct attribute the merge deduplicates by, or null
   */
  public static ObjectNode read(ObjectMapper mapper, byte[] bytes, String distinct) throws IOException {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    try (JsonParser p = mapper.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("a search answer is an object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("hits") && value == JsonToken.START_ARRAY) {
          ArrayNode hits = out.putArray("hits");
          while (p.nextToken() == JsonToken.START_OBJECT) {
            hits.add(readHit(mapper, p, bytes, distinct));
          }
        } else {
          out.set(name, mapper.readTree(p));
        }
      }
    }
    return out;
  }

  private static Hit readHit(ObjectMapper mapper, JsonParser p, byte[] bytes, String distinct) throws IOException {
    Hit hit = new Hit(mapper, bytes, (int) p.currentTokenLocation().getByteOffset());
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      int at = (int) p.currentTokenLocation().getByteOffset();
      hit.names.add(name);
      hit.starts.add(at);
      p.nextToken();
      if (RANKING.contains(name) || (distinct != null && (distinct.equals(name) || distinct.startsWith(name + ".")))) {
        hit.set(name, mapper.readTree(p));
      } else {
        if (NESTED.contains(name)) {
          hit.nested = true;
        }
        p.skipChildren();
      }
    }
    // The closing brace: the last field ends before it.
    hit.end = (int) p.currentTokenLocation().getByteOffset();
    return hit;
  }

  /** One hit: the fields the merge reads, and where all of its fields are in the answer. */
  static final class Hit extends ObjectNode {

    private static final long serialVersionUID = 1L;

    private final transient ObjectMapper mapper;
    private final transient byte[] bytes;
    private final int start;
    private int end;
    private boolean nested;
    private final List<String> names = new ArrayList<>();
    private final List<Integer> starts = new ArrayList<>();

    Hit(ObjectMapper mapper, byte[] bytes, int start) {
      super(JsonNodeFactory.instance);
      this.mapper = mapper;
      this.bytes = bytes;
      this.start = start;
    }

    /** The whole hit as a tree, as a full parse would have given it. */
    ObjectNode tree() {
      try {
        return (ObjectNode) mapper.readTree(bytes, start, end + 1 - start);
      } catch (IOException e) {
        throw new IllegalStateException("a hit read once cannot fail to parse", e);
      }
    }

    boolean nested() {
      return nested;
    }

    /** The hit's bytes without the fields named in {@code drop}: what the client receives. */
    RawValue without(Set<String> drop) {
      ByteBuffer out = ByteBuffer.allocate(end + 1 - start);
      out.put((byte) '{');
      boolean first = true;
      for (int i = 0; i < names.size(); i++) {
        if (drop.contains(names.get(i))) {
          continue;
        }
        int from = starts.get(i);
        int to = i + 1 < names.size() ? starts.get(i + 1) : end;
        // Back over the separator (and any whitespace) before the next field or the closing brace.
        to--;
        while (to > from && (bytes[to] == ' ' || bytes[to] == '\n' || bytes[to] == '\r' || bytes[to] == '\t')) {
          to--;
        }
        if (i + 1 < names.size() && bytes[to] == ',') {
          to--;
        }
        if (!first) {
          out.put((byte) ',');
        }
        out.put(bytes, from, to + 1 - from);
        first = false;
      }
      out.put((byte) '}');
      return new RawValue(new RawBytes(java.util.Arrays.copyOf(out.array(), out.position())));
    }
  }

  /** Bytes written as they are by Jackson's generator. */
  private record RawBytes(byte[] utf8) implements SerializableString {

    @Override
    public String getValue() {
      return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
      return getValue().toCharArray();
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return utf8;
    }

    @Override
    public byte[] asQuotedUTF8() {
      return utf8;
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      return appendUnquotedUTF8(buffer, offset);
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      return appendUnquoted(buffer, offset);
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      if (offset + utf8.length > buffer.length) {
        return -1;
      }
      System.arraycopy(utf8, 0, buffer, offset, utf8.length);
      return utf8.length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      char[] chars = getValue().toCharArray();
      if (offset + chars.length > buffer.length) {
        return -1;
      }
      System.arraycopy(chars, 0, buffer, offset, chars.length);
      return chars.length;
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) throws IOException {
      return writeUnquotedUTF8(out);
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      out.write(utf8);
      return utf8.length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      return putUnquotedUTF8(buffer);
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      if (buffer.remaining() < utf8.length) {
        return -1;
      }
      buffer.put(utf8);
      return utf8.length;
    }
  }

  /** Whether {@code node} is a hit read by {@link #read}. */
  static boolean isLazy(JsonNode node) {
    return node instanceof Hit;
  }
}
