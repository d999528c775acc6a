package dev.miroir.router.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.miroir.router.http.Fleet.NodeCall;
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
          IndexSearchSettings settings = IndexSearchSettings.of(reply.json());
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
}
