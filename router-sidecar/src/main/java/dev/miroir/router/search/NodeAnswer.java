package dev.miroir.router.search;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

  /** The fields the merge ranks by, in {@link Hit#rankingSpans} order. */
  private static final String[] RANKING = {"_rankingScore", "_rankingScoreDetails", "_federation"};
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
    return read(mapper, bytes, 0, bytes.length, distinct);
  }

  /**
   * Reads a node's answer where it lies: in the array behind a Vert.x buffer when it has one (the
   * answer's bytes are kept, not copied), else in a copy.
   */
  public static ObjectNode read(ObjectMapper mapper, Buffer answer, String distinct) throws IOException {
    if (answer instanceof BufferInternal internal) {
      ByteBuf buf = internal.unwrap();
      if (buf.hasArray()) {
        int from = buf.arrayOffset() + buf.readerIndex();
        return read(mapper, buf.array(), from, from + buf.readableBytes(), distinct);
      }
    }
    return read(mapper, answer.getBytes(), distinct);
  }

  /** Reads the answer in {@code bytes[from, to)}; the hits keep pointing into {@code bytes}. */
  static ObjectNode read(ObjectMapper mapper, byte[] bytes, int from, int to, String distinct) throws IOException {
    int end = to;
    int i = ws(bytes, from, end);
    int open = i;
    expect(bytes, i, end, '{');
    i = ws(bytes, i + 1, end);
    int hitsFrom = -1;
    int hitsTo = -1;
    ArrayNode hits = JsonNodeFactory.instance.arrayNode();
    Values distinctValues = new Values();
    // Find the top-level "hits" array (Meilisearch writes it first) and walk it.
    while (peek(bytes, i, end) != '}') {
      expect(bytes, i, end, '"');
      int keyTo = skipString(bytes, i, end);
      boolean isHits = keyTo - i == 6 && bytes[i + 1] == 'h' && bytes[i + 2] == 'i' && bytes[i + 3] == 't'
          && bytes[i + 4] == 's';
      i = ws(bytes, keyTo, end);
      expect(bytes, i, end, ':');
      int valueFrom = ws(bytes, i + 1, end);
      if (isHits && peek(bytes, valueFrom, end) == '[') {
        hitsFrom = valueFrom;
        i = ws(bytes, valueFrom + 1, end);
        while (peek(bytes, i, end) != ']') {
          expect(bytes, i, end, '{');
          Hit hit = new Hit(mapper, bytes, i);
          i = ws(bytes, readHit(hit, bytes, i, end, distinct, distinctValues), end);
          hits.add(hit);
          if (peek(bytes, i, end) == ',') {
            i = ws(bytes, i + 1, end);
          } else if (bytes[i] != ']') {
            throw new IOException("a search answer's hits are objects separated by commas");
          }
        }
        hitsTo = i + 1;
        break;
      }
      i = ws(bytes, skipValue(bytes, valueFrom, end), end);
      if (peek(bytes, i, end) == ',') {
        i = ws(bytes, i + 1, end);
      }
    }
    if (hitsFrom < 0) {
      return (ObjectNode) mapper.readTree(bytes, from, to - from);
    }
    // Everything but the hits, parsed as usual: the answer with an empty hits array.
    byte[] rest = new byte[(hitsFrom - open) + 2 + (end - hitsTo)];
    System.arraycopy(bytes, open, rest, 0, hitsFrom - open);
    rest[hitsFrom - open] = '[';
    rest[hitsFrom - open + 1] = ']';
    System.arraycopy(bytes, hitsTo, rest, hitsFrom - open + 2, end - hitsTo);
    if (!(mapper.readTree(rest) instanceof ObjectNode out)) {
      throw new IOException("a search answer is an object");
    }
    distinctValues.parse(mapper, bytes);
    out.set("hits", hits);
    return out;
  }

  /** Walks one hit from its opening brace; returns the position after its closing brace. */
  private static int readHit(Hit hit, byte[] bytes, int open, int end, String distinct, Values distinctValues)
      throws IOException {
    int i = ws(bytes, open + 1, end);
    while (peek(bytes, i, end) != '}') {
      expect(bytes, i, end, '"');
      int keyFrom = i;
      int keyTo = skipString(bytes, i, end);
      i = ws(bytes, keyTo, end);
      expect(bytes, i, end, ':');
      int valueFrom = ws(bytes, i + 1, end);
      int valueTo = skipValue(bytes, valueFrom, end);
      int field = hit.add(keyFrom, keyTo, valueTo);
      // Every name the merge looks for but the distinct attribute starts with '_' (or an escape).
      boolean special = bytes[keyFrom + 1] == '_' || bytes[keyFrom + 1] == '\\';
      int ranked = special ? rankingIndex(hit, field) : -1;
      if (ranked >= 0) {
        // Kept as a span: decoded only if the hit reaches the head of its list (Hit#ranking).
        hit.rankingSpans[2 * ranked] = valueFrom;
        hit.rankingSpans[2 * ranked + 1] = valueTo;
      } else if (distinct != null && hit.isPrefixOf(field, distinct)) {
        distinctValues.add(hit, hit.name(field), valueFrom, valueTo);
      } else if (special && (hit.nameIs(field, "_formatted") || hit.nameIs(field, "_matchesPosition"))) {
        hit.nested = true;
      }
      i = ws(bytes, valueTo, end);
      if (peek(bytes, i, end) == ',') {
        i = ws(bytes, i + 1, end);
      } else if (bytes[i] != '}') {
        throw new IOException("a hit's fields are separated by commas");
      }
    }
    hit.end = i;
    return i + 1;
  }

  /** Which ranking field ({@link #RANKING}) a hit's field is, or -1. */
  private static int rankingIndex(Hit hit, int field) {
    for (int r = 0; r < RANKING.length; r++) {
      if (hit.nameIs(field, RANKING[r])) {
        return r;
      }
    }
    return -1;
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

  /** Eight bytes of an array as one long, little-endian: byte {@code i} is the lowest. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static int ws(byte[] bytes, int i, int end) {
    while (i < end && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
      i++;
    }
    return i;
  }

  private static void expect(byte[] bytes, int i, int end, char c) throws IOException {
    if (i >= end || bytes[i] != c) {
      throw new IOException("expected '" + c + "' at byte " + i + " of a search answer");
    }
  }

  /** The byte at {@code i}, or an IOException past the end. */
  private static byte peek(byte[] bytes, int i, int end) throws IOException {
    if (i >= end) {
      throw new IOException("a search answer ends early");
    }
    return bytes[i];
  }

  /** From a string's opening quote to the position after its closing quote. */
  static int skipString(byte[] bytes, int open, int end) throws IOException {
    int i = open + 1;
    int n = end;
    while (true) {
      // Eight bytes at a time to the next quote or backslash (most strings have no escape, and the
      // titles and bodies of documents are most of an answer's bytes): a byte of w equal to '"' is
      // a zero byte of w ^ 0x22..22, and the lowest byte flagged by (x - 0x01..01) & ~x & 0x80..80
      // is always a real zero byte (only bytes above a real one can be flagged falsely).
      while (i + 8 <= n) {
        long w = (long) LONGS.get(bytes, i);
        long quote = w ^ 0x2222222222222222L;
        long backslash = w ^ 0x5C5C5C5C5C5C5C5CL;
        long found = (((quote - 0x0101010101010101L) & ~quote) | ((backslash - 0x0101010101010101L) & ~backslash))
            & 0x8080808080808080L;
        if (found != 0) {
          i += Long.numberOfTrailingZeros(found) >>> 3;
          break;
        }
        i += 8;
      }
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
  static int skipValue(byte[] bytes, int from, int end) throws IOException {
    if (from >= end) {
      throw new IOException("a search answer ends inside a value");
    }
    byte first = bytes[from];
    if (first == '"') {
      return skipString(bytes, from, end);
    }
    if (first == '{' || first == '[') {
      int depth = 0;
      for (int i = from; i < end; i++) {
        byte b = bytes[i];
        if (b == '"') {
          i = skipString(bytes, i, end) - 1;
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
    while (i < end) {
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

  /**
   * One hit: where all of its fields are in the answer, the distinct attribute's values when the
   * merge deduplicates, and its ranking fields, decoded on the first {@link #ranking} call.
   *
   * <p>A node returns offset + limit hits and the merge reads the ranking of only those that reach
   * the head of their node's list (offset + limit + nodes of them, about 40 % of the hits of a
   * first page over three nodes), so the ranking details, half of an answer's bytes, are decoded for
   * those alone. Decoded or not, they are the same values: the decoding is the one the whole answer
   * was read with before, only later.
   */
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
    /** Per {@link NodeAnswer#RANKING} field: where its value begins and ends, -1 when absent. */
    final int[] rankingSpans = {-1, -1, -1, -1, -1, -1};
    private boolean rankingDecoded;
    /** Whether the merge ranked this hit (it reached the head of its list). */
    boolean ranked;

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

    /**
     * A ranking field ({@code _rankingScore}, {@code _rankingScoreDetails}, {@code _federation}),
     * numbers as doubles, or null when the hit has none; the three are decoded together on the first
     * call.
     */
    JsonNode ranking(String name) {
      if (!rankingDecoded) {
        rankingDecoded = true;
        ranked = true;
        for (int r = 0; r < RANKING.length; r++) {
          int from = rankingSpans[2 * r];
          if (r == 0 && from >= 0 && setScore(from, rankingSpans[1])) {
            continue;
          }
          if (from >= 0) {
            try {
              set(RANKING[r], RANKING_VALUES.readTree(bytes, from, rankingSpans[2 * r + 1] - from));
            } catch (IOException e) {
              throw new IllegalStateException("a value scanned once cannot fail to parse", e);
            }
          }
        }
      }
      return get(name);
    }

    /**
     * {@code _rankingScore} read without a parser when it is a plain decimal number (it always is),
     * with the parser's own double reading ({@link NumberInput#parseDouble}, the fast reader the
     * ranking values are read with); false to leave anything else to the parser.
     */
    private boolean setScore(int from, int to) {
      for (int i = from; i < to; i++) {
        byte b = bytes[i];
        if (!(b >= '0' && b <= '9' || b == '.' || b == '-' || b == 'e' || b == 'E' || b == '+')) {
          return false;
        }
      }
      try {
        set(RANKING[0], DoubleNode.valueOf(NumberInput.parseDouble(
            new String(bytes, from, to - from, StandardCharsets.ISO_8859_1), true)));
        return true;
      } catch (NumberFormatException e) {
        return false;
      }
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

    /** The answer this hit lies in: its ranking fields are at {@link #rankingSpans}. */
    byte[] bytes() {
      return bytes;
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
      int n = to - from;
      int length = name.length();
      // An escape or a non-ASCII character takes more bytes than the characters it decodes to: a
      // key of fewer bytes than the name cannot be it. While the key's bytes are plain ASCII each
      // is one character of its decoded name; a key whose plain prefix covers the name is the
      // name exactly when nothing follows it.
      if (n < length) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        byte b = bytes[from + i];
        if (b == '\\' || b < 0) {
          return name(field).equals(name);
        }
        if (b != name.charAt(i)) {
          return false;
        }
      }
      return n == length;
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

    /**
     * The hit's bytes without the fields named in {@code drop}: what the client receives. Nothing is
     * copied until it is written: the generator copies the kept fields' bytes straight from the
     * node's answer into its own buffer.
     */
    RawValue without(String... drop) {
      long kept = 0; // a bit per kept field among the first 64; the rest are tested when written
      int length = 2;
      int keptCount = 0;
      for (int f = 0; f < count; f++) {
        if (!dropped(f, drop)) {
          if (f < 64) {
            kept |= 1L << f;
          }
          length += fields[3 * f + 2] - fields[3 * f] + (keptCount++ > 0 ? 1 : 0);
        }
      }
      return new RawValue(new ClientHit(this, drop, kept, length));
    }

    boolean keeps(int field, String[] drop, long kept) {
      return field < 64 ? (kept & (1L << field)) != 0 : !dropped(field, drop);
    }

    private boolean dropped(int field, String[] drop) {
      for (String name : drop) {
        if (nameIs(field, name)) {
          return true;
        }
      }
      return false;
    }

    /** Writes the kept fields into {@code out} from {@code at}; returns the position after them. */
    int writeKept(byte[] out, int at, String[] drop, long kept) {
      out[at++] = '{';
      boolean first = true;
      for (int f = 0; f < count; f++) {
        if (!keeps(f, drop, kept)) {
          continue;
        }
        if (!first) {
          out[at++] = ',';
        }
        first = false;
        int from = fields[3 * f];
        int to = fields[3 * f + 2];
        System.arraycopy(bytes, from, out, at, to - from);
        at += to - from;
      }
      out[at++] = '}';
      return at;
    }
  }

  /** A hit as the client receives it, written by Jackson's generator as raw bytes. */
  private record ClientHit(Hit hit, String[] drop, long kept, int length) implements SerializableString {

    @Override
    public String getValue() {
      return new String(asUnquotedUTF8(), StandardCharsets.UTF_8);
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
      byte[] out = new byte[length];
      hit.writeKept(out, 0, drop, kept);
      return out;
    }

    @Override
    public byte[] asQuotedUTF8() {
      return asUnquotedUTF8();
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      return appendUnquotedUTF8(buffer, offset);
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      return appendUnquoted(buffer, offset);
    }

    /** What the generator calls first: the kept fields copied into its buffer, when they fit. */
    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      if (offset + length > buffer.length) {
        return -1;
      }
      return hit.writeKept(buffer, offset, drop, kept) - offset;
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
      out.write(asUnquotedUTF8());
      return length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      return putUnquotedUTF8(buffer);
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      if (buffer.remaining() < length) {
        return -1;
      }
      buffer.put(asUnquotedUTF8());
      return length;
    }
  }

  /** Whether {@code node} is a hit read by {@link #read}. */
  static boolean isLazy(JsonNode node) {
    return node instanceof Hit;
  }
}
