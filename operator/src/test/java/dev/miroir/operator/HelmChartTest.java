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
    assertLeastPrivilege(role.path("rules"));
  }

  @Test
  void withWatchNamespacesTheNamespacedRightsAreRolesInThoseNamespaces() throws Exception {
    List<JsonNode> docs = render(chart.template().withName("miroir").withNamespace("miroir-system")
        .set("watchNamespaces[0]", "search").set("watchNamespaces[1]", "staging").call());
    JsonNode clusterRole = docs.stream().filter(d -> d.path("kind").asText().equals("ClusterRole")).findFirst().orElseThrow();
    List<String> clusterScoped = new ArrayList<>();
    clusterRole.path("rules").forEach(rule -> rule.path("resources").forEach(r -> clusterScoped.add(r.asText())));
    assertThat(clusterScoped).containsExactly("storageclasses");
    List<JsonNode> roles = docs.stream().filter(d -> d.path("kind").asText().equals("Role")
        && !d.at("/metadata/name").asText().endsWith("leader-election")).toList();
    assertThat(roles).extracting(r -> r.at("/metadata/namespace").asText()).containsExactlyInAnyOrder("search", "staging");
    roles.forEach(r -> assertLeastPrivilege(r.path("rules")));
    assertThat(docs.stream().filter(d -> d.path("kind").asText().equals("RoleBinding"))
        .map(d -> d.at("/metadata/namespace").asText())).contains("search", "staging");
  }

  @Test
  void grafanaDashboardCoversEveryDomainMetric() throws Exception {
    List<JsonNode> docs = render(chart.template().withName("miroir").withNamespace("miroir-system")
        .set("grafanaDashboard.enabled", "true").call());
    JsonNode cm = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")).findFirst().orElseThrow();
    assertThat(cm.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    JsonNode dashboard = new ObjectMapper().readTree(cm.at("/data/miroir-operator.json").asText());
    List<String> exprs = dashboard.path("panels").findValuesAsText("expr");
    for (String metric : List.of("miroir_topology_epoch", "miroir_nodes{", "miroir_nodes_ready", "miroir_nodes_outdated",
        "miroir_shard_moves", "miroir_node_documents", "miroir_replica_divergent_shards", "miroir_reconcile_errors_total")) {
      assertThat(exprs).as("a panel for %s", metric).anySatisfy(e -> assertThat(e).contains(metric));
    }
    assertThat(render(chart.template().withName("miroir").withNamespace("miroir-system").call()))
        .noneMatch(d -> d.path("kind").asText().equals("ConfigMap"));
  }

  /** Secrets: get/create/update only, never list or watch; finalizers of our kinds updatable. */
  private static void assertLeastPrivilege(JsonNode rules) {
    List<String> secretVerbs = new ArrayList<>();
    boolean finalizers = false;
    for (JsonNode rule : rules) {
      rule.path("resources").forEach(r -> {
        if (r.asText().equals("secrets")) {
          rule.path("verbs").forEach(v -> secretVerbs.add(v.asText()));
        }
      });
      if (rule.path("resources").toString().contains("meiliclusters/finalizers")
          && rule.path("verbs").toString().contains("update")) {
        finalizers = true;
      }
    }
    assertThat(secretVerbs).containsExactlyInAnyOrder("get", "create", "update");
    assertThat(finalizers).as("meiliclusters/finalizers update").isTrue();
  }

  private static List<JsonNode> render(String rendered) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    ObjectMapper yaml = new YAMLMapper();
    try (var parser = new YAMLFactory().createParser(rendered)) {
      yaml.readValues(parser, JsonNode.class).forEachRemaining(d -> {
        if (d != null && !d.isEmpty()) {
          docs.add(d);
        }
      });
    }
    return docs;
  }

  @Test
  void argoCdHealthCheckIsInTheValues() throws Exception {
    JsonNode values = new YAMLMapper().readTree(Repo.path("helm/miroir-operator/values.yaml").toFile());
    assertThat(values.path("argocdHealthCheck").asText()).contains("hs.status = \"Healthy\"", "Degraded");
  }
}
