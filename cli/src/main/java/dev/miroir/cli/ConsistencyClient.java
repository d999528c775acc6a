package dev.miroir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The router calls {@code verify} and {@code repair} make. */
final class ConsistencyClient {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A router answer that was not 2xx: its status and Meilisearch-shaped message. */
  static final class RouterError extends Exception {
    RouterError(String message) {
      super(message);
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final RouterTarget.Resolved target;

  ConsistencyClient(RouterTarget.Resolved target) {
    this.target = target;
  }

  /** Every index the router lists. */
  List<String> indexes() throws IOException, InterruptedException, RouterError {
    List<String> uids = new ArrayList<>();
    for (JsonNode index : call("GET", "/indexes?limit=100000").path("results")) {
      uids.add(index.path("uid").asText());
    }
    return uids;
  }

  JsonNode verify(String uid) throws IOException, InterruptedException, RouterError {
    return call("GET", "/_miroir/indexes/" + segment(uid) + "/consistency");
  }

  JsonNode repair(String uid) throws IOException, InterruptedException, RouterError {
    return call("POST", "/_miroir/indexes/" + segment(uid) + "/consistency");
  }

  private JsonNode call(String method, String path) throws IOException, InterruptedException, RouterError {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target.url() + path))
        // A repair of a large shard waits for node tasks; let the router decide when it failed.
        .timeout(Duration.ofMinutes(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (target.masterKey() != null) {
      b.header("Authorization", "Bearer " + target.masterKey());
    }
    HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    if (response.statusCode() / 100 != 2) {
      throw new RouterError(method + " " + path + " answered " + response.statusCode() + ": "
          + body.path("message").asText(response.body()));
    }
    return body;
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
