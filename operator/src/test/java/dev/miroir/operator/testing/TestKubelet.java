package dev.miroir.operator.testing;

import dev.miroir.local.MeilisearchOptions;
import dev.miroir.local.MeilisearchProcess;
import dev.miroir.operator.model.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A pretend kubelet (and StatefulSet controller, garbage collector and volume resizer) for the mock
 * API server, doing what a real cluster does with the operator's node StatefulSets:
 *
 * <ul>
 *   <li>creates the pod of each StatefulSet from its current template, and its PVC from the claim
 *       template; a deleted pod is recreated from the template as it is then ({@code OnDelete});
 *   <li>marks pod and StatefulSet ready once the node serves; in real mode it first starts a real
 *       Meilisearch process with the master key from the referenced Secret, on the port the test's
 *       {@link LoopbackNodeUrls} gave that node, with a data directory that survives pod restarts
 *       (as a volume does);
 *   <li>grows a PVC's capacity to its request when its StorageClass allows expansion;
 *   <li>deletes pods whose StatefulSet has been gone for a while (an orphaning delete followed by a
 *       re-create keeps the pod running, as on a real cluster).
 * </ul>
 *
 * Nodes can be held unready to exercise degraded states; {@link #maxNodesDown()} tells a test how
 * many nodes were down at once since {@link #resetMaxNodesDown()}.
 */
public final class TestKubelet implements AutoCloseable {

  private static final long GC_AFTER_MILLIS = 3000;

  private final KubernetesClient client;
  private final String namespace;
  private final LoopbackNodeUrls urls;
  private final boolean realProcesses;
  private final Map<String, MeilisearchProcess> processes = new ConcurrentHashMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> podsCreated = new ConcurrentHashMap<>();
  private final Map<String, Long> ownerMissingSince = new ConcurrentHashMap<>();
  private final AtomicInteger maxDown = new AtomicInteger();
  private volatile boolean countDown;
  private final Path dataRoot;
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
    try {
      this.dataRoot = Files.createTempDirectory("test-kubelet-" + namespace);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  /** How many times a pod was created for this node (1 = never restarted). */
  public int podsCreated(String nodeId) {
    AtomicInteger n = podsCreated.get(nodeId);
    return n == null ? 0 : n.get();
  }

  /** From now on, count the most nodes that are not ready at the same time. */
  public void resetMaxNodesDown() {
    maxDown.set(0);
    countDown = true;
  }

  public int maxNodesDown() {
    return maxDown.get();
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
    Map<String, Pod> pods = client.pods().inNamespace(namespace)
        .withLabel(Labels.COMPONENT, Labels.COMPONENT_NODE).list().getItems().stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
    Set<String> setNames = sets.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
    int down = 0;
    for (StatefulSet sts : sets) {
      String nodeId = sts.getMetadata().getLabels().get(Labels.NODE);
      String podName = sts.getMetadata().getName() + "-0";
      Pod pod = pods.get(podName);
      claims(sts, podName, pod == null);
      if (pod == null) {
        // A new node, or the operator deleted the pod: the container stops, a new pod starts from
        // the StatefulSet's template as it is now.
        stop(nodeId);
      }
      // A container that was just (re)started is not ready on its first look, as with a real probe.
      boolean ready = !held.contains(nodeId) && ensureRunning(sts, nodeId) && pod != null;
      if (!ready) {
        down++;
      }
      if (pod == null || podReady(pod) != ready) {
        Pod desired = new PodBuilder()
            .withNewMetadata().withName(podName).withNamespace(namespace)
              .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels())
              .withAnnotations(sts.getSpec().getTemplate().getMetadata().getAnnotations())
              .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                  .withName(sts.getMetadata().getName()).withUid(sts.getMetadata().getUid()).withController(true).build())
            .endMetadata()
            .withSpec(sts.getSpec().getTemplate().getSpec())
            .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
              .withStatus(ready ? "True" : "False").endCondition().endStatus()
            .build();
        if (pod == null) {
          client.pods().inNamespace(namespace).resource(desired).create();
          podsCreated.computeIfAbsent(nodeId, k -> new AtomicInteger()).incrementAndGet();
        } else {
          pod.setStatus(desired.getStatus());
          client.pods().inNamespace(namespace).resource(pod).update();
        }
      }
      int readyCount = ready ? 1 : 0;
      Integer current = sts.getStatus() == null ? null : sts.getStatus().getReadyReplicas();
      if (current == null || current != readyCount) {
        sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(readyCount)
            .withAvailableReplicas(readyCount).withObservedGeneration(sts.getMetadata().getGeneration()).build());
        client.resource(sts).updateStatus();
      }
    }
    if (countDown) {
      maxDown.accumulateAndGet(down, Math::max);
    }
    // Garbage collection: a pod whose StatefulSet stays gone goes too (its volume stays).
    long now = System.currentTimeMillis();
    for (Pod pod : pods.values()) {
      String owner = pod.getMetadata().getName().substring(0, pod.getMetadata().getName().length() - 2);
      if (setNames.contains(owner)) {
        ownerMissingSince.remove(owner);
        continue;
      }
      long since = ownerMissingSince.computeIfAbsent(owner, k -> now);
      if (now - since > GC_AFTER_MILLIS) {
        client.pods().inNamespace(namespace).resource(pod).delete();
        stop(pod.getMetadata().getLabels().get(Labels.NODE));
        ownerMissingSince.remove(owner);
      }
    }
  }

  /**
   * The StatefulSet controller's PVC, and the resizer growing it when its class allows. Like the real
   * controller, a missing claim is created only together with the pod that mounts it: a claim deleted
   * while its pod runs is not brought back (the sync's list of StatefulSets may already be stale, and
   * recreating the volume of a node the operator just removed would leak it forever).
   */
  private void claims(StatefulSet sts, String podName, boolean creatingPod) {
    for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
      String name = template.getMetadata().getName() + "-" + podName;
      PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
      Quantity requested = template.getSpec().getResources().getRequests().get("storage");
      if (pvc == null && !creatingPod) {
        continue;
      }
      if (pvc == null) {
        pvc = client.persistentVolumeClaims().inNamespace(namespace).resource(new PersistentVolumeClaimBuilder()
            .withNewMetadata().withName(name).withNamespace(namespace)
              .withLabels(template.getMetadata().getLabels()).endMetadata()
            .withSpec(template.getSpec())
            .build()).create();
        pvc.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder()
            .withPhase("Bound").addToCapacity("storage", requested).build());
        client.persistentVolumeClaims().inNamespace(namespace).resource(pvc).updateStatus();
        continue;
      }
      Quantity want = pvc.getSpec().getResources().getRequests().get("storage");
      Quantity have = pvc.getStatus() == null || pvc.getStatus().getCapacity() == null
          ? null : pvc.getStatus().getCapacity().get("storage");
      if (have != null && Quantity.getAmountInBytes(want).compareTo(Quantity.getAmountInBytes(have)) > 0
          && expandable(pvc.getSpec().getStorageClassName())) {
        pvc.getStatus().getCapacity().put("storage", want);
        client.persistentVolumeClaims().inNamespace(namespace).resource(pvc).updateStatus();
      }
    }
  }

  private boolean expandable(String storageClass) {
    if (storageClass == null) {
      return false;
    }
    StorageClass sc = client.storage().v1().storageClasses().withName(storageClass).get();
    return sc != null && Boolean.TRUE.equals(sc.getAllowVolumeExpansion());
  }

  private static boolean podReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
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
        .dataDir(dataRoot.resolve(nodeId))
        .deleteDataDirOnClose(false)
        .build());
    processes.put(nodeId, started);
    return true;
  }

  private void stop(String nodeId) {
    if (nodeId == null) {
      return;
    }
    MeilisearchProcess p = processes.remove(nodeId);
    if (p != null) {
      p.close();
    }
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
    try (Stream<Path> files = Files.walk(dataRoot)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
