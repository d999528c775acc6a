package dev.miroir.router.write;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.ApiException;
import dev.miroir.router.admission.StrictJson;
import dev.miroir.router.search.ShardStamp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A client's document batch as the router holds it from reading to sending: each document is a byte
 * span of one buffer (the client's own bytes for JSON and NDJSON), not a JSON tree. A 10,000-document
 * batch is about 5 MB of JSON and a multiple of that as trees, and re-serialising the trees once per
 * node cost more than the nodes' own work to enqueue it (issue 13): now the body is scanned once
 * with Jackson's streaming parser, each node's body is its documents' original bytes with the shard
 * stamp written in, and a tree is built only for a document an error message or a rule needs.
 *
 * <p>What the router accepts and refuses is {@link DocumentPayloads#read}'s: a body the scan finds
 * anything unusual in (bad JSON, an element that is not an object, a duplicate key, a lone surrogate,
 * the reserved field) is read again by that method, which gives the error or, for duplicate keys,
 * the trees whose last value wins, as before. Such a batch (and every CSV batch, typed by the router)
 * is held as its trees' serialised bytes, so everything downstream sees one form.
 */
public final class DocumentBatch {

  private static final int EMPTY = 1;
  private static final int VECTORS = 4;
  /** {@code _geo} is not plainly null or {@code {"lat": number, "lng": number}}: the rule reads its tree. */
  private static final int GEO_ODD = 2;

  /** The payloads' own parser settings (limits, exact decimals), refusing duplicate keys. */
  private static final JsonFactory SCAN = DocumentPayloads.JSON.getFactory().rebuild()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final byte[] LEGACY_STAMP = stampBytes(ShardStamp.LEGACY);
  private static final byte[] GEO_STAMP = stampBytes(ShardStamp.GEO);

  private final byte[] source;
  private final int[] starts;
  /** Offset of each document's closing brace. */
  private final int[] ends;
  private final byte[] flags;
  private final int size;
  /**
   * Offsets of each document's top-level keys (the opening quote), document {@code i}'s from
   * {@code keyFrom[i]} to {@code keyFrom[i + 1]}; null for a batch made from trees.
   */
  private final int[] keys;
  private final int[] keyFrom;
  private String idsKey;
  private Object[] ids;

  private DocumentBatch(byte[] source, int[] starts, int[] ends, byte[] flags, int size, int[] keys, int[] keyFrom) {
    this.source = source;
    this.starts = starts;
    this.ends = ends;
    this.flags = flags;
    this.size = size;
    this.keys = keys;
    this.keyFrom = keyFrom;
  }

  /**
   * Reads a payload exactly as {@link DocumentPayloads#read} followed by
   * {@link DocumentPayloads#rejectReservedField} does, with the same errors.
   */
  public static DocumentBatch read(DocumentPayloads.Format format, byte[] body, Character csvDelimiter) {
    if (format != DocumentPayloads.Format.CSV) {
      DocumentBatch scanned = scan(body, format == DocumentPayloads.Format.NDJSON);
      if (scanned != null) {
        return scanned;
      }
    }
    List<ObjectNode> documents = DocumentPayloads.read(format, body, csvDelimiter);
    DocumentPayloads.rejectReservedField(documents);
    return ofTrees(documents);
  }

  /** A batch of documents already read as trees (CSV, or a body the scan left to the tree reader). */
  public static DocumentBatch ofTrees(List<ObjectNode> documents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n = documents.size();
    int[] starts = new int[n];
    int[] ends = new int[n];
    byte[] flags = new byte[n];
    try {
      for (int i = 0; i < n; i++) {
        ObjectNode document = documents.get(i);
        starts[i] = out.size();
        out.write(DocumentPayloads.JSON.writeValueAsBytes(document));
        ends[i] = out.size() - 1;
        flags[i] = (byte) ((document.isEmpty() ? EMPTY : 0) | (document.has("_geo") ? GEO_ODD : 0)
            | (document.has("_vectors") ? VECTORS : 0));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DocumentBatch(out.toByteArray(), starts, ends, flags, n, null, null);
  }

  /** The documents' spans, or null when anything needs {@link DocumentPayloads#read}'s judgement. */
  static DocumentBatch scan(byte[] body, boolean ndjson) {
    if (body.length == 0 || (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB
        && (body[2] & 0xff) == 0xBF)) {
      return null; // empty or a byte-order mark: refused by the tree reader
    }
    Spans spans = new Spans();
    try (JsonParser p = SCAN.createParser(body)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return null;
      }
      if (ndjson) {
        for (; t != null; t = p.nextToken()) {
          if (t != JsonToken.START_OBJECT || !scanDocument(p, spans)) {
            return null;
          }
        }
      } else if (t == JsonToken.START_OBJECT) {
        // Nothing after the value is read, as by the tree reader.
        if (!scanDocument(p, spans)) {
          return null;
        }
      } else if (t == JsonToken.START_ARRAY) {
        for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (t != JsonToken.START_OBJECT || !scanDocument(p, spans)) {
            return null;
          }
        }
      } else {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null; // bad JSON, a duplicate key, a number out of range: the tree reader decides
    }
    spans.keyFrom[spans.size] = spans.keyCount;
    return new DocumentBatch(body, spans.starts, spans.ends, spans.flags, spans.size, spans.keys, spans.keyFrom);
  }

  /** Walks one document from its opening brace; false when it needs the tree reader. */
  private static boolean scanDocument(JsonParser p, Spans spans) throws IOException {
    int start = Math.toIntExact(p.currentTokenLocation().getByteOffset());
    spans.startKeys();
    int flags = EMPTY;
    int depth = 1;
    Geo geo = null;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return false;
      }
      if (geo != null && !geo.next(t, p, depth)) {
        flags |= geo.plain ? 0 : GEO_ODD;
        geo = null;
      }
      switch (t) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> depth--;
        case FIELD_NAME -> {
          String name = p.currentName();
          if (depth == 1) {
            flags &= ~EMPTY;
            spans.addKey(Math.toIntExact(p.currentTokenLocation().getByteOffset()));
            if (ShardStamp.isStamp(name)) {
              return false;
            }
            if (name.equals("_geo")) {
              geo = new Geo();
            } else if (name.equals("_vectors")) {
              flags |= VECTORS;
            }
          }
          if (StrictJson.loneSurrogate(name)) {
            return false;
          }
        }
        case VALUE_STRING -> {
          if (StrictJson.loneSurrogate(CharBuffer.wrap(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()))) {
            return false;
          }
        }
        case VALUE_NUMBER_FLOAT -> p.getDecimalValue(); // the tree reader's exact decimal must exist
        default -> {
          // ints, booleans, nulls
        }
      }
    }
    int end = Math.toIntExact(p.currentTokenLocation().getByteOffset());
    spans.add(start, end, flags);
    return true;
  }

  /**
   * Follows a {@code _geo} value token by token during the scan: plain when it is null or an object
   * of exactly {@code lat} and {@code lng} with finite numbers, which {@link BatchRules} accepts
   * without reading it again; anything else (strings, other fields) is left to the rule's tree.
   */
  private static final class Geo {
    boolean plain = true;
    boolean started;
    int fields;

    /** Takes the next token of the document; false once the value is over. */
    boolean next(JsonToken t, JsonParser p, int depth) throws IOException {
      if (!started) {
        started = true;
        if (t == JsonToken.VALUE_NULL) {
          return false;
        }
        plain = t == JsonToken.START_OBJECT;
        return plain;
      }
      // depth is the document's depth before this token: 2 inside the _geo object.
      if (t == JsonToken.END_OBJECT && depth == 2) {
        plain &= fields == 2;
        return false;
      }
      if (t == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        plain &= name.equals("lat") || name.equals("lng");
        fields++;
      } else if (t == JsonToken.VALUE_NUMBER_INT) {
        // finite unless too large for a double, as the tree's doubleValue sees it
        plain &= p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
            || Double.isFinite(p.getBigIntegerValue().doubleValue());
      } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
        plain &= Double.isFinite(p.getDecimalValue().doubleValue());
      } else {
        plain = false; // a string, a boolean, a nested value: the rule's tree judges
        return false;
      }
      return true;
    }
  }

  public int size() {
    return size;
  }

  /** Document {@code i} as a tree (for rules and error messages that need one). */
  public ObjectNode document(int i) {
    try {
      return (ObjectNode) DocumentPayloads.JSON.readTree(source, starts[i], ends[i] - starts[i] + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether document {@code i}'s {@code _geo} is present and not plainly null or two finite numbers. */
  boolean hasOddGeo(int i) {
    return (flags[i] & GEO_ODD) != 0;
  }

  boolean hasVectors(int i) {
    return (flags[i] & VECTORS) != 0;
  }

  /** The value of a top-level field of document {@code i}, or null. */
  JsonNode field(int i, String name) {
    try (JsonParser p = SCAN.createParser(source, starts[i], ends[i] - starts[i] + 1)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean wanted = name.equals(p.currentName());
        p.nextToken();
        if (wanted) {
          return DocumentPayloads.JSON.readTree(p);
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every document's id under {@code primaryKey}, as {@link DocumentIds#idOf} gives it.
   *
   * @throws ApiException the first document's error, as {@link DocumentIds#idOf} gives it
   */
  public Object[] ids(String primaryKey) {
    if (primaryKey.equals(idsKey)) {
      return ids;
    }
    byte[] rawKey = plainKey(primaryKey);
    Object[] found = new Object[size];
    for (int i = 0; i < size; i++) {
      Object id = rawKey == null ? null : rawId(i, rawKey);
      found[i] = id != null ? id : idOf(i, primaryKey);
    }
    idsKey = primaryKey;
    ids = found;
    return found;
  }

  /** Document {@code i}'s id read by the parser, or from its tree for a nested key or an error. */
  private Object idOf(int i, String primaryKey) {
    if (primaryKey.indexOf('.') < 0) {
      try (JsonParser p = SCAN.createParser(source, starts[i], ends[i] - starts[i] + 1)) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          boolean wanted = primaryKey.equals(p.currentName());
          JsonToken value = p.nextToken();
          if (wanted) {
            if (value == JsonToken.VALUE_STRING) {
              String id = p.getText();
              if (DocumentIds.isValidStringId(id)) {
                return id;
              }
            } else if (value == JsonToken.VALUE_NUMBER_INT) {
              return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue()
                  : (Object) p.getLongValue();
            }
            break;
          }
          p.skipChildren();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    // A nested key, a missing or an invalid id: the tree gives the value or the exact error.
    return DocumentIds.idOf(document(i), primaryKey);
  }

  /** The key as the bytes a client writes it without escapes; null when it cannot be matched so. */
  private byte[] plainKey(String primaryKey) {
    if (keys == null || primaryKey.indexOf('.') >= 0) {
      return null;
    }
    for (int c = 0; c < primaryKey.length(); c++) {
      char ch = primaryKey.charAt(c);
      if (ch < 0x20 || ch == '"' || ch == '\\') {
        return null;
      }
    }
    return primaryKey.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The id of document {@code i} read straight from its bytes (the scan checked the JSON and found
   * no duplicate key): a plain string id or an integer. Null for anything else (missing, escaped,
   * invalid, a float), which {@link #idOf} reads from the tree for its exact value or error.
   */
  private Object rawId(int i, byte[] key) {
    for (int k = keyFrom[i]; k < keyFrom[i + 1]; k++) {
      int at = keys[k];
      if (source[at] != '"') {
        return null;
      }
      int end = at + 1;
      while (source[end] != '"') {
        if (source[end] == '\\') {
          return null; // an escaped key might be this one: the parser decides
        }
        end++;
      }
      if (!Arrays.equals(source, at + 1, end, key, 0, key.length)) {
        continue;
      }
      int v = skipSpace(end + 1);
      if (source[v] != ':') {
        return null;
      }
      return rawValue(skipSpace(v + 1));
    }
    return null;
  }

  private int skipSpace(int at) {
    while (source[at] == ' ' || source[at] == '\t' || source[at] == '\n' || source[at] == '\r') {
      at++;
    }
    return at;
  }

  private Object rawValue(int v) {
    byte b = source[v];
    if (b == '"') {
      int e = v + 1;
      while (source[e] != '"') {
        byte c = source[e];
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) {
          return null;
        }
        e++;
      }
      int length = e - v - 1;
      return length == 0 || length > DocumentIds.MAX_ID_BYTES ? null
          : new String(source, v + 1, length, StandardCharsets.ISO_8859_1);
    }
    if (b == '-' || (b >= '0' && b <= '9')) {
      int e = b == '-' ? v + 1 : v;
      while (source[e] >= '0' && source[e] <= '9') {
        e++;
      }
      if (source[e] == '.' || source[e] == 'e' || source[e] == 'E') {
        return null;
      }
      String digits = new String(source, v, e - v, StandardCharsets.ISO_8859_1);
      try {
        return Long.parseLong(digits);
      } catch (NumberFormatException e2) {
        return new java.math.BigInteger(digits); // beyond a long, as Jackson reads it
      }
    }
    return null;
  }

  /** Whether every top-level key offset the scan kept points at the key's opening quote (tests). */
  boolean keysAtQuotes() {
    for (int k = 0; keys != null && k < keyFrom[size]; k++) {
      if (source[keys[k]] != '"') {
        return false;
      }
    }
    return keys != null;
  }

  /**
   * One node's body: the documents at {@code indexes} as a JSON array, each stamped with its shard
   * ({@code stamp}'s field as its last field, where the tree form put it).
   */
  public byte[] body(int[] indexes, int count, int[] shardOf, ShardStamp stamp) {
    byte[] key = stamp == ShardStamp.LEGACY ? LEGACY_STAMP : GEO_STAMP;
    int length = 2 + Math.max(0, count - 1);
    for (int k = 0; k < count; k++) {
      int i = indexes[k];
      length += ends[i] - starts[i] + key.length - ((flags[i] & EMPTY) != 0 ? 1 : 0) + digits(shardOf[i]);
    }
    byte[] out = new byte[length];
    int at = 0;
    out[at++] = '[';
    for (int k = 0; k < count; k++) {
      int i = indexes[k];
      if (k > 0) {
        out[at++] = ',';
      }
      int n = ends[i] - starts[i];
      System.arraycopy(source, starts[i], out, at, n);
      at += n;
      boolean empty = (flags[i] & EMPTY) != 0;
      System.arraycopy(key, empty ? 1 : 0, out, at, key.length - (empty ? 1 : 0));
      at += key.length - (empty ? 1 : 0);
      String shard = Integer.toString(shardOf[i]);
      for (int c = 0; c < shard.length(); c++) {
        out[at++] = (byte) shard.charAt(c);
      }
      out[at++] = '}';
    }
    out[at++] = ']';
    if (at != length) {
      throw new IllegalStateException("document batch body of " + at + " bytes, expected " + length);
    }
    return out;
  }

  private static byte[] stampBytes(ShardStamp stamp) {
    return (",\"" + stamp.field() + "\":").getBytes(StandardCharsets.UTF_8);
  }

  private static int digits(int n) {
    return Integer.toString(n).length() + 1; // the closing brace
  }

  /** Growable parallel arrays of spans, and of top-level key offsets. */
  private static final class Spans {
    int[] starts = new int[64];
    int[] ends = new int[64];
    byte[] flags = new byte[64];
    int[] keyFrom = new int[65];
    int[] keys = new int[512];
    int size;
    int keyCount;

    void startKeys() {
      keyFrom[size] = keyCount;
    }

    void addKey(int offset) {
      if (keyCount == keys.length) {
        keys = Arrays.copyOf(keys, keyCount * 2);
      }
      keys[keyCount++] = offset;
    }

    void add(int start, int end, int f) {
      if (size + 1 == starts.length) {
        starts = Arrays.copyOf(starts, starts.length * 2);
        ends = Arrays.copyOf(ends, starts.length);
        flags = Arrays.copyOf(flags, starts.length);
        keyFrom = Arrays.copyOf(keyFrom, starts.length + 1);
      }
      starts[size] = start;
      ends[size] = end;
      flags[size] = (byte) f;
      size++;
    }
  }
}
