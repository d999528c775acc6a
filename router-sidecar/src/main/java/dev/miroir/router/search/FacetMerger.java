package dev.miroir.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Merges {@code facetDistribution} and {@code facetStats} of several shards into what one node
 * holding every document would report.
 *
 * <p>Counts are summed per facet value; values are identified as Meilisearch identifies them
 * (numbers by value, strings by their normalized form, the first original spelling kept). Then
 * each facet is ordered and truncated as milli's {@code FacetDistribution::facet_values} does:
 * number values first, then string values, up to {@code maxValuesPerFacet} in total;
 * {@code alpha} orders numbers numerically and strings by normalized form; {@code count} orders
 * each part by count, most frequent first, equal counts by value descending (the order of
 * milli's max-heap of facet groups).
 *
 * <p>Exact for {@code alpha}: a value among a facet's first N overall is among the first N of
 * every shard holding it, so every shard reported it with its full count. Approximate for
 * {@code count} when a facet has more than maxValuesPerFacet values: a value can miss a shard's
 * top N yet belong to the overall top N, and its count is then short.
 */
final class FacetMerger {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private FacetMerger() {}

  /** One facet value while merging. */
  private static final class Value {
    final String original;
    final Double number;
    final String normalized;
    long count;

    Value(String original, Double number) {
      this.original = original;
      this.number = number;
      this.normalized = number == null ? FacetValues.normalize(original) : null;
    }
  }

  /**
   * Sums and orders the facet distributions of several shard responses; null when none had one.
   * {@code _miroir_shard} is dropped.
   */
  static ObjectNode distribution(List<JsonNode> distributions, IndexSearchSettings settings) {
    return distribution(distributions, settings::facetOrder, settings.maxValuesPerFacet());
  }

  static ObjectNode distribution(
      List<JsonNode> distributions, Function<String, FacetOrder> orderOf, int maxValues) {
    TreeMap<String, Map<String, Value>> byFacet = new TreeMap<>(HitOrder::compareCodePoints);
    boolean any = false;
    for (JsonNode distribution : distributions) {
      if (distribution == null || !distribution.isObject()) {
        continue;
      }
      any = true;
      for (Iterator<Map.Entry<String, JsonNode>> facets = distribution.fields();
          facets.hasNext(); ) {
        Map.Entry<String, JsonNode> facet = facets.next();
        if (ShardStamp.isStamp(facet.getKey())) {
          continue;
        }
        Map<String, Value> values = byFacet.computeIfAbsent(facet.getKey(), f -> new LinkedHashMap<>());
        for (Iterator<Map.Entry<String, JsonNode>> it = facet.getValue().fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          Double number = FacetValues.numberOrNull(entry.getKey());
          String identity =
              number != null ? "n" + number : "s" + FacetValues.normalize(entry.getKey());
          values
              .computeIfAbsent(identity, id -> new Value(entry.getKey(), number))
              .count += entry.getValue().asLong();
        }
      }
    }
    if (!any) {
      return null;
    }
    ObjectNode merged = JSON.objectNode();
    byFacet.forEach(
        (facet, values) -> {
          ObjectNode out = merged.putObject(facet);
          for (Value value : ordered(values.values(), orderOf.apply(facet), maxValues)) {
            out.put(value.original, value.count);
          }
        });
    return merged;
  }

  private static List<Value> ordered(
      Iterable<Value> values, FacetOrder order, int maxValues) {
    List<Value> numbers = new ArrayList<>();
    List<Value> strings = new ArrayList<>();
    for (Value value : values) {
      (value.number != null ? numbers : strings).add(value);
    }
    Comparator<Value> byNumber = Comparator.comparingDouble(v -> v.number);
    Comparator<Value> byString = (a, b) -> HitOrder.compareCodePoints(a.normalized, b.normalized);
    if (order == FacetOrder.COUNT) {
      Comparator<Value> byCount = Comparator.comparingLong(v -> -v.count);
      numbers.sort(byCount.thenComparing(byNumber.reversed()));
      strings.sort(byCount.thenComparing(byString.reversed()));
    } else {
      numbers.sort(byNumber);
      strings.sort(byString);
    }
    List<Value> out = new ArrayList<>(Math.min(maxValues, numbers.size() + strings.size()));
    for (Value value : numbers) {
      if (out.size() == maxValues) {
        return out;
      }
      out.add(value);
    }
    for (Value value : strings) {
      if (out.size() == maxValues) {
        return out;
      }
      out.add(value);
    }
    return out;
  }

  /** min of mins and max of maxes per facet, facets in name order; null when none had stats. */
  static ObjectNode stats(List<JsonNode> statsList) {
    TreeMap<String, double[]> byFacet = new TreeMap<>(HitOrder::compareCodePoints);
    boolean any = false;
    for (JsonNode stats : statsList) {
      if (stats == null || !stats.isObject()) {
        continue;
      }
      any = true;
      for (Iterator<Map.Entry<String, JsonNode>> it = stats.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> facet = it.next();
        if (ShardStamp.isStamp(facet.getKey())) {
          continue;
        }
        double min = facet.getValue().path("min").asDouble();
        double max = facet.getValue().path("max").asDouble();
        byFacet.merge(
            facet.getKey(),
            new double[] {min, max},
            (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      }
    }
    if (!any) {
      return null;
    }
    ObjectNode merged = JSON.objectNode();
    byFacet.forEach(
        (facet, minMax) -> merged.putObject(facet).put("min", minMax[0]).put("max", minMax[1]));
    return merged;
  }

  /**
   * meilisearch {@code FederatedFacets::merge} ({@code mergeFacets}): the per-index distributions,
   * already merged over shards, summed by their exact key, then ordered per facet: alpha by key,
   * count by count descending (Meilisearch uses an unstable sort there; ties keep first-seen
   * order here), truncated to {@code maxValuesPerFacet} when given.
   */
  static ObjectNode mergeAcrossIndexes(
      List<JsonNode> distributions, Function<String, FacetOrder> orderOf, Integer maxValues) {
    TreeMap<String, LinkedHashMap<String, Long>> byFacet =
        new TreeMap<>(HitOrder::compareCodePoints);
    for (JsonNode distribution : distributions) {
      if (distribution == null) {
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> facets = distribution.fields();
          facets.hasNext(); ) {
        Map.Entry<String, JsonNode> facet = facets.next();
        LinkedHashMap<String, Long> values =
            byFacet.computeIfAbsent(facet.getKey(), f -> new LinkedHashMap<>());
        facet.getValue().fields().forEachRemaining(v -> values.merge(v.getKey(), v.getValue().asLong(), Long::sum));
      }
    }
    ObjectNode merged = JSON.objectNode();
    byFacet.forEach(
        (facet, values) -> {
          List<Map.Entry<String, Long>> entries = new ArrayList<>(values.entrySet());
          if (orderOf.apply(facet) == FacetOrder.COUNT) {
            entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
          } else {
            entries.sort((a, b) -> HitOrder.compareCodePoints(a.getKey(), b.getKey()));
          }
          ObjectNode out = merged.putObject(facet);
          int limit = maxValues == null ? Integer.MAX_VALUE : maxValues;
          for (int i = 0; i < entries.size() && i < limit; i++) {
            out.put(entries.get(i).getKey(), entries.get(i).getValue());
          }
        });
    return merged;
  }
}
