package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * The harness's HTTP client, the same for every system measured: HTTP/1.1 with keep-alive, bodies
 * prepared as bytes before the clock starts.
 */
final class Http {

  record Answer(int status, byte[] body) {

    JsonNode json() {
      try {
        return Corpus.JSON.readTree(body);
      } catch (IOException e) {
        return Corpus.JSON.getNodeFactory().textNode(new String(body, java.nio.charset.StandardCharsets.UTF_8));
      }
    }

    String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .executor(Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-http");
        t.setDaemon(true);
        return t;
      }))
      .build();
  private final String authorization;

  Http(String masterKey) {
    this.authorization = "Bearer " + masterKey;
  }

  private HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
        .header("Authorization", authorization);
  }

  Answer send(String method, String url, byte[] body) {
    try {
      return sendAsync(method, url, body).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(method + " " + url + ": " + e.getCause(), e.getCause());
    }
  }

  CompletableFuture<Answer> sendAsync(String method, String url, byte[] body) {
    HttpRequest.Builder b = request(url);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(r -> new Answer(r.statusCode(), r.body()));
  }

  Answer get(String url) {
    return send("GET", url, null);
  }

  Answer post(String url, Object json) {
    return send("POST", url, bytes(json));
  }

  Answer patch(String url, Object json) {
    return send("PATCH", url, bytes(json));
  }

  static byte[] bytes(Object json) {
    try {
      return json instanceof byte[] raw ? raw : Corpus.JSON.writeValueAsBytes(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until a task (a node's or a router's, same shape) has succeeded; fails on failure. */
  void awaitTask(String baseUrl, long uid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = 5;
    while (true) {
      Answer a = get(baseUrl + "/tasks/" + uid);
      String status = a.json().path("status").asText();
      if (status.equals("succeeded")) {
        return;
      }
      if (status.equals("failed") || status.equals("canceled")) {
        throw new IllegalStateException("task " + uid + " at " + baseUrl + " " + status + ": " + a.text());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("task " + uid + " at " + baseUrl + " not done in " + timeout + ": " + a.text());
      }
      sleepQuietly(sleep);
      sleep = Math.min(100, sleep * 2);
    }
  }

  static long taskUid(Answer a) {
    JsonNode uid = a.json().get("taskUid");
    if (a.status() != 202 || uid == null) {
      throw new IllegalStateException("not a task answer: " + a.status() + " " + a.text());
    }
    return uid.asLong();
  }

  static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
