package dev.miroir.operator.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.miroir.operator.model.ApiKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link NodeAdmin} over Meilisearch's HTTP API with the JDK client. */
public final class HttpNodeAdmin implements NodeAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(HttpNodeAdmin.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final Duration timeout;

  public HttpNodeAdmin(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .build();
  }

  @Override
  public OptionalLong documentCount(String url, String masterKey) {
    try {
      HttpResponse<String> response = send(url, "GET", "/stats", masterKey, null);
      if (response.statusCode() != 200) {
        LOG.info("GET /stats on {} answered HTTP {}", url, response.statusCode());
        return OptionalLong.empty();
      }
      // Documents still in the task queue are documents: a node that has them enqueued is not empty.
      HttpResponse<String> pending = send(url, "GET", "/tasks?statuses=enqueued,processing&limit=1", masterKey, null);
      if (pending.statusCode() != 200 || JSON.readTree(pending.body()).path("results").size() > 0) {
        LOG.info("{} has tasks in its queue (or did not say): document count unknown", url);
        return OptionalLong.empty();
      }
      long total = 0;
      JsonNode indexes = JSON.readTree(response.body()).path("indexes");
      for (Iterator<JsonNode> it = indexes.elements(); it.hasNext(); ) {
        total += it.next().path("numberOfDocuments").asLong(0);
      }
      return OptionalLong.of(total);
    } catch (IOException e) {
      LOG.info("GET /stats on {} failed: {}", url, e.getClass().getSimpleName());
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  @Override
  public boolean ensureKey(String url, String masterKey, ApiKeys.KeySpec key) {
    try {
      HttpResponse<String> existing = send(url, "GET", "/keys/" + key.uid(), masterKey, null);
      if (existing.statusCode() == 200) {
        return true;
      }
      if (existing.statusCode() != 404) {
        LOG.info("GET /keys/{} on {} answered HTTP {}", key.uid(), url, existing.statusCode());
        return false;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("uid", key.uid());
      body.put("name", key.name());
      body.put("description", key.description());
      body.put("actions", key.actions());
      body.put("indexes", java.util.List.of("*"));
      body.put("expiresAt", null);
      HttpResponse<String> created = send(url, "POST", "/keys", masterKey, JSON.writeValueAsString(body));
      if (created.statusCode() == 201) {
        LOG.info("created {} key {} on {}", key.role(), key.uid(), url);
        return true;
      }
      // The body of an error names the invalid field; it never echoes the key value.
      LOG.warn("POST /keys on {} answered HTTP {}: {}", url, created.statusCode(), created.body());
      return false;
    } catch (IOException e) {
      LOG.info("key provisioning on {} failed: {}", url, e.getClass().getSimpleName());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpResponse<String> send(String url, String method, String path, String key, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + key);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
