package dev.miroir.operator;

import dev.miroir.operator.metrics.ClusterMetrics;
import dev.miroir.operator.reconcile.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process. Configuration by environment:
 *
 * <ul>
 *   <li>{@code MIROIR_WATCH_NAMESPACES}: comma-separated namespaces, all when empty
 *   <li>{@code MIROIR_ROUTER_IMAGE}: default router image
 *   <li>{@code MIROIR_LEADER_ELECTION} (true): run with a Lease so that only one replica reconciles
 *   <li>{@code MIROIR_LEASE_NAME} (miroir-operator), {@code MIROIR_LEASE_NAMESPACE} (own namespace)
 *   <li>{@code MIROIR_PROBE_PORT} (8080): /healthz, /readyz, /metrics
 *   <li>{@code MIROIR_REQUEUE_SECONDS} (15), {@code MIROIR_OBSERVE_SECONDS} (60, a converged cluster),
 *       {@code MIROIR_NODE_TIMEOUT_SECONDS} (5)
 *   <li>{@code MIROIR_STATUS_SERVER_SIDE_APPLY} (true): false only for API servers without SSA
 * </ul>
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    OperatorSettings settings = OperatorSettings.fromEnv(env);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    KubernetesClient client = new KubernetesClientBuilder().build();

    boolean leaderElection = Boolean.parseBoolean(env.getOrDefault("MIROIR_LEADER_ELECTION", "true"));
    Operator operator = OperatorRuntime.create(client, settings, new ClusterMetrics(registry), o -> {
      o.withMetrics(MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build());
      // Status goes by server-side apply unless turned off: only for API servers without it (the
      // tests' mock server).
      if (!Boolean.parseBoolean(env.getOrDefault("MIROIR_STATUS_SERVER_SIDE_APPLY", "true"))) {
        o.withUseSSAToPatchPrimaryResource(false);
      }
      if (leaderElection) {
        String leaseNamespace = env.get("MIROIR_LEASE_NAMESPACE");
        o.withLeaderElectionConfiguration(
            leaseNamespace == null || leaseNamespace.isBlank()
                ? new LeaderElectionConfiguration(env.getOrDefault("MIROIR_LEASE_NAME", "miroir-operator"))
                : new LeaderElectionConfiguration(env.getOrDefault("MIROIR_LEASE_NAME", "miroir-operator"), leaseNamespace));
      }
    });

    int probePort = Integer.parseInt(env.getOrDefault("MIROIR_PROBE_PORT", "8080"));
    ProbeServer probes = new ProbeServer(probePort,
        () -> operator.getRuntimeInfo().allEventSourcesAreHealthy(),
        () -> operator.getRuntimeInfo().isStarted(),
        registry);
    operator.installShutdownHook(Duration.ofSeconds(30));
    Runtime.getRuntime().addShutdownHook(new Thread(probes::close, "probe-server-stop"));
    operator.start();
    LOG.info("miroir operator started (probes on :{}, leader election {})", probes.port(), leaderElection);
  }
}
