package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How Meilisearch identifies facet values: shared by distinct and facet merging. */
final class FacetValues {

  private FacetValues() {}

  /**
   * milli {@code normalize_facet}: trimmed, compatibility-decomposed (NFKD), lowercased. Two
   * strings with the same normalized form are one facet value (and one distinct value).
   */
  static String normalize(String original) {
    return Normalizer.normalize(original.strip(), Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
  }

  /**
   * The identities of the values of {@code attribute} in {@code hit}: numbers by value, strings
   * normalized, booleans as the strings Meilisearch indexes them as. Dotted attributes are looked
   * up through nested objects and arrays, as Meilisearch flattens documents.
   */
  static List<String> identities(JsonNode hit, String attribute) {
    List<String> out = new ArrayList<>(1);
    collect(hit, attribute, out);
    return out;
  }

  private static void collect(JsonNode node, String path, List<String> out) {
    if (node.isArray()) {
      for (JsonNode element : node) {
        collect(element, path, out);
      }
      return;
    }
    if (!node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (name.equals(path)) {
        addValues(field.getValue(), out);
      } else if (path.length() > name.length()
          && path.startsWith(name)
          && path.charAt(name.length()) == '.') {
        collect(field.getValue(), path.substring(name.length() + 1), out);
      }
    }
  }

  private static void addValues(JsonNode value, List<String> out) {
    if (value.isArray()) {
      for (JsonNode element : value) {
        addValues(element, out);
      }
    } else if (value.isNumber()) {
      out.add(numberIdentity(value.doubleValue()));
    } else if (value.isTextual()) {
      out.add("s" + normalize(value.textValue()));
    } else if (value.isBoolean()) {
      out.add("s" + value.asText());
    }
  }

  private static String numberIdentity(double value) {
    return "n" + (value == 0 ? 0.0 : value);
  }

  /**
   * The number a facet distribution key stands for, or null for a string value. Meilisearch
   * prints number facets with Rust's {@code f64} {@code Display} (shortest digits, no exponent,
   * no trailing {@code .0}); a key that prints back identically is taken to be a number. A string
   * facet that looks exactly like a number ("1999") is therefore misread: see the merge notes.
   */
  static Double numberOrNull(String key) {
    if (key.isEmpty() || key.length() > 40) {
      return null;
    }
    char first = key.charAt(0);
    if (first != '-' && (first < '0' || first > '9')) {
      return null;
    }
    try {
      double value = Double.parseDouble(key);
      if (!Double.isFinite(value)) {
        return null;
      }
      return rustDisplay(value).equals(key) ? value : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Rust's {@code f64} {@code Display}. */
  static String rustDisplay(double value) {
    if (value == 0) {
      return 1 / value < 0 ? "-0" : "0";
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
