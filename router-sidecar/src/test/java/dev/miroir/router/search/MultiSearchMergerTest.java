package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultiSearchMergerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static ObjectNode body(String json) throws Exception {
    return (ObjectNode) MAPPER.readTree(json);
  }

  private static String hit(String id, int localPosition, String index, double score) {
    return "{\"id\":\"" + id + "\",\"_miroir_shard\":0,\"_federation\":{\"indexUid\":\"" + index
        + "\",\"queriesPosition\":" + localPosition + ",\"weightedRankingScore\":" + score + "},"
        + "\"_rankingScore\":" + score + ",\"_rankingScoreDetails\":{\"words\":{\"order\":0,"
        + "\"matchingWords\":1,\"maxMatchingWords\":1,\"score\":1.0},\"proximity\":{\"order\":1,\"score\":"
        + score + "}}}";
  }

  @Test
  void plainResultsCarryTheIndexUidFirst() throws Exception {
    ObjectNode merged = MultiSearchMerger.plain(List.of("movies"),
        List.of(body("{\"hits\":[],\"query\":\"\",\"processingTimeMs\":0}")));
    assertThat(merged.toString()).isEqualTo(
        "{\"results\":[{\"indexUid\":\"movies\",\"hits\":[],\"query\":\"\",\"processingTimeMs\":0}]}");
  }

  @Test
  void federatedPlansOneRequestPerNodeWithLocalQueryPositions() throws Exception {
    ObjectNode client = body("{\"queries\":["
        + "{\"indexUid\":\"movies\",\"q\":\"a\",\"federationOptions\":{\"weight\":2.0}},"
        + "{\"indexUid\":\"books\",\"q\":\"b\"},"
        + "{\"indexUid\":\"movies\",\"q\":\"c\",\"filter\":\"year > 1\"}],"
        + "\"federation\":{\"offset\":5,\"limit\":10,\"mergeFacets\":{},\"facetsByIndex\":{\"movies\":[\"genre\"]}}}");
    FederatedSearch search = FederatedSearch.plan(client, Map.of());
    Map<String, CoveringSet> covering = new LinkedHashMap<>();
    covering.put("movies", new CoveringSet(Map.of("n1", List.of(0, 1)), List.of()));
    covering.put("books", new CoveringSet(Map.of("n2", List.of(0)), List.of()));
    List<FederatedSearch.NodeRequest> requests = search.requests(covering);
    assertThat(requests).hasSize(2);
    FederatedSearch.NodeRequest n1 = requests.get(0);
    assertThat(n1.node()).isEqualTo("n1");
    assertThat(n1.queryPositions()).containsExactly(0, 2);
    assertThat(n1.body().get("federation").toString()).isEqualTo(
        "{\"offset\":0,\"limit\":15,\"facetsByIndex\":{\"movies\":[\"genre\"]}}");
    JsonNode second = n1.body().get("queries").get(1);
    assertThat(second.get("filter").toString()).isEqualTo("[\"year > 1\",\"_geo._miroir_shard IN [0, 1]\"]");
    assertThat(second.has("limit")).as("federated queries carry no pagination").isFalse();
    assertThat(second.get("showRankingScoreDetails").asBoolean()).isTrue();
    assertThat(requests.get(1).queryPositions()).containsExactly(1);
    assertThat(requests.get(1).body().get("federation").has("facetsByIndex")).isTrue();
    assertThat(requests.get(1).body().get("federation").get("facetsByIndex").size()).isZero();
  }

  @Test
  void federatedMergeOrdersByWeightedScoreAndMapsPositionsBack() throws Exception {
    ObjectNode client = body("{\"queries\":["
        + "{\"indexUid\":\"movies\",\"q\":\"a\",\"federationOptions\":{\"weight\":0.5}},"
        + "{\"indexUid\":\"books\",\"q\":\"b\"}],"
        + "\"federation\":{\"limit\":3,\"facetsByIndex\":{\"movies\":[\"genre\"],\"books\":[\"genre\"]},"
        + "\"mergeFacets\":{\"maxValuesPerFacet\":2}}}");
    FederatedSearch search = FederatedSearch.plan(client, Map.of());
    FederatedSearch.NodeRequest movies = new FederatedSearch.NodeRequest("n1", body("{}"), new int[] {0});
    FederatedSearch.NodeRequest books = new FederatedSearch.NodeRequest("n2", body("{}"), new int[] {1});
    // movies (weight 0.5): 0.9 -> 0.45, 0.8 -> 0.4; books (weight 1): 0.5, 0.42.
    JsonNode moviesAnswer = body("{\"hits\":[" + hit("m1", 0, "movies", 0.9) + "," + hit("m2", 0, "movies", 0.8)
        + "],\"processingTimeMs\":4,\"limit\":3,\"offset\":0,\"estimatedTotalHits\":7,"
        + "\"facetsByIndex\":{\"movies\":{\"distribution\":{\"genre\":{\"a\":1,\"b\":5}},\"stats\":{}}}}");
    JsonNode booksAnswer = body("{\"hits\":[" + hit("b1", 0, "books", 0.5) + "," + hit("b2", 0, "books", 0.42)
        + "],\"processingTimeMs\":9,\"limit\":3,\"offset\":0,\"estimatedTotalHits\":2,"
        + "\"facetsByIndex\":{\"books\":{\"distribution\":{\"genre\":{\"a\":2,\"c\":1}},\"stats\":{}}}}");
    ObjectNode merged = MultiSearchMerger.federated(search, List.of(
        new MultiSearchMerger.NodeAnswer(movies, moviesAnswer),
        new MultiSearchMerger.NodeAnswer(books, booksAnswer)));
    List<String> ids = new ArrayList<>();
    merged.get("hits").forEach(h -> ids.add(h.get("id").asText()));
    assertThat(ids).containsExactly("b1", "m1", "b2");
    assertThat(merged.get("hits").get(0).get("_federation").toString())
        .isEqualTo("{\"indexUid\":\"books\",\"queriesPosition\":1,\"weightedRankingScore\":0.5}");
    assertThat(merged.toString()).doesNotContain("_miroir").doesNotContain("_rankingScore\"");
    List<String> fields = new ArrayList<>();
    merged.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("hits", "processingTimeMs", "limit", "offset", "estimatedTotalHits",
        "facetDistribution", "facetStats");
    assertThat(merged.get("estimatedTotalHits").asLong()).isEqualTo(9);
    assertThat(merged.get("processingTimeMs").asLong()).isEqualTo(9);
    assertThat(merged.get("facetDistribution").toString()).isEqualTo("{\"genre\":{\"a\":3,\"b\":5}}");
  }

  @Test
  void equalWeightedScoresGoToTheLowerQueryPosition() throws Exception {
    ObjectNode client = body("{\"queries\":[{\"indexUid\":\"i\",\"q\":\"a\"},{\"indexUid\":\"i\",\"q\":\"b\"}],"
        + "\"federation\":{}}");
    FederatedSearch search = FederatedSearch.plan(client, Map.of());
    // Node n2 lists query 1 first locally; the tie must still go to client query 0.
    FederatedSearch.NodeRequest n1 = new FederatedSearch.NodeRequest("n1", body("{}"), new int[] {1});
    FederatedSearch.NodeRequest n2 = new FederatedSearch.NodeRequest("n2", body("{}"), new int[] {0});
    ObjectNode merged = MultiSearchMerger.federated(search, List.of(
        new MultiSearchMerger.NodeAnswer(n1, body("{\"hits\":[" + hit("x", 0, "i", 0.7) + "],\"estimatedTotalHits\":1}")),
        new MultiSearchMerger.NodeAnswer(n2, body("{\"hits\":[" + hit("y", 0, "i", 0.7) + "],\"estimatedTotalHits\":1}"))));
    assertThat(merged.get("hits").get(0).get("id").asText()).isEqualTo("y");
    assertThat(merged.get("hits").get(0).get("_federation").get("queriesPosition").asInt()).isZero();
    assertThat(merged.get("hits").get(1).get("_federation").get("queriesPosition").asInt()).isEqualTo(1);
  }

  @Test
  void facetsByIndexAreMergedPerIndexWhenNotMergingAcrossIndexes() throws Exception {
    ObjectNode client = body("{\"queries\":[{\"indexUid\":\"i\",\"q\":\"a\"}],"
        + "\"federation\":{\"facetsByIndex\":{\"i\":[\"g\"]}}}");
    FederatedSearch search = FederatedSearch.plan(client, Map.of());
    FederatedSearch.NodeRequest n1 = new FederatedSearch.NodeRequest("n1", body("{}"), new int[] {0});
    FederatedSearch.NodeRequest n2 = new FederatedSearch.NodeRequest("n2", body("{}"), new int[] {0});
    String facets = "\"facetsByIndex\":{\"i\":{\"distribution\":{\"g\":{\"x\":1}},\"stats\":{\"p\":{\"min\":1.0,\"max\":2.0}}}}";
    ObjectNode merged = MultiSearchMerger.federated(search, List.of(
        new MultiSearchMerger.NodeAnswer(n1, body("{\"hits\":[]," + facets + "}")),
        new MultiSearchMerger.NodeAnswer(n2, body("{\"hits\":[]," + facets + "}"))));
    assertThat(merged.get("facetsByIndex").toString()).isEqualTo(
        "{\"i\":{\"distribution\":{\"g\":{\"x\":2}},\"stats\":{\"p\":{\"min\":1.0,\"max\":2.0}}}}");
  }
}
