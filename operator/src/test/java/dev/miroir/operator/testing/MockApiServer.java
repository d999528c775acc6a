package dev.miroir.operator.testing;

import dev.miroir.operator.OperatorRuntime;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.metrics.ClusterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.miroir.operator.reconcile.OperatorSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * The Fabric8 CRUD mock server as our API server: our CRDs registered first (so status is a real
 * subresource), the scale subresource added, and the operator started in-process against it with
 * server-side apply off (the mock server does not implement SSA).
 */
public final class MockApiServer implements AutoCloseable {

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private Operator operator;
  private final ClusterMetrics metrics = new ClusterMetrics(new SimpleMeterRegistry());

  public MockApiServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new ScaleSubresourceDispatcher(), false);
    server.init();
    client = server.createClient();
    try (var files = Files.list(Repo.path("crds"))) {
      for (Path crd : files.sorted().toList()) {
        try (InputStream in = Files.newInputStream(crd)) {
          client.apiextensions().v1().customResourceDefinitions().load(in).create();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** The domain metrics of every operator this server started. */
  public ClusterMetrics metrics() {
    return metrics;
  }

  /** The API server's address, for an operator started in another JVM. */
  public String masterUrl() {
    return client.getConfiguration().getMasterUrl();
  }

  public Operator startOperator(OperatorSettings settings) {
    stopOperator();
    operator = OperatorRuntime.create(server.createClient(), settings, metrics, o -> o
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withConcurrentReconciliationThreads(2)
        .withCloseClientOnStop(true));
    operator.start();
    return operator;
  }

  public void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  /** Loads a manifest (e.g. a sample) into the given namespace and creates it. */
  public MeiliCluster apply(Path manifest, String namespace) {
    try (InputStream in = Files.newInputStream(manifest)) {
      MeiliCluster cluster = client.resources(MeiliCluster.class).load(in).item();
      cluster.getMetadata().setNamespace(namespace);
      return client.resource(cluster).create();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates a MeiliCluster from manifest text in the given namespace. */
  public MeiliCluster apply(String manifest, String namespace) {
    MeiliCluster cluster = client.resources(MeiliCluster.class)
        .load(new java.io.ByteArrayInputStream(manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8))).item();
    cluster.getMetadata().setNamespace(namespace);
    return client.resource(cluster).create();
  }

  /** Every object in a namespace of the kinds the operator creates. */
  public List<HasMetadata> owned(String namespace) {
    List<HasMetadata> all = new java.util.ArrayList<>();
    all.addAll(client.secrets().inNamespace(namespace).list().getItems());
    all.addAll(client.configMaps().inNamespace(namespace).list().getItems());
    all.addAll(client.services().inNamespace(namespace).list().getItems());
    all.addAll(client.apps().statefulSets().inNamespace(namespace).list().getItems());
    all.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
    all.addAll(client.serviceAccounts().inNamespace(namespace).list().getItems());
    all.addAll(client.rbac().roles().inNamespace(namespace).list().getItems());
    all.addAll(client.rbac().roleBindings().inNamespace(namespace).list().getItems());
    all.addAll(client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems());
    all.addAll(client.resources(dev.miroir.operator.crd.MeiliNode.class).inNamespace(namespace).list().getItems());
    return all;
  }

  @Override
  public void close() {
    stopOperator();
    client.close();
    server.destroy();
  }
}
