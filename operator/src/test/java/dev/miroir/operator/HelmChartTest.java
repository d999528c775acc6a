package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.miroir.operator.testing.Repo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chart lints and renders with default values (Helm runs in-process through helm-java). */
class HelmChartTest {

  private final Helm chart = new Helm(Repo.path("helm/miroir-operator"));

  @Test
  void lintsCleanly() {
    LintResult result = chart.lint().strict().call();
    assertThat(result.isFailed()).as("helm lint: %s", result.getMessages()).isFalse();
  }

  @Test
  void rendersWithDefaultValues() throws Exception {
    String rendered = chart.template().withName("miroir").withNamespace("miroir-system").call();
    List<JsonNode> docs = new ArrayList<>();
    ObjectMapper yaml = new YAMLMapper();
    try (var parser = new YAMLFactory().createParser(rendered)) {
      yaml.readValues(parser, JsonNode.class).forEachRemaining(d -> {
        if (d != null && !d.isEmpty()) {
          docs.add(d);
        }
      });
    }
    assertThat(docs).extracting(d -> d.path("kind").asText()).contains(
        "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service");
    JsonNode deployment = docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    assertThat(container.path("image").asText()).isEqualTo("ghcr.io/miroir-dev/miroir-operator:0.1.0");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    JsonNode role = docs.stream().filter(d -> d.path("kind").asText().equals("ClusterRole")).findFirst().orElseThrow();
    assertThat(role.path("rules").findValuesAsText("resources")).doesNotContain("*");
    assertThat(role.toString()).doesNotContain("\"*\"");
  }

  @Test
  void argoCdHealthCheckIsInTheValues() throws Exception {
    JsonNode values = new YAMLMapper().readTree(Repo.path("helm/miroir-operator/values.yaml").toFile());
    assertThat(values.path("argocdHealthCheck").asText()).contains("hs.status = \"Healthy\"", "Degraded");
  }
}
