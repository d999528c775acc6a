package dev.miroir.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.LoopbackPorts;
import dev.miroir.local.MeiliHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The router's shaded jar run as a child JVM. The router is built on Vert.x 5 and the mock API
 * server on Vert.x 4, so the router can never share the operator tests' classpath; a child process
 * is also what a pod is. Its output goes to a file under {@code target/} (the router never logs
 * keys), and it is killed on {@link #close()} and, as a last resort, when the test JVM exits.
 */
public final class RouterProcess implements AutoCloseable {

  /** Built by router-sidecar's {@code package} phase, which the reactor runs before this module's tests. */
  public static final Path JAR = Repo.path("router-sidecar/target/miroir-router.jar");

  private final Process process;
  private final Path log;
  private final int port;
  private final Thread reaper;

  private RouterProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.reaper = new Thread(process::destroyForcibly, "router-process-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code java -jar miroir-router.jar} on a free loopback port with exactly the router's
   * variables given here (inherited {@code MIROIR_*} and Kubernetes client settings are dropped, so
   * a developer's kubeconfig can never be reached).
   */
  public static RouterProcess start(Map<String, String> routerEnv, Path log) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException("The router jar " + JAR + " is missing. Build it first, e.g. "
          + "`./mvnw -pl router-sidecar -am package -DskipTests`, or run the reactor to `package`/`verify` "
          + "(router-sidecar is built before the operator).");
    }
    int port = LoopbackPorts.free();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toString()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("MIROIR_") || k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG"));
    env.putAll(routerEnv);
    if (!routerEnv.containsKey("MIROIR_REPLICA_LOG")) {
      // Never the image's default /var/lib/miroir: that directory outlives the test and would hand
      // the next router (same cluster and node names) copies left over from this one.
      try {
        env.put("MIROIR_REPLICA_LOG", "file:" + Files.createTempDirectory("miroir-replica-log-"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    env.put("MIROIR_HOST", "127.0.0.1");
    env.put("MIROIR_HTTP_PORT", Integer.toString(port));
    try {
      Files.createDirectories(log.getParent());
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      return new RouterProcess(builder.start(), log, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The Fabric8 client settings (read from the environment by the router's client) that point it at
   * the mock API server: plain HTTP, no kubeconfig, no service account.
   */
  public static Map<String, String> kubernetesClientEnv(String masterUrl, String namespace) {
    return Map.of(
        "KUBERNETES_MASTER", masterUrl,
        "KUBERNETES_NAMESPACE", namespace,
        "KUBERNETES_TRUST_CERTIFICATES", "true",
        "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
        "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public MeiliHttp http(String apiKey) {
    return new MeiliHttp(url(), apiKey, Duration.ofSeconds(30));
  }

  public Path log() {
    return log;
  }

  /** Waits until {@code /health} says every shard is readable; fails at once if the process died. */
  public void awaitAvailable(Duration timeout) {
    MeiliHttp http = http(null);
    Await.until("router /health available (log: " + log + ")", timeout, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("router exited with " + process.exitValue() + "; last lines of " + log + ":\n"
            + tail(30));
      }
      JsonNode health = http.get("/health").body();
      return "available".equals(health.path("status").asText());
    });
  }

  /** The last lines of the router's output, for failure messages. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down and the hook runs anyway
      }
    }
  }
}
