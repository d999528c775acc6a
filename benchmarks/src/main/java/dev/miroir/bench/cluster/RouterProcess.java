package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The parent's side of {@link RouterChild}: start, read its stats, profile it with JFR, stop. */
final class RouterProcess implements AutoCloseable {

  /**
   * The router's JVM as the operator runs it, in a 512 MiB container: the JVM sizes its heap from the
   * container's memory ({@code MaxRAM}), so the Dockerfile's {@code MaxRAMPercentage=75} gives at most
   * 384 MiB and an initial heap of 1/64 of 512 MiB, and its ergonomics pick the serial collector in a
   * container under 1,792 MiB (not a "server-class machine"), whatever its cores. A bare
   * {@code -Xmx384m} on this 23.5 GiB machine would start the heap at 376 MiB and keep it there.
   * {@code --router-jvm "..."} replaces these (runs before 2026-12-03 used {@code -Xmx384m
   * -XX:+UseG1GC}).
   */
  static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC");

  /** What {@link #start} gives every router JVM; the harness's {@code --router-jvm} sets it. */
  static volatile List<String> jvmOptions = DEFAULT_JVM_OPTIONS;

  final String name;
  final String url;
  private final Process process;
  private final Http http;
  private final Path workDir;

  private RouterProcess(String name, String url, Process process, Http http, Path workDir) {
    this.name = name;
    this.url = url;
    this.process = process;
    this.http = http;
    this.workDir = workDir;
  }

  static RouterProcess start(String name, TopologyDocument topology, String masterKey, Http http, Path workDir)
      throws IOException {
    return start(name, topology, masterKey, http, workDir, System.getProperty("java.class.path"));
  }

  /** @param classpath where the router's classes come from (another build's jar, to compare two routers) */
  static RouterProcess start(String name, TopologyDocument topology, String masterKey, Http http, Path workDir,
      String classpath) throws IOException {
    return start(name, topology, masterKey, http, workDir, classpath, jvmOptions);
  }

  /** @param jvm the router JVM's options (another JVM setting, to compare two in one run) */
  static RouterProcess start(String name, TopologyDocument topology, String masterKey, Http http, Path workDir,
      String classpath, List<String> jvm) throws IOException {
    Path file = workDir.resolve(name + "-topology.json"); // topologyFile()
    Files.writeString(file, TopologyCodec.encode(topology));
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(jvm);
    // The file replica log, as local mode and a one-replica Kubernetes router run it: a write's 202
    // includes its durable append (docs/design/writes.md, section 3).
    String replicaLog = "file:" + workDir.resolve(name + "-replica-log").toAbsolutePath();
    cmd.addAll(List.of("-cp", classpath, RouterChild.class.getName(), file.toString(), replicaLog));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(workDir.resolve(name + ".log").toFile());
    pb.environment().put("MIROIR_MASTER_KEY", masterKey);
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("LISTENING ")) {
        return new RouterProcess(name, line.substring("LISTENING ".length()).trim(), p, http, workDir);
      }
    }
    throw new IOException("router " + name + " exited before listening; see " + workDir.resolve(name + ".log"));
  }

  /** The topology file this router reads (polls): a mover rewrites it to move shards. */
  Path topologyFile() {
    return workDir.resolve(name + "-topology.json");
  }

  long pid() {
    return process.pid();
  }

  JsonNode stats() {
    return http.get(url + "/_bench/stats").json();
  }

  /** Starts a JFR recording (profile settings: execution and allocation samples). */
  void startProfile() throws IOException, InterruptedException {
    jcmd("JFR.start", "name=bench", "settings=profile");
  }

  Path stopProfile(String label) throws IOException, InterruptedException {
    Path file = workDir.resolve(name + "-" + label + ".jfr").toAbsolutePath();
    jcmd("JFR.stop", "name=bench", "filename=" + file);
    return file;
  }

  private void jcmd(String... args) throws IOException, InterruptedException {
    Path javaHome = Path.of(System.getProperty("java.home"));
    List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/jcmd").toString(), Long.toString(pid())));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + String.join(" ", args) + " failed: " + output);
    }
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
  }
}
