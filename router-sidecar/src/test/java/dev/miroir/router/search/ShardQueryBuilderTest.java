package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardQueryBuilderTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static ObjectNode body(String json) throws Exception {
    return (ObjectNode) MAPPER.readTree(json);
  }

  @Test
  void offsetLimitBecomesTheFirstOffsetPlusLimitHitsWithScoresForced() throws Exception {
    ObjectNode client = body("{\"q\":\"a\",\"offset\":30,\"limit\":10,\"sort\":[\"price:asc\"],"
        + "\"facets\":[\"genre\"],\"rankingScoreThreshold\":0.2,\"retrieveVectors\":true}");
    ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(client, IndexSearchSettings.defaults());
    ObjectNode node = search.forShards(List.of(2, 0));
    assertThat(node.get("offset").asInt()).isZero();
    assertThat(node.get("limit").asInt()).isEqualTo(40);
    assertThat(node.get("showRankingScore").asBoolean()).isTrue();
    assertThat(node.get("showRankingScoreDetails").asBoolean()).isTrue();
    assertThat(node.get("filter").toString()).isEqualTo("[\"_geo._miroir_shard IN [0, 2]\"]");
    assertThat(node.get("sort")).isEqualTo(client.get("sort"));
    assertThat(node.get("facets")).isEqualTo(client.get("facets"));
    assertThat(node.get("rankingScoreThreshold")).isEqualTo(client.get("rankingScoreThreshold"));
    assertThat(node.get("retrieveVectors").asBoolean()).isTrue();
    assertThat(client.has("showRankingScore")).as("client body untouched").isFalse();
    SearchIntent intent = search.intent();
    assertThat(intent.pageMode()).isFalse();
    assertThat(intent.offset()).isEqualTo(30);
    assertThat(intent.limit()).isEqualTo(10);
    assertThat(intent.showRankingScore()).isFalse();
    assertThat(intent.hybrid()).isFalse();
  }

  @Test
  void theShardFilterNamesTheStampOfTheIndex() throws Exception {
    ObjectNode client = body("{\"q\":\"5\"}");
    IndexSearchSettings legacy = IndexSearchSettings.of(body("{\"filterableAttributes\":[\"genre\",\"_miroir_shard\"]}"));
    IndexSearchSettings current = IndexSearchSettings.of(body("{\"filterableAttributes\":[\"_geo._miroir_shard\"]}"));
    assertThat(ShardQueryBuilder.search(client, legacy).forShards(List.of(5)).get("filter").toString())
        .isEqualTo("[\"_miroir_shard IN [5]\"]");
    assertThat(ShardQueryBuilder.search(client, current).forShards(List.of(5)).get("filter").toString())
        .isEqualTo("[\"_geo._miroir_shard IN [5]\"]");
    assertThat(ShardQueryBuilder.search(client, current).template().has("attributesToSearchOn"))
        .as("nothing else changes: the stamp is not searchable, so the query is left as it is").isFalse();
  }

  @Test
  void aNodeHoldingOnlyItsShardsGetsTheClientFilterAlone() throws Exception {
    ObjectNode client = body("{\"q\":\"a\",\"filter\":\"genre = drama\"}");
    ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(client, IndexSearchSettings.defaults());
    assertThat(search.forNode(List.of(1, 3), true).get("filter").asText()).isEqualTo("genre = drama");
    assertThat(search.forNode(List.of(1, 3), false).get("filter").toString())
        .isEqualTo("[\"genre = drama\",\"_geo._miroir_shard IN [1, 3]\"]");
  }

  @Test
  void scoresAreAskedOnlyWhereTheMergeComparesHits() throws Exception {
    IndexSearchSettings builtInRules = new IndexSearchSettings(1000, 100, Map.of(), null, false);
    IndexSearchSettings customRules = new IndexSearchSettings(1000, 100, Map.of(), null, true);
    // A placeholder search without sort: every hit ties, details decide nothing.
    ObjectNode placeholder = ShardQueryBuilder.search(body("{\"filter\":\"year > 2000\"}"), builtInRules).template();
    assertThat(placeholder.has("showRankingScoreDetails")).isFalse();
    assertThat(placeholder.has("showRankingScore")).isFalse();
    // ... unless custom ranking rules rank it, or it sorts, or words rank it.
    assertThat(ShardQueryBuilder.search(body("{}"), customRules).template().get("showRankingScoreDetails")
        .asBoolean()).isTrue();
    assertThat(ShardQueryBuilder.search(body("{\"sort\":[\"price:asc\"]}"), builtInRules).template()
        .get("showRankingScoreDetails").asBoolean()).isTrue();
    assertThat(ShardQueryBuilder.search(body("{\"q\":\"a\"}"), builtInRules).template()
        .get("showRankingScoreDetails").asBoolean()).isTrue();
    // No hit asked: counts and facets only.
    assertThat(ShardQueryBuilder.search(body("{\"q\":\"a\",\"limit\":0}"), customRules).template()
        .has("showRankingScoreDetails")).isFalse();
    // Ranking rules unknown: details stay.
    assertThat(ShardQueryBuilder.search(body("{}"), IndexSearchSettings.defaults()).template()
        .get("showRankingScoreDetails").asBoolean()).isTrue();
  }

  @Test
  void defaultsAreMeilisearchs() throws Exception {
    ShardQueryBuilder.ShardSearch search = ShardQueryBuilder.search(body("{}"), IndexSearchSettings.defaults());
    assertThat(search.template().get("limit").asInt()).isEqualTo(20);
    assertThat(search.intent().requiredHits()).isEqualTo(20);
  }

  @Test
  void pageModeStaysPageModeSoNodesCountExhaustively() throws Exception {
    ShardQueryBuilder.ShardSearch search =
        ShardQueryBuilder.search(body("{\"page\":4,\"hitsPerPage\":5}"), IndexSearchSettings.defaults());
    assertThat(search.template().get("page").asInt()).isEqualTo(1);
    assertThat(search.template().get("hitsPerPage").asInt()).isEqualTo(20);
    assertThat(search.intent().offset()).isEqualTo(15);
    assertThat(search.intent().limit()).isEqualTo(5);

    ShardQueryBuilder.ShardSearch pageZero =
        ShardQueryBuilder.search(body("{\"page\":0}"), IndexSearchSettings.defaults());
    assertThat(pageZero.template().get("page").asInt()).isZero();
    assertThat(pageZero.intent().limit()).isZero();
  }

  @Test
  void clientScoreRequestsAreRemembered() throws Exception {
    SearchIntent intent = ShardQueryBuilder.search(
        body("{\"showRankingScore\":true,\"showRankingScoreDetails\":false}"), IndexSearchSettings.defaults()).intent();
    assertThat(intent.showRankingScore()).isTrue();
    assertThat(intent.showRankingScoreDetails()).isFalse();
  }

  @Test
  void distinctAttributeIsRetrievedForTheMergeAndRemembered() throws Exception {
    IndexSearchSettings withDistinct = new IndexSearchSettings(1000, 100, Map.of(), "series");
    ShardQueryBuilder.ShardSearch search =
        ShardQueryBuilder.search(body("{\"attributesToRetrieve\":[\"title\"]}"), withDistinct);
    assertThat(search.template().get("attributesToRetrieve").toString()).isEqualTo("[\"title\",\"series\"]");
    assertThat(search.intent().addedAttributes()).containsExactly("series");
    assertThat(search.intent().distinctAttribute()).isEqualTo("series");

    ShardQueryBuilder.ShardSearch star =
        ShardQueryBuilder.search(body("{\"attributesToRetrieve\":[\"*\"],\"distinct\":\"genre\"}"), withDistinct);
    assertThat(star.intent().addedAttributes()).isEmpty();
    assertThat(star.intent().distinctAttribute()).isEqualTo("genre");
  }

  @Test
  void hybridRatioDefaultsToHalf() throws Exception {
    assertThat(ShardQueryBuilder.search(body("{\"hybrid\":{\"embedder\":\"e\"}}"), IndexSearchSettings.defaults())
            .intent().semanticRatio()).isEqualTo(0.5);
    assertThat(ShardQueryBuilder.search(body("{\"hybrid\":{\"embedder\":\"e\",\"semanticRatio\":0.8}}"),
            IndexSearchSettings.defaults()).intent().semanticRatio()).isEqualTo(0.8);
  }

  @Test
  void invalidValuesArePassedThroughForTheNodeToReject() throws Exception {
    ObjectNode node = ShardQueryBuilder.search(body("{\"limit\":\"ten\",\"showRankingScore\":\"yes\"}"),
        IndexSearchSettings.defaults()).template();
    assertThat(node.get("limit").asText()).isEqualTo("ten");
    assertThat(node.get("showRankingScore").asText()).isEqualTo("yes");
  }

  @Test
  void facetSearchOnlyGetsTheShardFilter() throws Exception {
    ObjectNode node = ShardQueryBuilder.facetSearch(
        body("{\"facetName\":\"genre\",\"facetQuery\":\"ro\",\"filter\":\"year > 2000\"}"), List.of(1),
        ShardStamp.LEGACY);
    assertThat(node.toString()).isEqualTo(
        "{\"facetName\":\"genre\",\"facetQuery\":\"ro\",\"filter\":[\"year > 2000\",\"_miroir_shard IN [1]\"]}");
    assertThat(ShardQueryBuilder.facetSearch(body("{\"facetName\":\"genre\"}"), List.of(1), ShardStamp.GEO)
        .toString()).isEqualTo("{\"facetName\":\"genre\",\"filter\":[\"_geo._miroir_shard IN [1]\"]}");
  }
}
