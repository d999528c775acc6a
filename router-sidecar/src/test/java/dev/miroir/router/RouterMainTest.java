package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miroir.router.RouterMain.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment contract, in particular the one the operator's router Deployment sets. */
class RouterMainTest {

  @Test
  void operatorDeploymentContract() {
    Settings s = Settings.parse(Map.of(
        "MIROIR_CLUSTER", "demo",
        "MIROIR_TOPOLOGY_CONFIGMAP", "demo-topology",
        "MIROIR_NAMESPACE", "search",
        "MIROIR_HTTP_PORT", "7700",
        "MIROIR_NODE_API_KEY", "admin-key"));
    assertThat(s.configMapNamespace()).isEqualTo("search");
    assertThat(s.configMapName()).isEqualTo("demo-topology");
    assertThat(s.topologyFile()).isNull();
    assertThat(s.port()).isEqualTo(7700);
    assertThat(s.nodeApiKey()).isEqualTo("admin-key");
    assertThat(s.host()).isEqualTo("0.0.0.0");
    assertThat(s.maxPayloadBytes()).isEqualTo(RouterConfig.DEFAULT_MAX_PAYLOAD_BYTES);
    assertThat(s.nodeTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void taskStoreIsMemoryOrRedis() {
    Map<String, String> base = Map.of("MIROIR_TOPOLOGY_FILE", "/t.json", "MIROIR_NODE_API_KEY", "k");
    assertThat(Settings.parse(base).taskStore()).isNull();
    java.util.HashMap<String, String> redis = new java.util.HashMap<>(base);
    redis.put("MIROIR_TASK_STORE", "redis://:secret@127.0.0.1:6379");
    Settings s = Settings.parse(redis);
    assertThat(s.taskStore()).isEqualTo("redis://:secret@127.0.0.1:6379");
    assertThat(s.toString()).contains("redis://***@127.0.0.1:6379").doesNotContain("secret");
    redis.put("MIROIR_TASK_STORE", "mysql://x");
    assertThatThrownBy(() -> Settings.parse(redis)).hasMessageContaining("MIROIR_TASK_STORE");
  }

  @Test
  void olderNamesStillWork() {
    Settings s = Settings.parse(Map.of(
        "MIROIR_TOPOLOGY_CONFIGMAP", "search/demo-topology",
        "MIROIR_PORT", "8123",
        "MIROIR_MASTER_KEY", "master"));
    assertThat(s.configMapNamespace()).isEqualTo("search");
    assertThat(s.configMapName()).isEqualTo("demo-topology");
    assertThat(s.port()).isEqualTo(8123);
    assertThat(s.nodeApiKey()).isEqualTo("master");
  }

  @Test
  void nodeApiKeyAndHttpPortWinOverTheOlderNames() {
    Settings s = Settings.parse(Map.of(
        "MIROIR_TOPOLOGY_FILE", "/etc/miroir/topology.json",
        "MIROIR_NODE_API_KEY", "admin",
        "MIROIR_MASTER_KEY", "master",
        "MIROIR_HTTP_PORT", "9000",
        "MIROIR_PORT", "9001"));
    assertThat(s.nodeApiKey()).isEqualTo("admin");
    assertThat(s.port()).isEqualTo(9000);
    assertThat(s.topologyFile()).isEqualTo(Path.of("/etc/miroir/topology.json"));
  }

  @Test
  void blankValuesCountAsUnset() {
    Settings s = Settings.parse(Map.of(
        "MIROIR_TOPOLOGY_FILE", "t.json",
        "MIROIR_NODE_API_KEY", " ",
        "MIROIR_MASTER_KEY", "master",
        "MIROIR_HTTP_PORT", "",
        "MIROIR_PORT", "7800"));
    assertThat(s.nodeApiKey()).isEqualTo("master");
    assertThat(s.port()).isEqualTo(7800);
  }

  @Test
  void tuning() {
    Settings s = Settings.parse(Map.of(
        "MIROIR_TOPOLOGY_FILE", "t.json",
        "MIROIR_NODE_API_KEY", "k",
        "MIROIR_HOST", "127.0.0.1",
        "MIROIR_MAX_PAYLOAD_BYTES", "1000",
        "MIROIR_NODE_TIMEOUT_MS", "250"));
    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.port()).isEqualTo(7700);
    assertThat(s.maxPayloadBytes()).isEqualTo(1000);
    assertThat(s.nodeTimeout()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void rejectsMissingOrAmbiguousSettings() {
    Map<String, String> base = Map.of("MIROIR_NODE_API_KEY", "k", "MIROIR_TOPOLOGY_FILE", "t.json");
    assertRejected(without(base, "MIROIR_NODE_API_KEY"), "MIROIR_NODE_API_KEY (or MIROIR_MASTER_KEY) is required");
    assertRejected(without(base, "MIROIR_TOPOLOGY_FILE"), "MIROIR_TOPOLOGY_FILE");
    assertRejected(with(base, "MIROIR_TOPOLOGY_CONFIGMAP", "ns/cm"), "not both");
    Map<String, String> cm = Map.of("MIROIR_NODE_API_KEY", "k", "MIROIR_TOPOLOGY_CONFIGMAP", "cm");
    assertRejected(cm, "MIROIR_NAMESPACE");
    assertRejected(with(cm, "MIROIR_TOPOLOGY_CONFIGMAP", "ns/"), "namespace/name");
    assertRejected(with(cm, "MIROIR_TOPOLOGY_CONFIGMAP", "a/b/c"), "namespace/name");
    assertRejected(with(with(cm, "MIROIR_TOPOLOGY_CONFIGMAP", "a/cm"), "MIROIR_NAMESPACE", "b"), "MIROIR_NAMESPACE is `b`");
    assertRejected(with(base, "MIROIR_HTTP_PORT", "http"), "MIROIR_HTTP_PORT must be a number");
    assertRejected(with(base, "MIROIR_PORT", "70000"), "MIROIR_PORT must be a number");
    assertRejected(with(base, "MIROIR_NODE_TIMEOUT_MS", "0"), "MIROIR_NODE_TIMEOUT_MS");
  }

  @Test
  void neverShowsTheKey() {
    Settings s = Settings.parse(Map.of("MIROIR_TOPOLOGY_FILE", "t.json", "MIROIR_NODE_API_KEY", "s3cr3t-admin"));
    assertThat(s.toString()).doesNotContain("s3cr3t-admin");
    assertThatThrownBy(() -> Settings.parse(Map.of("MIROIR_NODE_API_KEY", "s3cr3t-admin")))
        .message().doesNotContain("s3cr3t-admin");
  }

  private static void assertRejected(Map<String, String> env, String message) {
    assertThatThrownBy(() -> Settings.parse(env)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  private static Map<String, String> with(Map<String, String> env, String name, String value) {
    Map<String, String> copy = new HashMap<>(env);
    copy.put(name, value);
    return copy;
  }

  private static Map<String, String> without(Map<String, String> env, String name) {
    Map<String, String> copy = new HashMap<>(env);
    copy.remove(name);
    return copy;
  }
}
