package dev.miroir.router.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.miroir.router.MeiliError;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads a JSON body the way a Meilisearch node's {@code serde_json} does, so that what a node
 * refuses the router refuses too, before any node sees it: no byte-order mark, nothing after the
 * value, at most 128 levels of nesting, no lone UTF-16 surrogate in an escape. Jackson alone accepts
 * all four.
 */
public final class StrictJson {

  /** serde_json's default recursion limit. */
  static final int MAX_DEPTH = 128;

  private static final ObjectMapper JSON = JsonMapper.builder(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
              .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  private StrictJson() {}

  /**
   * The body as JSON, or the error a node gives for it: {@code missing_payload} when empty,
   * {@code malformed_payload} when it is not JSON to serde_json.
   */
  public static JsonNode read(byte[] body) {
    if (body.length == 0) {
      throw MeiliError.invalidRequest("missing_payload", "A json payload is missing.").exception();
    }
    if (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
      throw malformed("expected value at line 1 column 1");
    }
    if (isBlank(body)) {
      throw malformed("EOF while parsing a value at line 1 column " + body.length);
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw malformed(location(e));
    } catch (IOException e) {
      throw malformed(String.valueOf(e.getMessage()));
    }
    if (hasLoneSurrogate(root)) {
      throw malformed("lone leading surrogate in hex escape");
    }
    return root;
  }

  static dev.miroir.router.ApiException malformed(String detail) {
    return MeiliError.invalidRequest("malformed_payload",
        "The json payload provided is malformed. `" + detail + "`.").exception();
  }

  private static String location(JsonProcessingException e) {
    String what = e.getOriginalMessage() == null ? "invalid JSON" : e.getOriginalMessage().split("\n", 2)[0];
    if (e.getLocation() != null) {
      return what + " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
    }
    return what;
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  public static boolean hasLoneSurrogate(JsonNode node) {
    if (node.isTextual()) {
      return loneSurrogate(node.textValue());
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (loneSurrogate(field.getKey()) || hasLoneSurrogate(field.getValue())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (hasLoneSurrogate(element)) {
          return true;
        }
      }
    }
    return false;
  }

  public static boolean loneSurrogate(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return true;
      }
      if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

}
