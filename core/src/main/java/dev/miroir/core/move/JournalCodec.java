package dev.miroir.core.move;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON form of a {@link RebalanceJournal} (file locally, ConfigMap data in Kubernetes). */
public final class JournalCodec {

  /** ConfigMap data key and local file name. */
  public static final String DATA_KEY = "rebalance.json";

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private JournalCodec() {}

  public static String encode(RebalanceJournal journal) {
    try {
      return MAPPER.writeValueAsString(journal);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the rebalance journal", e);
    }
  }

  /** @throws IllegalArgumentException when the text is not a journal: a mover must stop, not guess */
  public static RebalanceJournal decode(String json) {
    try {
      return MAPPER.readValue(json, RebalanceJournal.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the rebalance journal is unreadable: " + e.getOriginalMessage(), e);
    }
  }
}
