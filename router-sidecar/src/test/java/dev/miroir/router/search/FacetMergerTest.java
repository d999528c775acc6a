package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FacetMergerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return MAPPER.readTree(text);
  }

  @Test
  void alphaSumsPerNormalizedValueNumbersFirstAndCuts() throws Exception {
    IndexSearchSettings settings = new IndexSearchSettings(1000, 4, Map.of(), null);
    JsonNode merged = FacetMerger.distribution(List.of(
        json("{\"genre\":{\"Drama\":2,\"rock\":1},\"year\":{\"1999\":1,\"2001\":2},\"_miroir_shard\":{\"0\":3}}"),
        json("{\"genre\":{\"comedy\":4,\"drama\":5},\"year\":{\"10.5\":1,\"1999\":3}}")), settings);
    assertThat(merged.toString()).isEqualTo(
        "{\"genre\":{\"comedy\":4,\"Drama\":7,\"rock\":1},\"year\":{\"10.5\":1,\"1999\":4,\"2001\":2}}");
  }

  @Test
  void countOrdersByCountThenValueDescendingAndCuts() throws Exception {
    IndexSearchSettings settings = new IndexSearchSettings(1000, 2, Map.of("*", FacetOrder.COUNT), null);
    JsonNode merged = FacetMerger.distribution(List.of(
        json("{\"genre\":{\"a\":2,\"b\":1,\"c\":3}}"), json("{\"genre\":{\"b\":2,\"d\":3}}")), settings);
    assertThat(merged.toString()).isEqualTo("{\"genre\":{\"d\":3,\"c\":3}}");
  }

  @Test
  void statsTakeMinOfMinsAndMaxOfMaxes() throws Exception {
    JsonNode merged = FacetMerger.stats(List.of(
        json("{\"price\":{\"min\":3.0,\"max\":10.0}}"),
        json("{\"price\":{\"min\":1.5,\"max\":7.0},\"year\":{\"min\":1990.0,\"max\":2020.0}}")));
    assertThat(merged.toString()).isEqualTo(
        "{\"price\":{\"min\":1.5,\"max\":10.0},\"year\":{\"min\":1990.0,\"max\":2020.0}}");
    assertThat(FacetMerger.stats(java.util.Arrays.asList(null, null))).isNull();
  }

  @Test
  void numberKeysAreRecognisedAsRustPrintsThem() {
    assertThat(FacetValues.numberOrNull("1999")).isEqualTo(1999.0);
    assertThat(FacetValues.numberOrNull("12.5")).isEqualTo(12.5);
    assertThat(FacetValues.numberOrNull("1999.0")).isNull();
    assertThat(FacetValues.numberOrNull("rock")).isNull();
    assertThat(FacetValues.rustDisplay(1e21)).isEqualTo("1000000000000000000000");
  }

  @Test
  void facetSearchSumsSortsAndCuts() throws Exception {
    List<JsonNode> responses = List.of(
        json("{\"facetHits\":[{\"value\":\"Rock\",\"count\":2},{\"value\":\"Pop\",\"count\":1}],\"facetQuery\":\"o\",\"processingTimeMs\":3}"),
        json("{\"facetHits\":[{\"value\":\"rock\",\"count\":1},{\"value\":\"Folk\",\"count\":3}],\"facetQuery\":\"o\",\"processingTimeMs\":5}"));
    assertThat(FacetSearchMerger.merge(responses, FacetOrder.ALPHA, 10).toString()).isEqualTo(
        "{\"facetHits\":[{\"value\":\"Folk\",\"count\":3},{\"value\":\"Pop\",\"count\":1},{\"value\":\"Rock\",\"count\":3}],"
            + "\"facetQuery\":\"o\",\"processingTimeMs\":5}");
    assertThat(FacetSearchMerger.merge(responses, FacetOrder.COUNT, 2).toString()).isEqualTo(
        "{\"facetHits\":[{\"value\":\"Rock\",\"count\":3},{\"value\":\"Folk\",\"count\":3}],"
            + "\"facetQuery\":\"o\",\"processingTimeMs\":5}");
  }
}
