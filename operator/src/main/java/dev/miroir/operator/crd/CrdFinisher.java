package dev.miroir.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finishes the CRDs the fabric8 generator writes (run by the build right after it, at
 * {@code process-classes}), for what its annotations cannot say:
 *
 * <ul>
 *   <li>printer columns in the order {@code kubectl get} should show them (the generator sorts them
 *       by JSON path);
 *   <li>{@code conditions} lists as {@code x-kubernetes-list-type: map} keyed by {@code type}, so
 *       that server-side apply and strategic merges treat a condition as one entry per type.
 * </ul>
 */
public final class CrdFinisher {

  /** kubectl get mc: NAME NODES RF SHARDS PHASE MOVES AGE (Epoch with -o wide). */
  static final List<String> CLUSTER_COLUMNS = List.of("Nodes", "RF", "Shards", "Phase", "Moves", "Epoch", "Age");
  static final List<String> NODE_COLUMNS = List.of("Cluster", "Zone", "Phase", "Ready", "Shards", "Age");

  private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.SPLIT_LINES));

  private CrdFinisher() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        JsonNode crd = YAML.readTree(file.toFile());
        finish(crd);
        YAML.writeValue(file.toFile(), crd);
      }
    }
  }

  static void finish(JsonNode crd) {
    String plural = crd.path("spec").path("names").path("plural").asText();
    List<String> order = "meiliclusters".equals(plural) ? CLUSTER_COLUMNS : NODE_COLUMNS;
    for (JsonNode version : crd.path("spec").path("versions")) {
      if (version.get("additionalPrinterColumns") instanceof ArrayNode columns) {
        List<JsonNode> sorted = new ArrayList<>();
        columns.forEach(sorted::add);
        sorted.sort((a, b) -> Integer.compare(rank(order, a), rank(order, b)));
        columns.removeAll();
        sorted.forEach(columns::add);
      }
      markConditionLists(version.path("schema").path("openAPIV3Schema"));
    }
  }

  private static int rank(List<String> order, JsonNode column) {
    int i = order.indexOf(column.path("name").asText());
    return i < 0 ? order.size() : i;
  }

  private static void markConditionLists(JsonNode schema) {
    JsonNode properties = schema.path("properties");
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      if ("conditions".equals(property.getKey()) && "array".equals(property.getValue().path("type").asText())
          && property.getValue() instanceof ObjectNode list) {
        list.put("x-kubernetes-list-type", "map");
        list.putArray("x-kubernetes-list-map-keys").add("type");
        if (list.path("items") instanceof ObjectNode items) {
          ArrayNode required = items.putArray("required");
          required.add("type").add("status");
        }
      } else {
        markConditionLists(property.getValue());
      }
    }
    if (schema.has("items")) {
      markConditionLists(schema.get("items"));
    }
  }
}
