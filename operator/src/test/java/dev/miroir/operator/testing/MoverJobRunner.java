package dev.miroir.operator.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The test kubelet's part for Jobs: each rebalance Job's pod runs as a real local process (the
 * router's shaded jar, main class from the Job's command), with its env resolved as kubelet would
 * (downward API, Secret keys) and the router pod selector resolved to the test's router URL. A pod
 * that exits non-zero is rerun, as the Job's backoff would; exit 0 marks the Job Complete.
 */
public final class MoverJobRunner implements AutoCloseable {

  private final KubernetesClient client;
  private final String namespace;
  private final TestKubelet kubelet;
  private final String routerUrl;
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
  private final Map<String, Boolean> finished = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

  public MoverJobRunner(KubernetesClient client, String namespace, TestKubelet kubelet, String routerUrl) {
    this.client = client;
    this.namespace = namespace;
    this.kubelet = kubelet;
    this.routerUrl = routerUrl;
  }

  public MoverJobRunner start() {
    poller.scheduleWithFixedDelay(this::poll, 200, 300, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Pods started so far, per Job (a rerun counts). */
  public int attempts(String job) {
    return attempts.getOrDefault(job, 0);
  }

  /** Kills the running pod of a Job, as a node failure or an eviction would (SIGKILL). */
  public boolean killRunning() {
    for (Process p : running.values()) {
      if (p.isAlive()) {
        p.destroyForcibly();
        return true;
      }
    }
    return false;
  }

  public boolean isRunning() {
    return running.values().stream().anyMatch(Process::isAlive);
  }

  private synchronized void poll() {
    try {
      for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
        String name = job.getMetadata().getName();
        if (!"rebalance".equals(job.getMetadata().getLabels().get("app.kubernetes.io/component"))
            || finished.containsKey(name)) {
          continue;
        }
        Process p = running.get(name);
        if (p != null && p.isAlive()) {
          continue;
        }
        if (p != null && p.exitValue() == 0) {
          finish(job, true);
          continue;
        }
        int backoff = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
        if (attempts(name) > backoff) {
          finish(job, false);
          continue;
        }
        running.put(name, launch(job));
        attempts.merge(name, 1, Integer::sum);
      }
    } catch (RuntimeException e) {
      System.err.println("mover job runner: " + e);
    }
  }

  private Process launch(Job job) {
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> env = new HashMap<>(kubelet.resolveEnv(c));
    env.remove("MIROIR_ROUTER_SELECTOR");
    env.put("MIROIR_ROUTER_URLS", routerUrl);
    env.putAll(RouterProcess.kubernetesClientEnv(client.getConfiguration().getMasterUrl(), namespace));
    List<String> command = c.getCommand();
    String mainClass = command.get(command.size() - 1);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-cp", RouterProcess.JAR.toString(), mainClass));
    builder.environment().keySet().removeIf(k -> k.startsWith("MIROIR_") || k.startsWith("KUBERNETES_")
        || k.equals("KUBECONFIG"));
    builder.environment().putAll(env);
    Path log = Path.of("target", job.getMetadata().getName() + ".log").toAbsolutePath();
    try {
      Files.createDirectories(log.getParent());
      return builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void finish(Job job, boolean succeeded) {
    finished.put(job.getMetadata().getName(), succeeded);
    JobCondition condition = new JobConditionBuilder().withType(succeeded ? "Complete" : "Failed")
        .withStatus("True").build();
    JobStatus status = new JobStatus();
    status.setConditions(List.of(condition));
    status.setSucceeded(succeeded ? 1 : 0);
    status.setFailed(succeeded ? 0 : attempts(job.getMetadata().getName()));
    Job fresh = client.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).get();
    fresh.setStatus(status);
    client.batch().v1().jobs().inNamespace(namespace).resource(fresh).updateStatus();
  }

  @Override
  public void close() {
    poller.shutdownNow();
    running.values().forEach(Process::destroyForcibly);
  }
}
