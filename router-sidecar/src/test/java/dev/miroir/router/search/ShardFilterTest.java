package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardFilterTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return MAPPER.readTree(text);
  }

  @Test
  void noFilterBecomesTheShardClauseAlone() {
    assertThat(ShardFilter.restrict(null, List.of(3, 1), ShardStamp.LEGACY).toString())
        .isEqualTo("[\"_miroir_shard IN [1, 3]\"]");
    assertThat(ShardFilter.restrict(JsonNodeFactory.instance.nullNode(), List.of(0), ShardStamp.LEGACY).toString())
        .isEqualTo("[\"_miroir_shard IN [0]\"]");
  }

  @Test
  void stringFilterIsKeptWholeAsOneAndedElement() throws Exception {
    // The client text is never re-parsed nor bracketed: an OR at its top level stays intact.
    JsonNode restricted = ShardFilter.restrict(json("\"genre = a OR genre = b\""), List.of(2), ShardStamp.LEGACY);
    assertThat(restricted.toString())
        .isEqualTo("[\"genre = a OR genre = b\",\"_miroir_shard IN [2]\"]");
  }

  @Test
  void arrayFilterGetsTheClauseAppendedAndItsInnerOrsUntouched() throws Exception {
    JsonNode client = json("[[\"genre = a\", \"genre = b\"], \"year > 2000\"]");
    JsonNode restricted = ShardFilter.restrict(client, List.of(4, 5), ShardStamp.LEGACY);
    assertThat(restricted.toString())
        .isEqualTo(
            "[[\"genre = a\",\"genre = b\"],\"year > 2000\",\"_miroir_shard IN [4, 5]\"]");
    assertThat(client.size()).as("the client filter is not modified").isEqualTo(2);
  }

  @Test
  void otherTypesArePassedThroughForTheNodeToReject() throws Exception {
    assertThat(ShardFilter.restrict(json("42"), List.of(1), ShardStamp.LEGACY).toString()).isEqualTo("42");
  }

  /**
   * Law: for random filters in every form, a document passes the restricted filter exactly when it
   * passes the client filter and belongs to one of the shards. Atoms are opaque; the evaluator is
   * Meilisearch's array semantics (AND of elements, an inner array is an OR).
   */
  @Test
  void restrictionIsTheClientFilterAndTheShardSet() {
    Random random = new Random(7);
    List<String> atoms = List.of("a = 1", "b = 2", "c > 3", "d EXISTS", "NOT e = 4");
    for (int round = 0; round < 500; round++) {
      JsonNode client = randomFilter(random, atoms);
      List<Integer> shards = List.of(random.nextInt(4), 4 + random.nextInt(4));
      JsonNode restricted = ShardFilter.restrict(client, shards, ShardStamp.LEGACY);
      for (int doc = 0; doc < 20; doc++) {
        Map<String, Boolean> truth = new HashMap<>();
        atoms.forEach(atom -> truth.put(atom, random.nextBoolean()));
        int shard = random.nextInt(8);
        truth.put(ShardStamp.LEGACY.in(shards), shards.contains(shard));
        boolean expected = evaluate(client, truth) && shards.contains(shard);
        assertThat(evaluate(restricted, truth)).isEqualTo(expected);
      }
    }
  }

  private static JsonNode randomFilter(Random random, List<String> atoms) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    switch (random.nextInt(4)) {
      case 0:
        return null;
      case 1:
        return json.textNode(atoms.get(random.nextInt(atoms.size())));
      default:
        var array = json.arrayNode();
        int elements = random.nextInt(4);
        for (int i = 0; i < elements; i++) {
          if (random.nextBoolean()) {
            array.add(atoms.get(random.nextInt(atoms.size())));
          } else {
            var or = array.addArray();
            int alternatives = 1 + random.nextInt(3);
            for (int j = 0; j < alternatives; j++) {
              or.add(atoms.get(random.nextInt(atoms.size())));
            }
          }
        }
        return array;
    }
  }

  /** Array semantics of Meilisearch filters over opaque atoms; absent = everything passes. */
  private static boolean evaluate(JsonNode filter, Map<String, Boolean> truth) {
    if (filter == null || filter.isNull()) {
      return true;
    }
    if (filter.isTextual()) {
      return truth.get(filter.textValue());
    }
    for (JsonNode element : filter) {
      if (element.isTextual()) {
        if (!truth.get(element.textValue())) {
          return false;
        }
      } else {
        boolean any = false;
        for (JsonNode alternative : element) {
          any |= truth.get(alternative.textValue());
        }
        if (element.size() > 0 && !any) {
          return false;
        }
      }
    }
    return true;
  }

  @Test
  void inClauseListsShardsInAscendingOrder() {
    assertThat(ShardStamp.LEGACY.in(Set.of(9, 2, 5))).isEqualTo("_miroir_shard IN [2, 5, 9]");
  }

  @Test
  void eachStampFormFiltersOnItsOwnNames() {
    assertThat(ShardFilter.restrict(null, List.of(3, 1), ShardStamp.GEO).toString())
        .isEqualTo("[\"_geo._miroir_shard IN [1, 3]\"]");
    assertThat(ShardStamp.GEO.is(4)).isEqualTo("_geo._miroir_shard = 4");
    // While an index moves from one stamp to the other, a document may carry either.
    assertThat(ShardStamp.DUAL.in(List.of(2, 1)))
        .isEqualTo("_miroir_shard IN [1, 2] OR _geo._miroir_shard IN [1, 2]");
    assertThat(ShardStamp.DUAL.is(4)).isEqualTo("_miroir_shard = 4 OR _geo._miroir_shard = 4");
    assertThat(ShardStamp.DUAL.notIn(List.of(2)))
        .isEqualTo("NOT (_miroir_shard IN [2] OR _geo._miroir_shard IN [2])");
    assertThat(ShardStamp.DUAL.field()).as("writes stamp the unsearchable name").isEqualTo("_geo._miroir_shard");
    assertThat(ShardStamp.LEGACY.field()).isEqualTo("_miroir_shard");
  }

  @Test
  void theFormOfAnIndexIsToldByTheRoutersFilterableEntries() throws Exception {
    assertThat(ShardStamp.of(json("[\"genre\", \"_miroir_shard\"]"))).isEqualTo(ShardStamp.LEGACY);
    assertThat(ShardStamp.of(json("[{\"attributePatterns\": [\"_miroir_shard\"]}]"))).isEqualTo(ShardStamp.LEGACY);
    assertThat(ShardStamp.of(json("[\"_geo._miroir_shard\", \"genre\"]"))).isEqualTo(ShardStamp.GEO);
    assertThat(ShardStamp.of(json("[\"_miroir_shard\", \"_geo._miroir_shard\"]"))).isEqualTo(ShardStamp.DUAL);
    assertThat(ShardStamp.of(json("[\"genre\"]"))).as("no entry yet: a new index").isEqualTo(ShardStamp.GEO);
    assertThat(ShardStamp.of(null)).isEqualTo(ShardStamp.GEO);
    assertThat(ShardStamp.of(json("[\"_miroir_shardx\", \"_geo\"]"))).isEqualTo(ShardStamp.GEO);
    for (ShardStamp stamp : ShardStamp.values()) {
      var entries = JsonNodeFactory.instance.arrayNode().add("genre");
      stamp.filterableEntries().forEach(entries::add);
      assertThat(ShardStamp.of(entries)).as("the entries of a form tell that form").isEqualTo(stamp);
    }
  }

  @Test
  void aNodeAnswersForAllItsShardsOnlyWhenTheSetsAreEqual() {
    assertThat(ShardFilter.answersForAllPlaced(List.of(1, 4, 7), List.of(7, 1, 4))).isTrue();
    assertThat(ShardFilter.answersForAllPlaced(List.of(1, 4, 7), List.of(1, 4))).isFalse();
    assertThat(ShardFilter.answersForAllPlaced(List.of(1, 4), List.of(1, 4, 7))).isFalse();
    assertThat(ShardFilter.answersForAllPlaced(List.of(1, 4, 7), List.of(1, 4, 8))).isFalse();
    assertThat(ShardFilter.answersForAllPlaced(null, List.of(1))).as("a node the placement does not know").isFalse();
  }

  @Test
  void theStrayCountAsksAnExactCountOfEverythingOutsideThePlacedShards() {
    JsonNode body = ShardFilter.strayCount(List.of(9, 2), ShardStamp.LEGACY);
    assertThat(body.get("filter").textValue()).isEqualTo("_miroir_shard NOT IN [2, 9]");
    assertThat(ShardFilter.strayCount(List.of(9, 2), ShardStamp.GEO).get("filter").textValue())
        .isEqualTo("_geo._miroir_shard NOT IN [2, 9]");
    assertThat(body.get("q").textValue()).isEmpty();
    assertThat(body.get("limit").asInt()).isZero();
  }
}
