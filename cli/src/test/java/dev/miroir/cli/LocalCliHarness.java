package dev.miroir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.miroir.cli.local.LocalClusterFixture;
import dev.miroir.cli.local.LocalClusterState;
import dev.miroir.cli.local.LocalLayout;
import dev.miroir.local.MeiliHttp;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./miroir local} as a user runs it: each command in its own JVM, a detached cluster of real nodes. */
abstract class LocalCliHarness {

  static final String KEY = "crash-test-master-key-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;
  int port;

  record Run(int exit, String out, String err) {}

  /** The CLI in its own JVM, over the test's class path, with the key in its environment. */
  Run miroir(String... args) throws Exception {
    String classPath = Optional.ofNullable(System.getProperty("surefire.test.class.path"))
        .orElse(System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-cp", classPath, "dev.miroir.cli.MiroirCli"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("miroir-out-", ".txt");
    Path err = Files.createTempFile("miroir-err-", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("MIROIR_MASTER_KEY", KEY);
    Process process = builder.start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("miroir " + String.join(" ", args) + " did not finish");
    }
    Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return run;
  }

  Run up(int shards) throws Exception {
    Run run = miroir("local", "up", "--nodes", "2", "--rf", "2", "--shards", "" + shards, "--port", "" + port,
        "--data-dir", dataDir.toString(), "--detach");
    Path log = layout().logFile();
    return run.exit() != 1 || !Files.exists(log) ? run : new Run(run.exit(), run.out(), run.err() + text(log));
  }

  LocalLayout layout() {
    return new LocalLayout(dataDir.toAbsolutePath());
  }

  LocalClusterState state() throws Exception {
    return LocalClusterState.read(layout().stateFile()).orElseThrow();
  }

  MeiliHttp router() throws Exception {
    return new MeiliHttp(URI.create(state().router()), KEY);
  }

  static void kill9(long pid) throws Exception {
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("pid " + pid + " not running"));
    process.destroyForcibly();
    process.onExit().get(30, TimeUnit.SECONDS);
  }

  static long documentsOn(String nodeUrl) {
    return new MeiliHttp(URI.create(nodeUrl), KEY).get("/indexes/movies/stats").requireSuccess().body()
        .path("numberOfDocuments").asLong();
  }

  void everyTaskAnswersWithItself(Map<Long, String> typeOfUid) throws Exception {
    MeiliHttp router = router();
    typeOfUid.forEach((uid, type) -> {
      JsonNode task = router.awaitTaskSucceeded(uid, Duration.ofSeconds(60));
      assertThat(task.path("type").asText()).as("task %s", uid).isEqualTo(type);
    });
  }

  @AfterEach
  void stopEverything() throws Exception {
    miroir("local", "down", "--data-dir", dataDir.toString());
  }

  static int freeBasePort(int count) throws Exception {
    return LocalClusterFixture.freeBasePort(count);
  }

  static String text(Path file) throws Exception {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
