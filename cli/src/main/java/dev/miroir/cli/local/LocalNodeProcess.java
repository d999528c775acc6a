package dev.miroir.cli.local;

import dev.miroir.local.MeilisearchLocalException;
import dev.miroir.local.MeilisearchOptions;
import dev.miroir.local.MeilisearchProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Meilisearch node of a local cluster as the supervisor holds it: either started by this process,
 * or adopted, alive, from a supervisor that died (its nodes outlive it, and killing them to start them
 * again would only cost time). Restart and stop work the same on both.
 */
final class LocalNodeProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int START_ATTEMPTS = 10;

  private final String id;
  private final int port;
  private final Path dataDir;
  private final String masterKey;
  private MeilisearchProcess owned;
  private ProcessHandle adopted;

  private LocalNodeProcess(String id, int port, Path dataDir, String masterKey) {
    this.id = id;
    this.port = port;
    this.dataDir = dataDir;
    this.masterKey = masterKey;
  }

  /** Starts the node on its port over its data directory. */
  static LocalNodeProcess start(String id, int port, Path dataDir, String masterKey) {
    LocalNodeProcess node = new LocalNodeProcess(id, port, dataDir, masterKey);
    node.launch();
    return node;
  }

  /**
   * The node still running from an earlier supervisor, if {@code pid} is alive, is Meilisearch serving
   * this node's data directory on this port, and answers its health check. A pid the system reused for
   * another program is not adopted.
   */
  static Optional<LocalNodeProcess> adopt(String id, int port, Path dataDir, String masterKey, long pid) {
    if (pid <= 0) {
      return Optional.empty();
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (handle.isEmpty() || !isNode(handle.get(), port, dataDir) || !healthy(port)) {
      return Optional.empty();
    }
    LocalNodeProcess node = new LocalNodeProcess(id, port, dataDir, masterKey);
    node.adopted = handle.get();
    return Optional.of(node);
  }

  /** Whether this process is the Meilisearch of the node with this port and data directory. */
  static boolean isNode(ProcessHandle process, int port, Path dataDir) {
    List<String> args = process.info().arguments().map(List::of).orElse(List.of());
    return args.contains("127.0.0.1:" + port) && args.contains(dataDir.resolve("data.ms").toString());
  }

  static boolean healthy(int port) {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().contains("available");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String id() {
    return id;
  }

  boolean wasAdopted() {
    return adopted != null;
  }

  synchronized long pid() {
    return adopted != null ? adopted.pid() : owned == null ? 0 : owned.pid();
  }

  /** Stops the node if it runs (however it died or was killed), then starts it on the same port. */
  synchronized void restart() {
    stopRunning();
    launch();
  }

  @Override
  public synchronized void close() {
    stopRunning();
  }

  private void stopRunning() {
    if (adopted != null) {
      adopted.destroy();
      try {
        adopted.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        adopted.destroyForcibly();
      }
      adopted = null;
    }
    if (owned != null) {
      owned.close();
      owned = null;
    }
  }

  /** A killed node's port can take a moment to be free again: retry a few times on "in use". */
  private void launch() {
    MeilisearchOptions options = MeilisearchOptions.builder().dataDir(dataDir).port(port).masterKey(masterKey).build();
    for (int attempt = 1; ; attempt++) {
      try {
        owned = MeilisearchProcess.start(options);
        return;
      } catch (MeilisearchLocalException e) {
        if (attempt >= START_ATTEMPTS || !String.valueOf(e.getMessage()).contains("in use")) {
          throw e;
        }
        try {
          Thread.sleep(300L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
