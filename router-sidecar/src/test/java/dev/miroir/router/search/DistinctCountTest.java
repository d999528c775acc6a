package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistinctCountTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void valuesHeldBySeveralShardsCountOnceAndHitsWithoutValueEach() throws Exception {
    var a = JSON.readTree("{\"hits\":[{\"s\":\"X\"},{\"s\":\"y\"},{}]}");
    var b = JSON.readTree("{\"hits\":[{\"s\":\"x\"},{\"s\":\"z\"},{}]}");
    assertThat(DistinctCount.count(List.of(a, b), "s")).isEqualTo(5);
  }

  @Test
  void pageModeCountIsReplacedAndOffsetModeOnlyWhenThePageWasNotFilled() throws Exception {
    ObjectNode pageBody = (ObjectNode) JSON.readTree("{\"page\":2,\"hitsPerPage\":20,\"distinct\":\"s\"}");
    SearchIntent page = ShardQueryBuilder.search(pageBody, IndexSearchSettings.defaults()).intent();
    ObjectNode merged = (ObjectNode) JSON.readTree("{\"totalHits\":900,\"totalPages\":45}");
    DistinctCount.correct(merged, page, 400, 1000);
    assertThat(merged.get("totalHits").asInt()).isEqualTo(400);
    assertThat(merged.get("totalPages").asInt()).isEqualTo(20);

    SearchIntent offset = ShardQueryBuilder.search((ObjectNode) JSON.readTree("{\"limit\":20}"),
        IndexSearchSettings.defaults()).intent();
    ObjectNode estimated = (ObjectNode) JSON.readTree("{\"estimatedTotalHits\":36}");
    DistinctCount.correct(estimated, offset, 12, 1000);
    assertThat(estimated.get("estimatedTotalHits").asInt()).isEqualTo(12);
    ObjectNode unfilled = (ObjectNode) JSON.readTree("{\"estimatedTotalHits\":700}");
    DistinctCount.correct(unfilled, offset, 400, 1000);
    assertThat(unfilled.get("estimatedTotalHits").asInt()).isEqualTo(700);
  }

  @Test
  void theCountQueryRetrievesOnlyTheDistinctAttribute() throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree("{\"q\":\"a\",\"facets\":[\"g\"],\"page\":3,\"filter\":[\"x\"]}");
    ObjectNode count = DistinctCount.countQuery(body, "s", 1000);
    assertThat(count.toString()).isEqualTo(
        "{\"q\":\"a\",\"filter\":[\"x\"],\"attributesToRetrieve\":[\"s\"],\"distinct\":\"s\",\"offset\":0,\"limit\":1000}");
  }
}
