package dev.miroir.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.MeiliError;
import dev.miroir.router.write.DocumentPayloads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The GET forms of search, similar and document listing, turned into the JSON bodies of their POST
 * forms, as Meilisearch's own {@code SearchQueryGet}, {@code SimilarQueryGet} and
 * {@code BrowseQueryGet} conversions do: comma-separated lists become arrays (a {@code sort} keeps
 * the commas inside {@code _geoPoint(...)}), numbers and booleans are parsed, a {@code filter} that
 * is JSON is used as such, and {@code hybridEmbedder} / {@code hybridSemanticRatio} become
 * {@code hybrid}. The router then plans one body, whatever the client's method.
 *
 * <p>Parameters this class does not know are passed on as strings, so the node rejects them with
 * Meilisearch's own error.
 */
final class QueryParams {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static final Set<String> LISTS = Set.of("attributesToRetrieve", "attributesToCrop",
      "attributesToHighlight", "facets", "attributesToSearchOn", "locales", "fields", "ids");
  private static final Set<String> NATURALS = Set.of("offset", "limit", "page", "hitsPerPage", "cropLength");
  private static final Set<String> BOOLEANS = Set.of("retrieveVectors", "showMatchesPosition",
      "showRankingScore", "showRankingScoreDetails");
  private static final Set<String> FLOATS = Set.of("rankingScoreThreshold");

  private QueryParams() {}

  /**
   * @param params the query parameters, in order (last value wins, as with serde)
   * @param errorPrefix {@code invalid_search_} or {@code invalid_similar_} or {@code invalid_document_}
   */
  static ObjectNode toBody(List<Map.Entry<String, String>> params, String errorPrefix) {
    ObjectNode body = JSON.objectNode();
    String hybridEmbedder = null;
    String semanticRatio = null;
    for (Map.Entry<String, String> param : params) {
      String name = param.getKey();
      String value = param.getValue();
      if (LISTS.contains(name)) {
        body.set(name, list(splitComma(value)));
      } else if (name.equals("sort")) {
        body.set(name, list(splitSort(value)));
      } else if (NATURALS.contains(name)) {
        body.put(name, natural(name, value, errorPrefix));
      } else if (BOOLEANS.contains(name)) {
        body.put(name, bool(name, value, errorPrefix));
      } else if (FLOATS.contains(name)) {
        body.put(name, decimal(name, value, errorPrefix));
      } else if (name.equals("vector")) {
        ArrayNode vector = body.putArray("vector");
        for (String v : splitComma(value)) {
          vector.add(decimal(name, v, errorPrefix));
        }
      } else if (name.equals("filter")) {
        body.set(name, filter(value));
      } else if (name.equals("hybridEmbedder")) {
        hybridEmbedder = value;
      } else if (name.equals("hybridSemanticRatio")) {
        semanticRatio = value;
      } else {
        body.put(name, value);
      }
    }
    if (hybridEmbedder != null || semanticRatio != null) {
      ObjectNode hybrid = body.putObject("hybrid");
      if (hybridEmbedder != null) {
        hybrid.put("embedder", hybridEmbedder);
      }
      if (semanticRatio != null) {
        hybrid.put("semanticRatio", decimal("hybridSemanticRatio", semanticRatio, "invalid_search_semantic_ratio"));
      }
    }
    return body;
  }

  /** A JSON filter (array or string) as such, anything else as the string it is. */
  static JsonNode filter(String value) {
    String trimmed = value.trim();
    if (trimmed.startsWith("[") || trimmed.startsWith("\"")) {
      try {
        return DocumentPayloads.JSON.readTree(trimmed);
      } catch (Exception e) {
        // not JSON: a filter expression that happens to start with a bracket
      }
    }
    return JSON.textNode(value);
  }

  static List<String> splitComma(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String trimmed = part.trim();
      if (!trimmed.isEmpty()) {
        out.add(trimmed);
      }
    }
    return out;
  }

  /** Splits on commas outside parentheses: {@code _geoPoint(1.5, 2):asc,price:desc}. */
  static List<String> splitSort(String value) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : value.toCharArray()) {
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth = Math.max(0, depth - 1);
      }
      if (c == ',' && depth == 0) {
        add(out, current);
      } else {
        current.append(c);
      }
    }
    add(out, current);
    return out;
  }

  private static void add(List<String> out, StringBuilder current) {
    String part = current.toString().trim();
    if (!part.isEmpty()) {
      out.add(part);
    }
    current.setLength(0);
  }

  private static ArrayNode list(List<String> values) {
    ArrayNode array = JSON.arrayNode();
    values.forEach(array::add);
    return array;
  }

  private static long natural(String name, String value, String errorPrefix) {
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw invalid(name, errorPrefix, "could not parse `" + value + "` as a positive integer");
  }

  private static boolean bool(String name, String value, String errorPrefix) {
    return switch (value.trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(name, errorPrefix,
          "could not parse `" + value + "` as a boolean, expected either `true` or `false`");
    };
  }

  private static double decimal(String name, String value, String errorPrefix) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw invalid(name, errorPrefix, "could not parse `" + value + "` as a float");
    }
  }

  private static RuntimeException invalid(String name, String errorPrefix, String why) {
    String code = errorPrefix.endsWith("_") ? errorPrefix + snake(name) : errorPrefix;
    return MeiliError.invalidRequest(code, "Invalid value in parameter `" + name + "`: " + why).exception();
  }

  /** {@code hitsPerPage} to {@code hits_per_page}, as Meilisearch names its error codes. */
  static String snake(String camel) {
    StringBuilder out = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
