package dev.miroir.operator.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.DefaultKeys;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchLocalException;
import dev.miroir.operator.model.ApiKeys;
import dev.miroir.operator.model.ReplicaConsistency;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeAdmin} over Meilisearch's HTTP API through meili-local's {@link MeiliHttp}, the one
 * blocking Meilisearch client of the operator, the CLI and local mode. A call that fails is an empty
 * answer or {@code false}, logged with the URL and the failure, never with a key.
 */
public final class HttpNodeAdmin implements NodeAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(HttpNodeAdmin.class);

  private final Duration timeout;

  public HttpNodeAdmin(Duration timeout) {
    this.timeout = timeout;
  }

  private MeiliHttp node(String url, String key) {
    return new MeiliHttp(URI.create(url), key, timeout);
  }

  @Override
  public OptionalLong documentCount(String url, String masterKey) {
    MeiliHttp node = node(url, masterKey);
    try {
      MeiliHttp.Response stats = node.get("/stats");
      if (!stats.isSuccess()) {
        LOG.info("GET /stats on {} answered HTTP {}", url, stats.status());
        return OptionalLong.empty();
      }
      // Documents still in the task queue are documents: a node that has them enqueued is not empty.
      MeiliHttp.Response pending = node.get("/tasks?statuses=enqueued,processing&limit=1");
      if (!pending.isSuccess() || pending.body().path("results").size() > 0) {
        LOG.info("{} has tasks in its queue (or did not say): document count unknown", url);
        return OptionalLong.empty();
      }
      long total = 0;
      for (JsonNode index : stats.body().path("indexes")) {
        total += index.path("numberOfDocuments").asLong(0);
      }
      return OptionalLong.of(total);
    } catch (MeilisearchLocalException e) {
      LOG.info("GET /stats on {} failed: {}", url, e.getMessage());
      return OptionalLong.empty();
    }
  }

  @Override
  public Optional<Boolean> keysPresent(String url, String masterKey, List<ApiKeys.KeySpec> keys) {
    MeiliHttp node = node(url, masterKey);
    try {
      for (ApiKeys.KeySpec key : keys) {
        MeiliHttp.Response r = node.get("/keys/" + key.uid());
        if (r.status() == 404) {
          return Optional.of(false);
        }
        if (!r.isSuccess()) {
          return Optional.empty();
        }
      }
      return Optional.of(true);
    } catch (MeilisearchLocalException e) {
      LOG.info("GET /keys on {} failed: {}", url, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public boolean ensureKeys(String url, String masterKey, List<ApiKeys.KeySpec> keys) {
    MeiliHttp node = node(url, masterKey);
    try {
      MeiliHttp.Response list = node.get("/keys?limit=1000");
      if (!list.isSuccess()) {
        LOG.info("GET /keys on {} answered HTTP {}", url, list.status());
        return false;
      }
      Set<String> uids = new HashSet<>();
      list.body().path("results").forEach(k -> uids.add(k.path("uid").asText()));
      boolean all = true;
      for (ApiKeys.KeySpec key : keys) {
        if (!uids.contains(key.uid())) {
          all &= create(node, url, key);
        }
      }
      DefaultKeys.ensure(node);
      return all;
    } catch (MeilisearchLocalException e) {
      // Meilisearch's error bodies name the invalid field; they never echo a key's value.
      LOG.info("key provisioning on {} failed: {}", url, e.getMessage());
      return false;
    }
  }

  private static boolean create(MeiliHttp node, String url, ApiKeys.KeySpec key) {
    MeiliHttp.Response created = DefaultKeys.create(node, key.uid(), key.name(), key.description(), key.actions());
    if (created.isSuccess()) {
      LOG.info("created {} key {} on {}", key.role(), key.uid(), url);
      return true;
    }
    LOG.warn("POST /keys on {} answered HTTP {}: {}", url, created.status(), created.body().path("message").asText());
    return false;
  }

  @Override
  public Optional<ReplicaConsistency> replicaConsistency(String routerUrl, String routerKey) {
    try {
      MeiliHttp.Response report = node(routerUrl, routerKey).get("/_miroir/consistency");
      if (!report.isSuccess()) {
        LOG.info("GET /_miroir/consistency on {} answered HTTP {}", routerUrl, report.status());
        return Optional.empty();
      }
      return Optional.of(ReplicaConsistency.fromReport(report.body()));
    } catch (MeilisearchLocalException e) {
      LOG.info("GET /_miroir/consistency on {} failed: {}", routerUrl, e.getMessage());
      return Optional.empty();
    }
  }
}
