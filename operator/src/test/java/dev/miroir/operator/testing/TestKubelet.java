package dev.miroir.operator.testing;

import dev.miroir.local.MeilisearchOptions;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.operator.model.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A pretend kubelet for the mock API server: for every node StatefulSet it creates the pod, and
 * once the node can serve it marks pod and StatefulSet ready. In real mode it first starts a real
 * Meilisearch process with the master key from the referenced Secret, on the port the test's
 * {@link LoopbackNodeUrls} gave that node. Nodes can be held unready to exercise degraded states.
 */
public final class TestKubelet implements AutoCloseable {

  private final KubernetesClient client;
  private final String namespace;
  private final LoopbackNodeUrls urls;
  private final boolean realProcesses;
  private final Map<String, MeilisearchProcess> processes = new ConcurrentHashMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test-kubelet");
    t.setDaemon(true);
    return t;
  });

  public TestKubelet(KubernetesClient client, String namespace, LoopbackNodeUrls urls, boolean realProcesses) {
    this.client = client;
    this.namespace = namespace;
    this.urls = urls;
    this.realProcesses = realProcesses;
  }

  public TestKubelet start() {
    loop.scheduleWithFixedDelay(this::syncQuietly, 0, 150, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Keeps this node's pod unready (as if it crashed or never started). */
  public void hold(String nodeId) {
    held.add(nodeId);
  }

  public void release(String nodeId) {
    held.remove(nodeId);
  }

  public Map<String, MeilisearchProcess> processes() {
    return processes;
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (RuntimeException e) {
      // The next tick retries; a test that depends on progress fails on its own timeout.
    }
  }

  private void sync() {
    var sets = client.apps().statefulSets().inNamespace(namespace)
        .withLabel(Labels.COMPONENT, Labels.COMPONENT_NODE).list().getItems();
    Set<String> alive = ConcurrentHashMap.newKeySet();
    for (StatefulSet sts : sets) {
      String nodeId = sts.getMetadata().getLabels().get(Labels.NODE);
      alive.add(nodeId);
      boolean ready = !held.contains(nodeId) && ensureRunning(sts, nodeId);
      int readyCount = ready ? 1 : 0;
      Integer current = sts.getStatus() == null ? null : sts.getStatus().getReadyReplicas();
      if (current == null || current != readyCount) {
        sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(readyCount)
            .withAvailableReplicas(readyCount).withObservedGeneration(sts.getMetadata().getGeneration()).build());
        client.resource(sts).updateStatus();
        client.pods().inNamespace(namespace).resource(new PodBuilder()
            .withNewMetadata().withName(sts.getMetadata().getName() + "-0").withNamespace(namespace)
              .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
            .withSpec(sts.getSpec().getTemplate().getSpec())
            .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
              .withStatus(ready ? "True" : "False").endCondition().endStatus()
            .build()).createOr(p -> p.update());
      }
    }
    for (String id : processes.keySet()) {
      if (!alive.contains(id)) {
        MeilisearchProcess p = processes.remove(id);
        if (p != null) {
          p.close();
        }
      }
    }
  }

  private boolean ensureRunning(StatefulSet sts, String nodeId) {
    if (!realProcesses) {
      return true;
    }
    MeilisearchProcess running = processes.get(nodeId);
    if (running != null) {
      return running.isAlive();
    }
    String masterKey = masterKey(sts);
    if (masterKey == null) {
      return false;
    }
    MeilisearchProcess started = MeilisearchProcess.start(MeilisearchOptions.builder()
        .masterKey(masterKey)
        .port(urls.port(namespace, nodeId))
        .build());
    processes.put(nodeId, started);
    return true;
  }

  /**
   * A container's environment as kubelet would resolve it: literal values, the pod's namespace
   * (downward API) and Secret keys. Other sources are not used by the operator and fail loudly.
   */
  public Map<String, String> resolveEnv(Container container) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (var.getValueFrom() == null) {
        env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
      } else if (var.getValueFrom().getFieldRef() != null
          && "metadata.namespace".equals(var.getValueFrom().getFieldRef().getFieldPath())) {
        env.put(var.getName(), namespace);
      } else if (var.getValueFrom().getSecretKeyRef() != null) {
        var ref = var.getValueFrom().getSecretKeyRef();
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (encoded == null) {
          throw new IllegalStateException("env " + var.getName() + ": Secret " + ref.getName() + " has no key "
              + ref.getKey());
        }
        env.put(var.getName(), new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      } else {
        throw new IllegalStateException("env " + var.getName() + ": unsupported source " + var.getValueFrom());
      }
    }
    return env;
  }

  /** Reads MEILI_MASTER_KEY the way the kubelet would: from the container's secretKeyRef. */
  private String masterKey(StatefulSet sts) {
    for (EnvVar env : sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if ("MEILI_MASTER_KEY".equals(env.getName()) && env.getValueFrom() != null) {
        var ref = env.getValueFrom().getSecretKeyRef();
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret == null) {
          return null;
        }
        if (secret.getData() != null && secret.getData().get(ref.getKey()) != null) {
          return new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8);
        }
        if (secret.getStringData() != null) {
          return secret.getStringData().get(ref.getKey());
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    processes.values().forEach(MeilisearchProcess::close);
    processes.clear();
  }
}
