package dev.miroir.router.search;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>The hits are walked by a byte scanner ({@link #skipValue}), not by Jackson's tokenizer: a
 * tokenizer canonicalises every field name, reads every number and tracks the location of every
 * token of every document, which was a quarter of the router's CPU per search, while the merge
 * only needs to know where each field of a hit begins and ends. The values the merge reads are
 * then parsed by Jackson in one go per answer. The ranking values are parsed as doubles: the merge
 * only compares them as doubles ({@link HitOrder}, {@link RankingKey}) and never writes them (a
 * hit goes out as the node's bytes, or re-read exactly by {@link Hit#tree}), and a double parsed
 * from the decimal text is the correctly rounded value the exact decimal's
 * {@code doubleValue()} gave.
 */
public final class NodeAnswer {

  private static final Set<String> RANKING = Set.of("_rankingScore", "_rankingScoreDetails", "_federation");
  /** The ranking values: only compared as doubles (see the class comment). */
  private static final ObjectMapper RANKING_VALUES = JsonMapper.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  private NodeAnswer() {}

  /**
   * @param mapper the mapper for everything parsed (exact decimals)
   * @param distinct the distinct attribute the merge deduplicates by, or null
   * @throws IOException when the answer is not a JSON object the scanner can walk; the caller then
   *     parses it as a whole
   */
  public static ObjectNode read(ObjectMapper mapper, byte[] bytes, String distinct) throws IOException {
    int i = ws(bytes, 0);
    expect(bytes, i, '{');
    i = ws(bytes, i + 1);
    int hitsFrom = -1;
    int hitsTo = -1;
    ArrayNode hits = JsonNodeFactory.instance.arrayNode();
    Values ranking = new Values();
    Values distinctValues = new Values();
    // Find the top-level "hits" array (Meilisearch writes it first) and walk it.
    while (peek(bytes, i) != '}') {
      expect(bytes, i, '"');
      int keyTo = skipString(bytes, i);
      boolean isHits = keyTo - i == 6 && bytes[i + 1] == 'h' && bytes[i + 2] == 'i' && bytes[i + 3] == 't'
          && bytes[i + 4] == 's';
      i = ws(bytes, keyTo);
      expect(bytes, i, ':');
      int valueFrom = ws(bytes, i + 1);
      if (isHits && peek(bytes, valueFrom) == '[') {
        hitsFrom = valueFrom;
        i = ws(bytes, valueFrom + 1);
        while (peek(bytes, i) != ']') {
          expect(bytes, i, '{');
          Hit hit = new Hit(mapper, bytes, i);
          i = ws(bytes, readHit(hit, bytes, i, distinct, ranking, distinctValues));
          hits.add(hit);
          if (peek(bytes, i) == ',') {
            i = ws(bytes, i + 1);
          } else if (bytes[i] != ']') {
            throw new IOException("a search answer's hits are objects separated by commas");
          }
        }
        hitsTo = i + 1;
        break;
      }
      i = ws(bytes, skipValue(bytes, valueFrom));
      if (peek(bytes, i) == ',') {
        i = ws(bytes, i + 1);
      }
    }
    if (hitsFrom < 0) {
      return (ObjectNode) mapper.readTree(bytes);
    }
    // Everything but the hits, parsed as usual: the answer with an empty hits array.
    byte[] rest = new byte[bytes.length - (hitsTo - hitsFrom) + 2];
    System.arraycopy(bytes, 0, rest, 0, hitsFrom);
    rest[hitsFrom] = '[';
    rest[hitsFrom + 1] = ']';
    System.arraycopy(bytes, hitsTo, rest, hitsFrom + 2, bytes.length - hitsTo);
    if (!(mapper.readTree(rest) instanceof ObjectNode out)) {
      throw new IOException("a search answer is an object");
    }
    ranking.parse(RANKING_VALUES, bytes);
    distinctValues.parse(mapper, bytes);
    out.set("hits", hits);
    return out;
  }

  /** Walks one hit from its opening brace; returns the position after its closing brace. */
  private static int readHit(Hit hit, byte[] bytes, int open, String distinct, Values ranking, Values distinctValues)
      throws IOException {
    int i = ws(bytes, open + 1);
    while (peek(bytes, i) != '}') {
      expect(bytes, i, '"');
      int keyFrom = i;
      int keyTo = skipString(bytes, i);
      i = ws(bytes, keyTo);
      expect(bytes, i, ':');
      int valueFrom = ws(bytes, i + 1);
      int valueTo = skipValue(bytes, valueFrom);
      int field = hit.add(keyFrom, keyTo, valueTo);
      // Every name the merge looks for but the distinct attribute starts with '_' (or an escape).
      boolean special = bytes[keyFrom + 1] == '_' || bytes[keyFrom + 1] == '\\';
      String ranked = special ? rankingName(hit, field) : null;
      if (ranked != null) {
        ranking.add(hit, ranked, valueFrom, valueTo);
      } else if (distinct != null && hit.isPrefixOf(field, distinct)) {
        distinctValues.add(hit, hit.name(field), valueFrom, valueTo);
      } else if (special && (hit.nameIs(field, "_formatted") || hit.nameIs(field, "_matchesPosition"))) {
        hit.nested = true;
      }
      i = ws(bytes, valueTo);
      if (peek(bytes, i) == ',') {
        i = ws(bytes, i + 1);
      } else if (bytes[i] != '}') {
        throw new IOException("a hit's fields are separated by commas");
      }
    }
    hit.end = i;
    return i + 1;
  }

  /** The ranking field a hit's field is, or null. */
  private static String rankingName(Hit hit, int field) {
    for (String name : RANKING) {
      if (hit.nameIs(field, name)) {
        return name;
      }
    }
    return null;
  }

  /** Values of hits to parse in one go, as one JSON array of their bytes. */
  private static final class Values {
    private final List<Hit> hits = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private int[] spans = new int[32];
    private int length;

    void add(Hit hit, String name, int from, int to) {
      if (2 * hits.size() + 2 > spans.length) {
        spans = Arrays.copyOf(spans, spans.length * 2);
      }
      spans[2 * hits.size()] = from;
      spans[2 * hits.size() + 1] = to;
      hits.add(hit);
      names.add(name);
      length += to - from + 1;
    }

    void parse(ObjectMapper mapper, byte[] bytes) throws IOException {
      if (hits.isEmpty()) {
        return;
      }
      byte[] array = new byte[length + 1];
      int at = 0;
      for (int v = 0; v < hits.size(); v++) {
        array[at++] = (byte) (v == 0 ? '[' : ',');
        int from = spans[2 * v];
        int to = spans[2 * v + 1];
        System.arraycopy(bytes, from, array, at, to - from);
        at += to - from;
      }
      array[at] = ']';
      JsonNode values = mapper.readTree(array);
      if (values == null || values.size() != hits.size()) {
        throw new IOException("a hit's value is not one JSON value");
      }
      for (int v = 0; v < hits.size(); v++) {
        hits.get(v).set(names.get(v), values.get(v));
      }
    }
  }

  // ---- the scanner: positions in UTF-8 JSON, never decoding what it skips ----------------------

  private static int ws(byte[] bytes, int i) {
    while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
      i++;
    }
    return i;
  }

  private static void expect(byte[] bytes, int i, char c) throws IOException {
    if (i >= bytes.length || bytes[i] != c) {
      throw new IOException("expected '" + c + "' at byte " + i + " of a search answer");
    }
  }

  /** The byte at {@code i}, or an IOException past the end. */
  private static byte peek(byte[] bytes, int i) throws IOException {
    if (i >= bytes.length) {
      throw new IOException("a search answer ends early");
    }
    return bytes[i];
  }

  /** From a string's opening quote to the position after its closing quote. */
  static int skipString(byte[] bytes, int open) throws IOException {
    int i = open + 1;
    int n = bytes.length;
    while (true) {
      // A tight loop to the next quote or backslash (most strings have no escape).
      byte b = 0;
      while (i < n && (b = bytes[i]) != '"' && b != '\\') {
        i++;
      }
      if (i >= n) {
        throw new IOException("unterminated string in a search answer");
      }
      if (b == '"') {
        return i + 1;
      }
      i += 2; // the backslash and the character it escapes
    }
  }

  /** From the first byte of a value to the position after it. */
  static int skipValue(byte[] bytes, int from) throws IOException {
    if (from >= bytes.length) {
      throw new IOException("a search answer ends inside a value");
    }
    byte first = bytes[from];
    if (first == '"') {
      return skipString(bytes, from);
    }
    if (first == '{' || first == '[') {
      int depth = 0;
      for (int i = from; i < bytes.length; i++) {
        byte b = bytes[i];
        if (b == '"') {
          i = skipString(bytes, i) - 1;
        } else if (b == '{' || b == '[') {
          depth++;
        } else if (b == '}' || b == ']') {
          if (--depth == 0) {
            return i + 1;
          }
        }
      }
      throw new IOException("a search answer ends inside an object or array");
    }
    // A number, true, false or null: up to the next separator.
    int i = from;
    while (i < bytes.length) {
      byte b = bytes[i];
      if (b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        break;
      }
      i++;
    }
    if (i == from) {
      throw new IOException("a value is missing at byte " + from + " of a search answer");
    }
    return i;
  }

  /** One hit: the fields the merge reads, and where all of its fields are in the answer. */
  static final class Hit extends ObjectNode {

    private static final long serialVersionUID = 1L;

    private final transient ObjectMapper mapper;
    private final transient byte[] bytes;
    private final int start;
    private int end;
    private boolean nested;
    /** Per field: where its key's opening quote is, where the key ends, where the value ends. */
    private int[] fields = new int[3 * 16];
    private int count;

    Hit(ObjectMapper mapper, byte[] bytes, int start) {
      super(JsonNodeFactory.instance);
      this.mapper = mapper;
      this.bytes = bytes;
      this.start = start;
    }

    int add(int keyFrom, int keyTo, int valueTo) {
      if (3 * count + 3 > fields.length) {
        fields = Arrays.copyOf(fields, fields.length * 2);
      }
      fields[3 * count] = keyFrom;
      fields[3 * count + 1] = keyTo;
      fields[3 * count + 2] = valueTo;
      return count++;
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

    /** A field's name, its escapes decoded. */
    String name(int field) {
      int from = fields[3 * field] + 1;
      int to = fields[3 * field + 1] - 1;
      for (int i = from; i < to; i++) {
        if (bytes[i] == '\\') {
          try {
            return mapper.readValue(bytes, from - 1, to + 1 - (from - 1), String.class);
          } catch (IOException e) {
            throw new IllegalStateException("a key scanned once cannot fail to parse", e);
          }
        }
      }
      return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    boolean nameIs(int field, String name) {
      int from = fields[3 * field] + 1;
      int to = fields[3 * field + 1] - 1;
      return plain(from, to) ? sameAscii(bytes, from, to, name, name.length()) : name(field).equals(name);
    }

    /** Whether the field is {@code path} or a parent object of it ({@code path} starts with "name."). */
    boolean isPrefixOf(int field, String path) {
      int from = fields[3 * field] + 1;
      int to = fields[3 * field + 1] - 1;
      if (plain(from, to)) {
        int n = to - from;
        return n <= path.length() && (n == path.length() || path.charAt(n) == '.')
            && sameAscii(bytes, from, to, path, n);
      }
      String name = name(field);
      return path.equals(name) || path.startsWith(name + ".");
    }

    /** Whether {@code bytes[from, to)} hold no escape and only ASCII. */
    private boolean plain(int from, int to) {
      for (int i = from; i < to; i++) {
        if (bytes[i] == '\\' || bytes[i] < 0) {
          return false;
        }
      }
      return true;
    }

    /** Whether {@code bytes[from, to)} are the first {@code n} characters of {@code s}, byte for char. */
    static boolean sameAscii(byte[] bytes, int from, int to, String s, int n) {
      if (to - from != n || n > s.length()) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (bytes[from + i] != s.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    /** The hit's bytes without the fields named in {@code drop}: what the client receives. */
    RawValue without(Set<String> drop) {
      byte[] out = new byte[end + 1 - start];
      int at = 0;
      out[at++] = '{';
      for (int f = 0; f < count; f++) {
        if (dropped(f, drop)) {
          continue;
        }
        if (at > 1) {
          out[at++] = ',';
        }
        int from = fields[3 * f];
        int to = fields[3 * f + 2];
        System.arraycopy(bytes, from, out, at, to - from);
        at += to - from;
      }
      out[at++] = '}';
      return new RawValue(new RawBytes(Arrays.copyOf(out, at)));
    }

    private boolean dropped(int field, Set<String> drop) {
      for (String name : drop) {
        if (nameIs(field, name)) {
          return true;
        }
      }
      return false;
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
