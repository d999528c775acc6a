package dev.miroir.operator;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.reconcile.MeiliClusterReconciler;
import dev.miroir.operator.reconcile.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import dev.miroir.operator.metrics.ClusterMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/** Builds the JOSDK {@link Operator} with our reconciler; shared by {@link Main} and the tests. */
public final class OperatorRuntime {

  private OperatorRuntime() {}

  /**
   * @param extra further overrides (leader election, metrics; SSA off against the mock server)
   */
  public static Operator create(
      KubernetesClient client, OperatorSettings settings, Consumer<ConfigurationServiceOverrider> extra) {
    return create(client, settings, new ClusterMetrics(new SimpleMeterRegistry()), extra);
  }

  /**
   * @param metrics where the domain metrics go (the Prometheus registry in {@link Main})
   */
  public static Operator create(KubernetesClient client, OperatorSettings settings, ClusterMetrics metrics,
      Consumer<ConfigurationServiceOverrider> extra) {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client);
      // We ship our CRDs with the chart; the operator must not need rights to read CRDs.
      o.checkingCRDAndValidateLocalModel(false);
      extra.accept(o);
    });
    operator.register(new MeiliClusterReconciler(settings, Clock.systemUTC(), metrics), c -> {
      c.withName("meilicluster");
      // Failed reconciles are retried for as long as they fail, backing off to one try in five
      // minutes: a persistent error is visible in status and Events, never a hot loop.
      c.withRetry(GenericRetry.defaultLimitedExponentialRetry().withoutMaxAttempts()
          .setMaxInterval(Duration.ofMinutes(5).toMillis()));
      if (!settings.namespaces().isEmpty()) {
        c.settingNamespaces(settings.namespaces());
      }
    });
    return operator;
  }

  public static Class<MeiliCluster> primary() {
    return MeiliCluster.class;
  }
}
