package dev.miroir.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Requests from other shells to a running local cluster, as files in {@code <data-dir>/control}: the
 * supervisor owns the node processes (so they stop with it, and it records their pids), hence a
 * {@code restart-node} must be carried out by it. A file needs no port, no credentials, and works the
 * same for a foreground and a detached cluster.
 *
 * <p>{@code restart-<node>.request} is answered by {@code restart-<node>.result}: {@code ok <pid>} or
 * {@code error <message>}. Both are written whole (temporary file, then rename).
 */
public final class LocalControl {

  static final Duration POLL = Duration.ofMillis(200);
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Restarts a node, returning its new pid. */
  @FunctionalInterface
  interface NodeRestarter {
    long restart(String nodeId) throws IOException;
  }

  private LocalControl() {}

  static Path dir(LocalLayout layout) {
    return layout.root().resolve("control");
  }

  /** Supervisor side: answers every pending request. */
  static void serve(LocalLayout layout, NodeRestarter restarter) throws IOException {
    Path dir = dir(layout);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> requests = Files.newDirectoryStream(dir, "restart-*.request")) {
      for (Path request : requests) {
        String name = request.getFileName().toString();
        String nodeId = name.substring("restart-".length(), name.length() - ".request".length());
        String answer;
        try {
          answer = "ok " + restarter.restart(nodeId);
        } catch (RuntimeException | IOException e) {
          answer = "error " + String.valueOf(e.getMessage()).replace('\n', ' ');
        }
        writeWhole(dir.resolve("restart-" + nodeId + ".result"), answer);
        Files.deleteIfExists(request);
      }
    }
  }

  /** Client side: asks the running supervisor to restart a node and waits for its answer (the new pid). */
  public static long requestRestart(LocalLayout layout, String nodeId, Duration timeout) throws IOException, InterruptedException {
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("not a node id: " + nodeId);
    }
    Path dir = Files.createDirectories(dir(layout));
    Path result = dir.resolve("restart-" + nodeId + ".result");
    Files.deleteIfExists(result);
    writeWhole(dir.resolve("restart-" + nodeId + ".request"), nodeId);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> answer = Files.exists(result)
          ? Optional.of(Files.readString(result, StandardCharsets.UTF_8).strip()) : Optional.empty();
      if (answer.isPresent()) {
        Files.deleteIfExists(result);
        if (answer.get().startsWith("ok ")) {
          return Long.parseLong(answer.get().substring(3).strip());
        }
        throw new IllegalStateException(answer.get().replaceFirst("^error ", ""));
      }
      Thread.sleep(POLL.toMillis());
    }
    Files.deleteIfExists(dir.resolve("restart-" + nodeId + ".request"));
    throw new IllegalStateException("the cluster did not restart node " + nodeId + " within " + timeout.toSeconds()
        + " s; see " + layout.logFile());
  }

  private static void writeWhole(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
