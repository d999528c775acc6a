package dev.miroir.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRUD mock server has no {@code /scale} subresource; this adds it for MeiliCluster exactly as
 * the CRD declares it (spec.replicas, status.replicas, status.selector), so tests can scale the way
 * {@code kubectl scale} and a HorizontalPodAutoscaler do: through autoscaling/v1 Scale objects.
 */
public final class ScaleSubresourceDispatcher extends KubernetesCrudDispatcher {

  private static final Pattern SCALE =
      Pattern.compile("^(/apis/miroir\\.dev/v1alpha1/namespaces/[^/]+/meiliclusters/[^/?]+)/scale(\\?.*)?$");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Matcher m = SCALE.matcher(request.getPath());
    if (!m.matches()) {
      return super.dispatch(request);
    }
    String resourcePath = m.group(1);
    try {
      MockResponse current = handleGet(resourcePath);
      if (current.code() != 200) {
        return current;
      }
      ObjectNode cluster = (ObjectNode) JSON.readTree(current.getBody().readUtf8());
      String method = request.getMethod();
      if ("GET".equals(method)) {
        return ok(scaleOf(cluster));
      }
      JsonNode body = JSON.readTree(request.getUtf8Body());
      Integer replicas = null;
      if (body.isArray()) { // JSON patch
        for (JsonNode op : body) {
          if ("/spec/replicas".equals(op.path("path").asText())) {
            replicas = op.path("value").asInt();
          }
        }
      } else if (body.path("spec").has("replicas")) {
        replicas = body.path("spec").path("replicas").asInt();
      }
      if (replicas == null) {
        return new MockResponse().setResponseCode(422).setBody("{\"kind\":\"Status\",\"message\":\"spec.replicas required\"}");
      }
      ((ObjectNode) cluster.with("spec")).put("replicas", replicas);
      RecordedRequest put = new RecordedRequest("HTTP/1.1", HttpMethod.PUT, resourcePath,
          Headers.builder().build(), new Buffer(JSON.writeValueAsBytes(cluster)));
      MockResponse updated = handleUpdate(put);
      if (updated.code() >= 300) {
        return updated;
      }
      return ok(scaleOf((ObjectNode) JSON.readTree(updated.getBody().readUtf8())));
    } catch (java.io.IOException e) {
      return new MockResponse().setResponseCode(500).setBody(e.toString());
    }
  }

  private static ObjectNode scaleOf(ObjectNode cluster) {
    ObjectNode scale = JSON.createObjectNode();
    scale.put("apiVersion", "autoscaling/v1");
    scale.put("kind", "Scale");
    ObjectNode meta = scale.putObject("metadata");
    meta.set("name", cluster.path("metadata").path("name"));
    meta.set("namespace", cluster.path("metadata").path("namespace"));
    meta.set("resourceVersion", cluster.path("metadata").path("resourceVersion"));
    scale.putObject("spec").put("replicas", cluster.path("spec").path("replicas").asInt());
    ObjectNode status = scale.putObject("status");
    status.put("replicas", cluster.path("status").path("replicas").asInt(0));
    if (cluster.path("status").has("selector")) {
      status.put("selector", cluster.path("status").path("selector").asText());
    }
    return scale;
  }

  private static MockResponse ok(JsonNode body) throws java.io.IOException {
    return new MockResponse().setResponseCode(200).setBody(JSON.writeValueAsString(body));
  }
}
