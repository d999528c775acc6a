package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.operator.testing.CrdValidator;
import dev.miroir.operator.testing.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRDs as users get them: kept in sync with the Java model, carrying the subresources and
 * columns, and rejecting what the API server must reject.
 */
class CrdTest {

  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  private static final String CLUSTER_CRD = "meiliclusters.miroir.dev-v1.yml";
  private static final String NODE_CRD = "meilinodes.miroir.dev-v1.yml";

  private final CrdValidator validator = new CrdValidator(Repo.path("crds/" + CLUSTER_CRD));

  @Test
  void crdsDirectoryAndChartMatchTheBuildOutput() throws IOException {
    for (String crd : List.of(CLUSTER_CRD, NODE_CRD)) {
      String generated = Files.readString(GENERATED.resolve(crd));
      assertThat(Files.readString(Repo.path("crds/" + crd)))
          .as("crds/%s is stale: copy operator/target/classes/META-INF/fabric8/%s to crds/ and helm/miroir-operator/crds/", crd, crd)
          .isEqualTo(generated);
      assertThat(Files.readString(Repo.path("helm/miroir-operator/crds/" + crd)))
          .as("helm/miroir-operator/crds/%s is stale", crd).isEqualTo(generated);
    }
    try (Stream<Path> files = Files.list(Repo.path("crds"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(CLUSTER_CRD, NODE_CRD);
    }
  }

  @Test
  void meiliClusterHasScaleAndStatusSubresourcesShortNameAndPrinterColumns() {
    JsonNode crd = CrdValidator.readYaml(Repo.path("crds/" + CLUSTER_CRD));
    assertThat(crd.at("/spec/group").asText()).isEqualTo("miroir.dev");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("mc");
    JsonNode version = crd.at("/spec/versions/0");
    assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.at("/subresources/status").isObject()).isTrue();
    assertThat(version.at("/subresources/scale/specReplicasPath").asText()).isEqualTo(".spec.replicas");
    assertThat(version.at("/subresources/scale/statusReplicasPath").asText()).isEqualTo(".status.replicas");
    assertThat(version.at("/subresources/scale/labelSelectorPath").asText()).isEqualTo(".status.selector");
    // kubectl get mc shows NAME NODES RF SHARDS PHASE MOVES AGE (Epoch with -o wide), as documented.
    assertThat(version.path("additionalPrinterColumns").findValuesAsText("name"))
        .containsExactly("Nodes", "RF", "Shards", "Phase", "Moves", "Epoch", "Age");
    JsonNode conditions = version.at("/schema/openAPIV3Schema/properties/status/properties/conditions");
    assertThat(conditions.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(conditions.path("x-kubernetes-list-map-keys").findValuesAsText("type")).isEmpty();
    assertThat(conditions.path("x-kubernetes-list-map-keys").get(0).asText()).isEqualTo("type");
    assertThat(conditions.at("/items/required").toString()).contains("\"type\"");
    JsonNode node = CrdValidator.readYaml(Repo.path("crds/" + NODE_CRD));
    assertThat(node.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    assertThat(node.at("/spec/versions/0/additionalPrinterColumns").findValuesAsText("name"))
        .contains("Phase", "Ready", "Shards");
  }

  @Test
  void samplesAreValid() {
    assertThat(validator.validateCreate(sample("minimal"))).isEmpty();
    assertThat(validator.validateCreate(sample("ha"))).isEmpty();
  }

  @Test
  void replicationFactorZeroIsRejected() {
    assertThat(validator.validateCreate(withSpec("replicationFactor", 0))).isNotEmpty();
  }

  @Test
  void replicationFactorAboveReplicasIsRejectedByCel() {
    assertThat(validator.validateCreate(withSpec("replicationFactor", 4)))
        .anySatisfy(e -> assertThat(e).contains("replicationFactor must not exceed replicas"));
  }

  @Test
  void negativeZeroAndHugeShardCountsAreRejected() {
    assertThat(validator.validateCreate(withSpec("shards", -1))).isNotEmpty();
    assertThat(validator.validateCreate(withSpec("shards", 0))).isNotEmpty();
    assertThat(validator.validateCreate(withSpec("shards", 5000))).isNotEmpty();
  }

  @Test
  void changingShardsIsRejectedButOtherEditsAreNot() {
    JsonNode old = sample("minimal");
    assertThat(validator.validate(withSpec("shards", 32), old))
        .anySatisfy(e -> assertThat(e).contains("shards is immutable"));
    assertThat(validator.validate(withSpec("replicas", 5), old)).isEmpty();
  }

  @Test
  void missingReplicasIsRejected() {
    ObjectNode manifest = (ObjectNode) sample("minimal");
    ((ObjectNode) manifest.get("spec")).remove("replicas");
    assertThat(validator.validateCreate(manifest)).isNotEmpty();
  }

  @Test
  void clusterNamesMustBeShortDnsLabels() {
    assertThat(validator.validateCreate(named("a-fine-name"))).isEmpty();
    assertThat(validator.validateCreate(named("x".repeat(41))))
        .anySatisfy(e -> assertThat(e).contains("DNS-1035 label of at most 40"));
    assertThat(validator.validateCreate(named("Upper"))).isNotEmpty();
    assertThat(validator.validateCreate(named("9starts-with-digit"))).isNotEmpty();
    assertThat(validator.validateCreate(named("ends-with-dash-"))).isNotEmpty();
  }

  @Test
  void zonesAreImmutable() {
    JsonNode old = sample("ha");
    ObjectNode moved = (ObjectNode) sample("ha");
    ((ObjectNode) moved.at("/spec/zoneAwareness")).putArray("zones").add("zone-a").add("zone-b").add("zone-d");
    assertThat(validator.validate(moved, old)).anySatisfy(e -> assertThat(e).contains("zones are immutable"));
    ObjectNode scaled = (ObjectNode) sample("ha");
    ((ObjectNode) scaled.get("spec")).put("replicas", 9);
    assertThat(validator.validate(scaled, old)).isEmpty();
  }

  @Test
  void podTemplatesAreValidatedByTheSchema() {
    ObjectNode ok = (ObjectNode) sample("minimal");
    ObjectNode template = ((ObjectNode) ok.get("spec")).putObject("meilisearch").putObject("podTemplate");
    template.putObject("metadata").putObject("labels").put("team", "search");
    ObjectNode spec = template.putObject("spec");
    spec.putArray("tolerations").addObject().put("key", "dedicated").put("operator", "Equal").put("value", "search")
        .put("effect", "NoSchedule");
    spec.putObject("nodeSelector").put("pool", "search");
    spec.put("priorityClassName", "high");
    spec.putArray("imagePullSecrets").addObject().put("name", "regcred");
    spec.putArray("containers").addObject().put("name", "meilisearch").putObject("resources")
        .putObject("limits").put("memory", "8Gi");
    assertThat(validator.validateCreate(ok)).isEmpty();

    ObjectNode wrongType = ok.deepCopy();
    ((ObjectNode) wrongType.at("/spec/meilisearch/podTemplate/spec")).put("tolerations", "everything");
    assertThat(validator.validateCreate(wrongType)).isNotEmpty();
    ObjectNode badQuantity = ok.deepCopy();
    ((ObjectNode) badQuantity.at("/spec/meilisearch/podTemplate/spec")).putArray("containers").addObject()
        .put("name", "meilisearch").put("resources", "lots");
    assertThat(validator.validateCreate(badQuantity)).isNotEmpty();
  }

  private static JsonNode named(String name) {
    ObjectNode manifest = (ObjectNode) sample("minimal");
    ((ObjectNode) manifest.get("metadata")).put("name", name);
    return manifest;
  }

  private static JsonNode sample(String name) {
    return CrdValidator.readYaml(Repo.path("samples/" + name + ".yaml"));
  }

  private static JsonNode withSpec(String field, int value) {
    ObjectNode manifest = (ObjectNode) sample("minimal");
    ((ObjectNode) manifest.get("spec")).put(field, value);
    return manifest;
  }
}
