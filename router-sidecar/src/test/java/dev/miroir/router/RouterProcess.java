package dev.miroir.router;

import dev.miroir.local.ChildProcesses;
import dev.miroir.local.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A router as its own process ({@link RouterMain} with environment variables, as in a container), so
 * that a test can {@code kill -9} it. Its log goes to a file in a temporary directory.
 */
final class RouterProcess implements AutoCloseable {

  private final Map<String, String> env;
  private final int port;
  private final Path logDir;
  private Process process;

  private RouterProcess(Map<String, String> env, int port, Path logDir) {
    this.env = env;
    this.port = port;
    this.logDir = logDir;
  }

  /**
   * @param env extra environment (topology, key, replica log, task store); the port, host and
   *     advertised URL are set here
   */
  static RouterProcess start(Map<String, String> env) {
    try {
      int port = LoopbackPorts.free();
      Map<String, String> all = new java.util.HashMap<>(env);
      all.put("MIROIR_HOST", "127.0.0.1");
      all.put("MIROIR_PORT", Integer.toString(port));
      all.put("MIROIR_ADVERTISE_URL", "http://127.0.0.1:" + port);
      RouterProcess p = new RouterProcess(all, port, Files.createTempDirectory("miroir-router-proc-"));
      p.launch();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  synchronized void launch() {
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx256m");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(RouterMain.class.getName());
      ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("router.log").toFile()));
      b.environment().keySet().removeIf(k -> k.startsWith("MIROIR_"));
      b.environment().putAll(env);
      process = b.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!answers()) {
        if (!process.isAlive()) {
          throw new IllegalStateException("router process exited: " + Files.readString(logDir.resolve("router.log")));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("router did not start: " + Files.readString(logDir.resolve("router.log")));
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private boolean answers() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url() + "/version").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      c.disconnect();
      return code > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed beyond what the process already wrote. */
  synchronized void kill() {
    if (process != null && process.isAlive()) {
      ChildProcesses.kill(process);
    }
  }

  String log() {
    try {
      return Files.readString(logDir.resolve("router.log"));
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public synchronized void close() {
    ChildProcesses.stop(process, Duration.ofSeconds(10));
  }
}
