package dev.miroir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.cli.local.LocalCluster;
import dev.miroir.cli.local.LocalClusterState;
import dev.miroir.cli.local.LocalLayout;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.local.MeilisearchOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./miroir local up|down|status|restart-node|kill-node}: a whole cluster as processes on this
 * machine.
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = "Run a Miroir cluster as local processes (real Meilisearch nodes and the router).",
    subcommands = {LocalCommand.Up.class, LocalCommand.Down.class, LocalCommand.Status.class,
        LocalCommand.RestartNode.class, LocalCommand.KillNode.class,
        LocalRebalanceCommands.Scale.class, LocalRebalanceCommands.RemoveNode.class})
final class LocalCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Meilisearch's development mode accepts any key but warns under 16 bytes; so do we. */
  static final int RECOMMENDED_KEY_BYTES = 16;

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Start a local cluster in the foreground (Ctrl-C stops it).")
  static final class Up implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "3", description = "Meilisearch nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--rf", defaultValue = "2", description = "Replication factor (default ${DEFAULT-VALUE}).")
    int rf;

    @Option(names = "--shards", defaultValue = "64", description = "Logical shards, fixed for the data dir's life (default ${DEFAULT-VALUE}).")
    int shards;

    @Option(names = "--port", defaultValue = "7700", description = "Router port; nodes take the next ports (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", required = true, description = "Where nodes keep their data and the cluster its state.")
    Path dataDir;

    @Option(
        names = "--master-key",
        defaultValue = "${env:MIROIR_MASTER_KEY}",
        description = "Master key for the router and every node (or MIROIR_MASTER_KEY); generated and printed when absent.")
    String masterKey;

    @Option(names = "--detach", description = "Start in the background and return once the router answers.")
    boolean detach;

    @Override
    public Integer call() throws Exception {
      if (nodes < 1 || shards < 1 || rf < 1 || rf > nodes) {
        throw new IllegalArgumentException(
            "need --nodes >= 1, --shards >= 1 and 1 <= --rf <= --nodes (got nodes " + nodes + ", rf " + rf + ", shards " + shards + ")");
      }
      if (port < 1 || port + nodes > 65535) {
        throw new IllegalArgumentException("--port " + port + " leaves no room for " + nodes + " node ports after it");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
      Files.createDirectories(layout.root());
      LocalCluster.checkStartable(new LocalCluster.Spec(nodes, rf, shards, port, layout.root(), null));
      String key = resolveMasterKey(layout, err);
      if (detach) {
        return detach(layout, key, out);
      }
      CountDownLatch stopped = new CountDownLatch(1);
      LocalCluster cluster =
          LocalCluster.start(
              new LocalCluster.Spec(nodes, rf, shards, port, layout.root(), key), EmbeddedRouter::start, err);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    cluster.close();
                    stopped.countDown();
                  },
                  "miroir-local-shutdown"));
      out.printf("Miroir is running: router %s (%d nodes, RF %d, %d shards)%n", cluster.state().router(), nodes, rf, shards);
      out.printf("  try: curl -H 'Authorization: Bearer <master key>' %s/indexes%n", cluster.state().router());
      out.println("  Ctrl-C stops the cluster; its data stays in " + layout.root());
      out.flush();
      stopped.await();
      return 0;
    }

    /**
     * A generated key is kept in an owner-only file so that the next {@code up} of the same data
     * directory keeps the same API keys; it is printed once, when generated.
     */
    private String resolveMasterKey(LocalLayout layout, PrintWriter err) throws IOException {
      if (masterKey != null) {
        if (masterKey.isEmpty()) {
          throw new IllegalArgumentException("--master-key must not be empty");
        }
        if (masterKey.getBytes(StandardCharsets.UTF_8).length < RECOMMENDED_KEY_BYTES) {
          err.println("miroir: warning: the master key is shorter than 16 bytes; fine for development, refused by Meilisearch in production");
        }
        return masterKey;
      }
      if (Files.exists(layout.masterKeyFile())) {
        return Files.readString(layout.masterKeyFile()).strip();
      }
      String generated = MeilisearchOptions.randomMasterKey();
      Files.writeString(layout.masterKeyFile(), generated + "\n", StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(layout.masterKeyFile(), PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // Not a POSIX file system: nothing stricter to set.
      }
      // Printed to the terminal on purpose, once: the user has no other way to learn it.
      spec.commandLine().getOut().println("Generated master key (saved in " + layout.masterKeyFile() + "): " + generated);
      return generated;
    }

    private int detach(LocalLayout layout, String key, PrintWriter out) throws Exception {
      // This JVM again, from its own settings: the OS's view of our command line can come back empty
      // or cut short (a long class path), and then the child would not know what to run.
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), MiroirCli.class.getName()));
      command.addAll(List.of("local", "up", "--nodes", "" + nodes, "--rf", "" + rf, "--shards", "" + shards,
          "--port", "" + port, "--data-dir", layout.root().toString()));
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.logFile().toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      // The key reaches the child through its environment, never its command line (visible in ps).
      builder.environment().put("MIROIR_MASTER_KEY", key);
      Process child = builder.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < deadline) {
        if (!child.isAlive()) {
          throw new IllegalStateException("the cluster did not start; see " + layout.logFile());
        }
        Optional<LocalClusterState> state = LocalClusterState.read(layout.stateFile());
        if (state.isPresent() && state.get().pid() == child.pid()) {
          out.printf("Miroir is running in the background: router %s (pid %d, log %s)%n", state.get().router(), child.pid(), layout.logFile());
          out.printf("Stop it with: ./miroir local down --data-dir %s%n", layout.root());
          return 0;
        }
        Thread.sleep(200);
      }
      child.destroy();
      throw new IllegalStateException("the cluster did not start within 120 s; see " + layout.logFile());
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop a local cluster started from this data directory.")
  static final class Down implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "The cluster's data directory.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
      Optional<LocalClusterState> state = LocalClusterState.read(layout.stateFile());
      Optional<ProcessHandle> process = state.filter(LocalCluster::isSupervisorAlive).flatMap(s -> ProcessHandle.of(s.pid()));
      if (process.isEmpty()) {
        // The supervisor died (kill -9, a crash); its nodes may still run: stop them too.
        int stopped = state.isPresent() ? LocalCluster.stopOrphanedNodes(layout, state.get()) : 0;
        spec.commandLine().getOut().println(stopped > 0
            ? "Stopped " + stopped + " node(s) left running by a local cluster that died in " + layout.root()
            : "No local cluster is running from " + layout.root());
        return 0;
      }
      // SIGTERM: the cluster's shutdown hook stops the router and every node cleanly.
      process.get().destroy();
      try {
        process.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        process.get().destroyForcibly();
        throw new IllegalStateException("the cluster (pid " + process.get().pid() + ") did not stop within 60 s and was killed");
      }
      spec.commandLine().getOut().println("Stopped the local cluster in " + layout.root());
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Show a local cluster's router, epoch and nodes.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "The cluster's data directory.")
    Path dataDir;

    @Option(names = "--output", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
    OutputFormat output;

    @Override
    public Integer call() throws Exception {
      LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
      Optional<LocalClusterState> read = LocalClusterState.read(layout.stateFile());
      boolean running = read.map(LocalCluster::isSupervisorAlive).orElse(false);
      if (read.isEmpty() || !running) {
        spec.commandLine().getErr().println("miroir: no local cluster is running from " + layout.root());
        return 1;
      }
      LocalClusterState state = read.get();
      long epoch = servedEpoch(state, layout).orElseGet(() -> fileEpoch(layout));
      java.util.function.Predicate<LocalClusterState.LocalNode> nodeRunning =
          n -> LocalCluster.runningNode(layout, n).isPresent();
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode json = mapper.createObjectNode();
      json.put("router", state.router());
      json.put("epoch", epoch);
      var nodes = json.putArray("nodes");
      state.nodes().forEach(n -> nodes.addObject().put("id", n.id()).put("url", n.url()).put("pid", n.pid())
          .put("running", nodeRunning.test(n)));
      if (output == OutputFormat.json) {
        spec.commandLine().getOut().println(mapper.writeValueAsString(json));
      } else {
        spec.commandLine().getOut().printf("router %s, epoch %d, %d shards, RF %d%n", state.router(), epoch, state.shards(), state.replicationFactor());
        state.nodes().forEach(n -> spec.commandLine().getOut().printf("  %s %s %s%n", n.id(), n.url(),
            nodeRunning.test(n) ? "running (pid " + n.pid() + ")" : "DOWN"));
        dev.miroir.cli.local.LocalRebalance.describe(layout).ifPresent(spec.commandLine().getOut()::println);
      }
      return 0;
    }

    /** The epoch the router actually serves, which is what matters once a topology changes. */
    private static Optional<Long> servedEpoch(LocalClusterState state, LocalLayout layout) {
      try {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(state.router() + "/_miroir/topology"))
            .timeout(Duration.ofSeconds(5));
        // The router's own routes need the master key, which local mode keeps in the data directory.
        if (Files.exists(layout.masterKeyFile())) {
          request.header("Authorization", "Bearer " + Files.readString(layout.masterKeyFile()).strip());
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          return Optional.empty();
        }
        JsonNode body = new ObjectMapper().readTree(response.body());
        return body.has("epoch") ? Optional.of(body.get("epoch").asLong()) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }

    private static long fileEpoch(LocalLayout layout) {
      try {
        return TopologyCodec.decode(Files.readString(layout.topologyFile())).epoch();
      } catch (IOException e) {
        return 0;
      }
    }
  }

  /** One node of a running local cluster, by id: what kill-node and restart-node act on. */
  abstract static class OneNode implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "The cluster's data directory.")
    Path dataDir;

    @Option(names = "--node", required = true, description = "Node id, e.g. n1 (see `local status`).")
    String node;

    @Override
    public final Integer call() throws Exception {
      LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
      spec.commandLine().getOut().println(act(layout, runningCluster(layout)));
      return 0;
    }

    /** Does it and says what happened, in one line. */
    abstract String act(LocalLayout layout, LocalClusterState state) throws Exception;
  }

  @Command(name = "restart-node", mixinStandardHelpOptions = true,
      description = "Restart one node of a running local cluster on its port, with its data.")
  static final class RestartNode extends OneNode {
    @Override
    String act(LocalLayout layout, LocalClusterState state) throws Exception {
      if (state.node(node).isEmpty()) {
        throw new IllegalArgumentException("no node " + node + " in " + layout.root());
      }
      long pid = dev.miroir.cli.local.LocalControl.requestRestart(layout, node, Duration.ofSeconds(120));
      return "Restarted node " + node + " at " + state.node(node).get().url() + " (pid " + pid + ")";
    }
  }

  @Command(name = "kill-node", mixinStandardHelpOptions = true,
      description = "SIGKILL one node of a running local cluster, as a crash would (chaos tests, demos).")
  static final class KillNode extends OneNode {
    @Override
    String act(LocalLayout layout, LocalClusterState state) throws Exception {
      Optional<Long> killed = LocalCluster.killNode(layout, node);
      return killed.isPresent()
          ? "Killed node " + node + " (pid " + killed.get() + ") with SIGKILL; bring it back with"
              + " `./miroir local restart-node --data-dir " + layout.root() + " --node " + node + "`"
          : "Node " + node + " was not running";
    }
  }

  private static LocalClusterState runningCluster(LocalLayout layout) throws IOException {
    Optional<LocalClusterState> state = LocalClusterState.read(layout.stateFile());
    if (state.isEmpty() || !LocalCluster.isSupervisorAlive(state.get())) {
      throw new IllegalStateException("no local cluster is running from " + layout.root()
          + "; `./miroir local up --data-dir " + layout.root() + "` starts it (and any node that died)");
    }
    return state.get();
  }
}
