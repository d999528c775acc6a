package dev.miroir.router.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miroir.router.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryParamsTest {

  @Test
  void getSearchParametersBecomeThePostBody() {
    var body = QueryParams.toBody(List.of(
        Map.entry("q", "star"), Map.entry("limit", "5"), Map.entry("showRankingScore", "true"),
        Map.entry("facets", "genre, year"), Map.entry("sort", "_geoPoint(1.5, 2):asc,price:desc"),
        Map.entry("filter", "[\"a = 1\", [\"b = 2\", \"c = 3\"]]"), Map.entry("hybridEmbedder", "e"),
        Map.entry("rankingScoreThreshold", "0.5")), "invalid_search_");
    assertThat(body.toString()).isEqualTo("{\"q\":\"star\",\"limit\":5,\"showRankingScore\":true,"
        + "\"facets\":[\"genre\",\"year\"],\"sort\":[\"_geoPoint(1.5, 2):asc\",\"price:desc\"],"
        + "\"filter\":[\"a = 1\",[\"b = 2\",\"c = 3\"]],\"rankingScoreThreshold\":0.5,\"hybrid\":{\"embedder\":\"e\"}}");
    assertThat(QueryParams.toBody(List.of(Map.entry("filter", "genre = drama")), "invalid_search_").get("filter").asText())
        .isEqualTo("genre = drama");
  }

  @Test
  void badNumbersGetMeilisearchCodes() {
    assertThatThrownBy(() -> QueryParams.toBody(List.of(Map.entry("hitsPerPage", "x")), "invalid_search_"))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.error().code()).isEqualTo("invalid_search_hits_per_page");
          assertThat(e.error().message()).isEqualTo(
              "Invalid value in parameter `hitsPerPage`: could not parse `x` as a positive integer");
        });
  }

  @Test
  void errorMessagesNeverNameTheShardField() {
    assertThat(SearchRoutes.withoutShardMentions(
        "Available filterable attribute patterns are: `_geo`, `_miroir_shard`, `genre`."))
        .isEqualTo("Available filterable attribute patterns are: `_geo`, `genre`.");
    assertThat(SearchRoutes.withoutShardMentions("patterns are: `_miroir_shard`.")).doesNotContain("_miroir");
  }
}
