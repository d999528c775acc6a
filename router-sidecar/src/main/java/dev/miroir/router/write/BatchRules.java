package dev.miroir.router.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.MeiliError;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules by which Meilisearch 1.21 fails a whole document batch, checked by the router before any
 * node sees the batch. A batch split by shard would otherwise fail on the nodes that hold the bad
 * document and succeed on the others; checked here, it fails whole, with the error a single node
 * gives (code and message word for word), and nothing is applied anywhere. Pure.
 *
 * <p>Order as in Meilisearch: every document's id first (the batch is transformed before any field is
 * extracted), then {@code _geo} (only when {@code _geo} is filterable or sortable: otherwise
 * Meilisearch stores it as an ordinary field), then {@code _vectors} for configured embedders.
 */
public final class BatchRules {

  /** What the router knows of the index when the batch arrives. */
  public record IndexShape(boolean geoIndexed, JsonNode embedders) {

    public static IndexShape of(JsonNode settings) {
      boolean geo = mentionsGeo(settings.path("filterableAttributes")) || mentionsGeo(settings.path("sortableAttributes"));
      return new IndexShape(geo, settings.path("embedders"));
    }

    private static boolean mentionsGeo(JsonNode list) {
      for (JsonNode entry : list) {
        if (entry.isTextual() && entry.textValue().equals("_geo")) {
          return true;
        }
        for (JsonNode pattern : entry.path("attributePatterns")) {
          if (pattern.asText().equals("_geo")) {
            return true;
          }
        }
      }
      return false;
    }
  }

  // Rust's f64 grammar (str::parse), which Meilisearch uses for coordinates given as strings.
  private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*([eE][+-]?\\d+)?|\\.\\d+([eE][+-]?\\d+)?)");

  private BatchRules() {}

  /**
   * @param replace true for {@code POST} (documents replaced whole), false for {@code PUT} (merged)
   * @return the error every node would fail the batch with, or empty when the batch is fine
   */
  public static Optional<MeiliError> check(
      String indexUid, DocumentBatch documents, String primaryKey, IndexShape index, boolean replace) {
    try {
      documents.ids(primaryKey);
    } catch (dev.miroir.router.ApiException e) {
      return Optional.of(e.error());
    }
    // Only a _geo the scan did not find plainly fine is read again, as a tree of the field alone.
    if (index.geoIndexed()) {
      for (int i = 0; i < documents.size(); i++) {
        JsonNode geo = documents.hasOddGeo(i) ? documents.field(i, "_geo") : null;
        if (geo != null && geoProblem(geo, "").isPresent()) {
          Optional<String> problem = geoProblem(geo, "`" + quotedId(documents.document(i), primaryKey) + "`");
          return Optional.of(MeiliError.invalidRequest("invalid_document_geo_field",
              "Index `" + indexUid + "`: " + problem.orElseThrow()));
        }
      }
    }
    if (index.embedders() != null && index.embedders().isObject() && index.embedders().size() > 0) {
      for (int i = 0; i < documents.size(); i++) {
        if (!documents.hasVectors(i)) {
          continue;
        }
        Optional<MeiliError> vectors = vectorsError(indexUid, documents.document(i), primaryKey, index.embedders());
        if (vectors.isPresent()) {
          return vectors;
        }
      }
    }
    return Optional.empty();
  }

  /** The id as Meilisearch prints it in field errors: the id string, JSON-quoted. */
  private static String quotedId(ObjectNode document, String primaryKey) {
    JsonNode id = DocumentIds.valueAt(document, primaryKey);
    String text = id == null ? "" : id.isTextual() ? id.textValue() : id.toString();
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
  }

  private static String plainId(ObjectNode document, String primaryKey) {
    JsonNode id = DocumentIds.valueAt(document, primaryKey);
    return id == null ? "" : id.isTextual() ? id.textValue() : id.toString();
  }

  static Optional<String> geoProblem(JsonNode geo, String id) {
    if (geo.isNull()) {
      return Optional.empty();
    }
    if (!geo.isObject()) {
      return Optional.of("The `_geo` field in the document with the id: " + id + " is not an object. Was expecting"
          + " an object with the `_geo.lat` and `_geo.lng` fields but instead got `" + geo + "`.");
    }
    ObjectNode rest = ((ObjectNode) geo).deepCopy();
    JsonNode lat = rest.remove("lat");
    JsonNode lng = rest.remove("lng");
    if (lat == null && lng == null) {
      return Optional.of("Could not find latitude nor longitude in the document with the id: " + id
          + ". Was expecting `_geo.lat` and `_geo.lng` fields.");
    }
    if (lng == null) {
      return Optional.of("Could not find longitude in the document with the id: " + id
          + ". Was expecting a `_geo.lng` field.");
    }
    if (lat == null) {
      return Optional.of("Could not find latitude in the document with the id: " + id
          + ". Was expecting a `_geo.lat` field.");
    }
    if (!rest.isEmpty()) {
      return Optional.of("The `_geo` field in the document with the id: " + id
          + " contains the following unexpected fields: `" + rest + "`.");
    }
    boolean latOk = finite(lat);
    boolean lngOk = finite(lng);
    if (!latOk && !lngOk) {
      return Optional.of("Could not parse latitude nor longitude in the document with the id: " + id
          + ". Was expecting finite numbers but instead got `" + lat + "` and `" + lng + "`.");
    }
    if (!latOk) {
      return Optional.of("Could not parse latitude in the document with the id: " + id
          + ". Was expecting a finite number but instead got `" + lat + "`.");
    }
    if (!lngOk) {
      return Optional.of("Could not parse longitude in the document with the id: " + id
          + ". Was expecting a finite number but instead got `" + lng + "`.");
    }
    return Optional.empty();
  }

  private static boolean finite(JsonNode value) {
    if (value.isNumber()) {
      return Double.isFinite(value.doubleValue());
    }
    if (value.isTextual()) {
      String text = value.textValue();
      return FLOAT.matcher(text).matches() && Double.isFinite(Double.parseDouble(text));
    }
    return false;
  }

  private static Optional<MeiliError> vectorsError(
      String indexUid, ObjectNode document, String primaryKey, JsonNode embedders) {
    JsonNode vectors = document.get("_vectors");
    if (vectors == null || !vectors.isObject()) {
      return Optional.empty(); // absent (a node may still require them) or malformed: the node judges
    }
    String id = plainId(document, primaryKey);
    for (Iterator<Map.Entry<String, JsonNode>> it = vectors.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      JsonNode embedder = embedders.get(name);
      if (embedder == null) {
        continue;
      }
      JsonNode value = entry.getValue();
      String path = "._vectors." + name;
      String prefix = "Index `" + indexUid + "`: ";
      if (value.isNull()) {
        continue;
      }
      if (value.isTextual() || value.isNumber() || value.isBoolean()) {
        String kind = value.isTextual() ? "string `" + value.textValue() + "`"
            : value.isBoolean() ? "boolean `" + value + "`" : "number `" + value + "`";
        return Optional.of(vectorsType(prefix + "Bad embedder configuration in the document with id: `" + id
            + "`. Expected `" + path + "` to be an array of floats, an array of arrays of floats, or an object"
            + " with at least the field `regenerate`, but got the " + kind));
      }
      if (value.isObject()) {
        if (!value.has("regenerate")) {
          return Optional.of(vectorsType(prefix + "Bad embedder configuration in the document with id: `" + id
              + "`. Missing field `" + path + ".regenerate`\n  - note: `" + path + "` must be an array of"
              + " floats, an array of arrays of floats, or an object with field `regenerate`"));
        }
        continue;
      }
      // An array: one embedding (numbers) or several (arrays of numbers).
      boolean nested = value.size() > 0 && value.get(0).isArray();
      List<JsonNode> embeddings = new java.util.ArrayList<>();
      if (nested) {
        value.forEach(embeddings::add);
      } else {
        embeddings.add(value);
      }
      for (int e = 0; e < embeddings.size(); e++) {
        JsonNode embedding = embeddings.get(e);
        for (int i = 0; i < embedding.size(); i++) {
          JsonNode x = embedding.get(i);
          if (!x.isNumber()) {
            String at = path + (nested ? "[" + e + "]" : "") + "[" + i + "]";
            return Optional.of(vectorsType(prefix + "Bad embedder configuration in the document with id: `" + id
                + "`. Invalid value type at `" + at + "`: expected a number, but found " + describe(x)));
          }
        }
        JsonNode dimensions = embedder.get("dimensions");
        if (dimensions != null && dimensions.canConvertToInt() && embedding.size() != dimensions.asInt()
            && "userProvided".equals(embedder.path("source").asText())) {
          return Optional.of(MeiliError.invalidRequest("invalid_vector_dimensions", prefix
              + "Invalid vector dimensions in document with id `" + id + "` in `" + path + "`.\n  - note: embedding #"
              + e + " has dimensions " + embedding.size() + "\n  - note: embedder `" + name + "` requires "
              + dimensions.asInt()));
        }
      }
    }
    return Optional.empty();
  }

  private static String describe(JsonNode x) {
    if (x.isTextual()) {
      return "a string: `" + x + "`";
    }
    if (x.isBoolean()) {
      return "a boolean: `" + x + "`";
    }
    if (x.isNull()) {
      return "null";
    }
    if (x.isArray()) {
      return "an array: `" + x + "`";
    }
    return "an object: `" + x + "`";
  }

  private static MeiliError vectorsType(String message) {
    return MeiliError.invalidRequest("invalid_vectors_type", message);
  }
}
