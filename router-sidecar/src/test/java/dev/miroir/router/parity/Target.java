package dev.miroir.router.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.miroir.local.MeiliHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/** One side of a differential comparison: a real node, or a router over real nodes. Raw HTTP. */
public final class Target {

  /**
   * Replaced after every refused request that carried a body. Meilisearch (actix-web) may answer such a
   * request (a 415 for its content type, a 400 for a query parameter) before reading the body, and
   * keeps the connection open: the unread body then becomes the first bytes of the next request on
   * that connection, which never gets an answer. A fresh client leaves that connection unused. (The
   * router closes the connection in that case; see admission/AdmissionHandler#refuse.)
   */
  private volatile HttpClient client = newClient();

  private static HttpClient newClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Status, raw body and the body parsed (MissingNode when empty or not JSON). */
  public record Answer(int status, String body, JsonNode json) {}

  public final String name;
  public final String url;
  public final String masterKey;

  public Target(String name, String url, String masterKey) {
    this.name = name;
    this.url = url;
    this.masterKey = masterKey;
  }

  public MeiliHttp http() {
    return new MeiliHttp(URI.create(url), masterKey);
  }

  public Answer call(String method, String path, String contentType, String body) {
    return call(method, path, contentType, body, masterKey);
  }

  public Answer call(String method, String path, String contentType, String body, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (body != null && r.statusCode() >= 400) {
        client = newClient();
      }
      JsonNode json;
      try {
        json = r.body().isEmpty() ? MissingNode.getInstance() : MeiliHttp.mapper().readTree(r.body());
      } catch (Exception e) {
        json = MissingNode.getInstance();
      }
      return new Answer(r.statusCode(), r.body(), json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polls a task until it is finished. */
  public JsonNode awaitTask(long uid) {
    Instant deadline = Instant.now().plusSeconds(90);
    while (true) {
      Answer a = call("GET", "/tasks/" + uid, null, null);
      String status = a.json().path("status").asText();
      if (status.equals("succeeded") || status.equals("failed") || status.equals("canceled")) {
        return a.json();
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(name + ": task " + uid + " not finished: " + a.body());
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
