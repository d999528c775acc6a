package dev.miroir.operator;

import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.reconcile.MeiliClusterReconciler;
import dev.miroir.operator.reconcile.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.time.Clock;
import java.util.function.Consumer;

/** Builds the JOSDK {@link Operator} with our reconciler; shared by {@link Main} and the tests. */
public final class OperatorRuntime {

  private OperatorRuntime() {}

  /**
   * @param extra further overrides (leader election, metrics; SSA off against the mock server)
   */
  public static Operator create(
      KubernetesClient client, OperatorSettings settings, Consumer<ConfigurationServiceOverrider> extra) {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client);
      // We ship our CRDs with the chart; the operator must not need rights to read CRDs.
      o.checkingCRDAndValidateLocalModel(false);
      extra.accept(o);
    });
    operator.register(new MeiliClusterReconciler(settings, Clock.systemUTC()), c -> {
      c.withName("meilicluster");
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
