package dev.miroir.core.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON form of the topology document; decoding also validates, so no invalid document escapes. */
public final class TopologyCodec {

  /** ConfigMap data key (and local file name) that holds the document. */
  public static final String DATA_KEY = "topology.json";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private TopologyCodec() {}

  public static String encode(TopologyDocument doc) {
    TopologyValidator.requireValid(doc);
    try {
      return MAPPER.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode topology document", e);
    }
  }

  /**
   * Parses and validates. Unknown fields are ignored so that an older router can read a newer
   * operator's document of the same schema version.
   *
   * @throws InvalidTopologyException when the text is not a valid document
   */
  public static TopologyDocument decode(String json) {
    TopologyDocument doc;
    try {
      doc = MAPPER.readValue(json, TopologyDocument.class);
    } catch (JsonProcessingException e) {
      throw new InvalidTopologyException(e.getOriginalMessage(), e);
    }
    return TopologyValidator.requireValid(doc);
  }
}
