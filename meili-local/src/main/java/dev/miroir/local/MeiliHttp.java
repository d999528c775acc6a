package dev.miroir.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Minimal JSON client for one Meilisearch node, for tests and local orchestration (not for the
 * router's data path). Every request carries {@code Authorization: Bearer <key>} when a key is set.
 */
public final class MeiliHttp {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    // Shared: each HttpClient owns a selector thread, and tests create many MeiliHttp instances.
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final URI baseUrl;
    private final String apiKey;
    private final Duration requestTimeout;

    public MeiliHttp(URI baseUrl, String apiKey) {
        this(baseUrl, apiKey, Duration.ofSeconds(30));
    }

    /** @param apiKey may be {@code null} to send no Authorization header */
    public MeiliHttp(URI baseUrl, String apiKey, Duration requestTimeout) {
        this.baseUrl = Objects.requireNonNull(baseUrl);
        this.apiKey = apiKey;
        this.requestTimeout = Objects.requireNonNull(requestTimeout);
    }

    /** Same node, different key (e.g. to check that a tenant key is rejected). */
    public MeiliHttp withKey(String otherKey) {
        return new MeiliHttp(baseUrl, otherKey, requestTimeout);
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Status plus parsed body ({@link MissingNode} when the body is empty, a text node if not JSON). */
    public record Response(int status, JsonNode body) {

        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        public Response requireSuccess() {
            if (!isSuccess()) {
                throw new MeilisearchLocalException("HTTP " + status + ": " + body);
            }
            return this;
        }

        /** {@code taskUid} of an asynchronous operation's 202 answer. */
        public long taskUid() {
            JsonNode uid = body.get("taskUid");
            if (uid == null || !uid.canConvertToLong()) {
                throw new MeilisearchLocalException("Not a task answer (HTTP " + status + "): " + body);
            }
            return uid.asLong();
        }
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response delete(String path, Object jsonBody) {
        return send("DELETE", path, jsonBody);
    }

    public Response post(String path, Object jsonBody) {
        return send("POST", path, jsonBody);
    }

    public Response put(String path, Object jsonBody) {
        return send("PUT", path, jsonBody);
    }

    public Response patch(String path, Object jsonBody) {
        return send("PATCH", path, jsonBody);
    }

    /**
     * @param jsonBody {@code null} for none; a {@link String} is sent as-is (already JSON); anything else
     *     is serialised with Jackson
     */
    public Response send(String method, String path, Object jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(path)).timeout(requestTimeout);
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        if (jsonBody == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(toJson(jsonBody)));
        }
        try {
            HttpResponse<String> resp = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(resp.statusCode(), parse(resp.body()));
        } catch (IOException e) {
            throw new MeilisearchLocalException(method + " " + path + " on " + baseUrl + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeilisearchLocalException("Interrupted during " + method + " " + path, e);
        }
    }

    /**
     * Polls {@code /tasks/{uid}} until the task is succeeded, failed or canceled and returns it; failing
     * tasks are returned, not thrown, so callers can assert on the error.
     */
    public JsonNode awaitTask(long taskUid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 10;
        JsonNode task = MissingNode.getInstance();
        while (true) {
            Response r = get("/tasks/" + taskUid).requireSuccess();
            task = r.body();
            String status = task.path("status").asText();
            if (status.equals("succeeded") || status.equals("failed") || status.equals("canceled")) {
                return task;
            }
            if (System.nanoTime() > deadline) {
                throw new MeilisearchLocalException("Task " + taskUid + " on " + baseUrl + " still '" + status
                        + "' after " + timeout + ": " + task);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeilisearchLocalException("Interrupted while waiting for task " + taskUid, e);
            }
            pause = Math.min(pause * 2, 250);
        }
    }

    /** Like {@link #awaitTask} but throws, with Meilisearch's error, unless the task succeeded. */
    public JsonNode awaitTaskSucceeded(long taskUid, Duration timeout) {
        JsonNode task = awaitTask(taskUid, timeout);
        if (!"succeeded".equals(task.path("status").asText())) {
            throw new MeilisearchLocalException("Task " + taskUid + " on " + baseUrl + " ended "
                    + task.path("status").asText() + ": " + task.path("error"));
        }
        return task;
    }

    private URI resolve(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        return URI.create(baseUrl.toString().replaceAll("/+$", "") + p);
    }

    private static String toJson(Object body) {
        if (body instanceof String s) {
            return s;
        }
        try {
            return MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot serialise request body of type " + body.getClass(), e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(body);
        }
    }
}
