package dev.miroir.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.search.FacetOrder;
import dev.miroir.router.search.IndexSearchSettings;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings the merge needs ({@link IndexSearchSettings}), read from one node with the master
 * key and kept briefly, so a search costs no extra round trip.
 *
 * <p>Settings written through the router invalidate the entry when the write arrives and again
 * when it is answered. Nodes apply a settings change asynchronously, each at its own pace, so a
 * search in between may still read and keep the old values: the short lifetime bounds that
 * staleness to {@link #TTL} after the last node has applied the change (during the change the
 * nodes themselves disagree anyway).
 */
final class SearchSettingsCache {

  static final Duration TTL = Duration.ofSeconds(2);

  private final Cache<String, IndexSearchSettings> cache =
      Caffeine.newBuilder().expireAfterWrite(TTL).maximumSize(10_000).build();
  private final Fleet fleet;

  SearchSettingsCache(Fleet fleet) {
    this.fleet = fleet;
  }

  /** The index's settings; Meilisearch's defaults when no node knows the index (its search fails anyway). */
  Future<IndexSearchSettings> get(RoutingSnapshot s, String index) {
    IndexSearchSettings cached = cache.getIfPresent(index);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return fleet.askOne(s, new NodeCall(HttpMethod.GET, "/indexes/" + Endpoints.segment(index) + "/settings",
            null, null, fleet.masterAuthorization()))
        .map(reply -> {
          if (!reply.isSuccess()) {
            return IndexSearchSettings.defaults();
          }
          IndexSearchSettings settings = parse(reply.json());
          cache.put(index, settings);
          return settings;
        });
  }

  Future<Map<String, IndexSearchSettings>> getAll(RoutingSnapshot s, Iterable<String> indexes) {
    Map<String, Future<IndexSearchSettings>> pending = new HashMap<>();
    indexes.forEach(index -> pending.computeIfAbsent(index, i -> get(s, i)));
    return Future.all(new java.util.ArrayList<>(pending.values())).map(done -> {
      Map<String, IndexSearchSettings> out = new HashMap<>();
      pending.forEach((index, f) -> out.put(index, f.result()));
      return out;
    });
  }

  void invalidate(String index) {
    cache.invalidate(index);
  }

  void invalidateAll() {
    cache.invalidateAll();
  }

  /** {@code GET /indexes/{uid}/settings} to what the merge needs. */
  static IndexSearchSettings parse(JsonNode settings) {
    JsonNode maxTotalHits = settings.path("pagination").path("maxTotalHits");
    JsonNode maxValues = settings.path("faceting").path("maxValuesPerFacet");
    Map<String, FacetOrder> orders = new HashMap<>();
    settings.path("faceting").path("sortFacetValuesBy").fields()
        .forEachRemaining(e -> orders.put(e.getKey(), FacetOrder.of(e.getValue().asText())));
    JsonNode distinct = settings.get("distinctAttribute");
    JsonNode rules = settings.get("rankingRules");
    boolean placeholderRanked = rules == null || !rules.isArray();
    if (!placeholderRanked) {
      for (JsonNode rule : rules) {
        // Custom rules (`rating:desc`) rank placeholder searches; the built-in ones do not.
        placeholderRanked |= !rule.isTextual() || rule.textValue().contains(":");
      }
    }
    return new IndexSearchSettings(
        maxTotalHits.isIntegralNumber() ? (int) Math.min(Integer.MAX_VALUE, maxTotalHits.longValue())
            : IndexSearchSettings.DEFAULT_MAX_TOTAL_HITS,
        maxValues.isIntegralNumber() ? (int) Math.min(Integer.MAX_VALUE, maxValues.longValue())
            : IndexSearchSettings.DEFAULT_MAX_VALUES_PER_FACET,
        orders,
        distinct == null || distinct.isNull() ? null : distinct.asText(),
        placeholderRanked);
  }
}
