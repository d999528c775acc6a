package dev.miroir.core.digest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * One document in the form two replicas must agree on byte for byte: object keys sorted (by Java
 * string order, at every depth), no whitespace, strings escaped as Jackson escapes them, numbers
 * exactly as the node wrote them (so {@code 1} and {@code 1.0} differ, as they do in Meilisearch's
 * stored JSON), and the router's shard stamp left out (it is routing, not content), under either of
 * its names ({@code _miroir_shard}, or {@code _geo._miroir_shard} for indexes created since the stamp
 * stopped being searchable; docs/compatibility.md), so that a copy restamped under the other name
 * digests the same.
 *
 * <p>Under {@code _vectors}, an embedder entry with {@code "regenerate": true} loses its
 * {@code embeddings}: Meilisearch computed them itself, and two nodes may compute them a few ulps
 * apart. Vectors a client supplied ({@code regenerate: false}) are content and are kept. An empty
 * {@code _vectors} object (what a node answers for a document without vectors when asked to
 * retrieve them) is left out, so it equals the document as the client sent it.
 *
 * @param id the document's id as text (a string id as is, an integer id as written)
 * @param json the canonical JSON
 */
public record CanonicalDocument(String id, String json) {

  /** The router's shard stamp, never part of a document's content. */
  public static final String SHARD_FIELD = "_miroir_shard";
  /** The same stamp in indexes where it is a geo field, which Meilisearch never searches. */
  public static final String GEO_SHARD_FIELD = "_geo._miroir_shard";

  static final String VECTORS_FIELD = "_vectors";

  private static final JsonFactory FACTORY = new JsonFactory();

  /** Canonicalizes one JSON object given as text. */
  public static CanonicalDocument of(String json, String primaryKey) {
    try (JsonParser p = FACTORY.createParser(json)) {
      p.nextToken();
      return read(p, primaryKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Canonicalizes the object the parser stands on ({@code START_OBJECT}) and leaves the parser on its
   * {@code END_OBJECT}, so a caller can stream a page of documents without building a tree.
   *
   * @param primaryKey the index's primary key; a dotted key ({@code a.b}) also matches a nested field
   * @throws IllegalArgumentException when the value is not an object or has no usable id
   */
  public static CanonicalDocument read(JsonParser p, String primaryKey) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("a document must be a JSON object, found " + p.currentToken());
    }
    Reader reader = new Reader(p, primaryKey);
    StringBuilder out = new StringBuilder(256);
    reader.value(out, "", Place.TOP);
    if (reader.id == null) {
      throw new IllegalArgumentException("document has no string or integer `" + primaryKey + "`");
    }
    return new CanonicalDocument(reader.id, out.toString());
  }

  /** Where a value sits, for the two fields whose meaning depends on it. */
  private enum Place { TOP, VECTORS, EMBEDDER, OTHER }

  private static final class Reader {
    private final JsonParser p;
    private final String primaryKey;
    private String id;

    Reader(JsonParser p, String primaryKey) {
      this.p = p;
      this.primaryKey = primaryKey;
    }

    void value(StringBuilder out, String path, Place place) throws IOException {
      JsonToken token = p.currentToken();
      switch (token) {
        case START_OBJECT -> object(out, path, place);
        case START_ARRAY -> {
          out.append('[');
          boolean first = true;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!first) {
              out.append(',');
            }
            first = false;
            value(out, null, Place.OTHER);
          }
          out.append(']');
        }
        case VALUE_STRING -> {
          String text = p.getText();
          captureId(path, text);
          quote(out, text);
        }
        case VALUE_NUMBER_INT -> {
          String text = p.getText();
          captureId(path, text);
          out.append(text);
        }
        // The source text, so that a number keeps the form the node wrote.
        case VALUE_NUMBER_FLOAT -> out.append(p.getText());
        case VALUE_TRUE -> out.append("true");
        case VALUE_FALSE -> out.append("false");
        case VALUE_NULL -> out.append("null");
        default -> throw new IllegalArgumentException("unexpected JSON token " + token);
      }
    }

    private void object(StringBuilder out, String path, Place place) throws IOException {
      Map<String, String> fields = new TreeMap<>();
      while (p.nextToken() != JsonToken.END_OBJECT) {
        String name = p.currentName();
        p.nextToken();
        if (place == Place.TOP && (name.equals(SHARD_FIELD) || name.equals(GEO_SHARD_FIELD))) {
          p.skipChildren();
          continue;
        }
        Place child = place == Place.TOP && name.equals(VECTORS_FIELD) ? Place.VECTORS
            : place == Place.VECTORS ? Place.EMBEDDER : Place.OTHER;
        String childPath = path == null ? null : path.isEmpty() ? name : path + "." + name;
        StringBuilder sb = new StringBuilder();
        value(sb, childPath, child);
        if (child == Place.VECTORS && sb.length() == 2) {
          // {} is what a node answers for "no vectors" when asked to retrieve them: not content.
          continue;
        }
        fields.put(name, sb.toString());
      }
      if (place == Place.EMBEDDER && "true".equals(fields.get("regenerate"))) {
        fields.remove("embeddings");
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, String> f : fields.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        quote(out, f.getKey());
        out.append(':').append(f.getValue());
      }
      out.append('}');
    }

    private void captureId(String path, String text) {
      // A flat "a.b" field and a nested {"a":{"b":..}} both have the path "a.b"; the first one wins.
      if (id == null && path != null && path.equals(primaryKey)) {
        id = text;
      }
    }
  }

  private static void quote(StringBuilder out, String text) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    out.append('"');
  }
}
