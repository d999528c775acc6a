package dev.miroir.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Meilisearch node listening on 127.0.0.1, with its own data directory. Thread-safe.
 *
 * <pre>{@code
 * try (MeilisearchProcess node = MeilisearchProcess.start()) {
 *     MeiliHttp http = node.http();
 *     ...
 * }
 * }</pre>
 */
public final class MeilisearchProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeilisearchProcess.class);

    public static final String LOG_FILE_NAME = "meilisearch.log";

    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HEALTH_CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();

    private final MeilisearchOptions options;
    private final Path binary;
    private final Path dataDir;
    private final boolean autoPort;
    private volatile int port;
    private volatile Process process;
    private volatile boolean closed;

    private MeilisearchProcess(MeilisearchOptions options, Path binary, Path dataDir) {
        this.options = options;
        this.binary = binary;
        this.dataDir = dataDir;
        this.autoPort = options.port() == 0;
        this.port = options.port();
    }

    /** Starts a development node with a random key in a temporary directory removed on close. */
    public static MeilisearchProcess start() {
        return start(MeilisearchOptions.builder().build());
    }

    /** Starts a node and returns once {@code GET /health} reports {@code available}. */
    public static MeilisearchProcess start(MeilisearchOptions options) {
        Path binary = options.binary() != null ? options.binary() : MeilisearchBinary.resolve();
        Path dir;
        try {
            dir = options.dataDir() != null
                    ? Files.createDirectories(options.dataDir()).toAbsolutePath()
                    : Files.createTempDirectory("miroir-meili-").toAbsolutePath();
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot create data directory " + options.dataDir(), e);
        }
        MeilisearchProcess p = new MeilisearchProcess(options, binary, dir);
        ProcessReaper.register(p);
        try {
            p.launch(false);
        } catch (RuntimeException | Error e) {
            try {
                p.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return p;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public String masterKey() {
        return options.masterKey();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return dataDir.resolve(LOG_FILE_NAME);
    }

    public MeilisearchOptions options() {
        return options;
    }

    /** OS process id of the current incarnation, or -1 if never started. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** A client authenticated with this node's master key. */
    public MeiliHttp http() {
        return new MeiliHttp(url(), masterKey());
    }

    /** Graceful stop: SIGTERM, wait up to the stop timeout, then SIGKILL. Data directory is kept. */
    public synchronized void stop() {
        if (!ChildProcesses.stop(process, options.stopTimeout())) {
            LOG.warn("Meilisearch on port {} ignored SIGTERM for {}; killed it", port, options.stopTimeout());
        }
    }

    /** SIGKILL, as a crash would: no graceful shutdown. For fault-injection tests. */
    public synchronized void kill() {
        ChildProcesses.kill(process);
    }

    /** Stops the node if it is running and starts it again on the same port with the same data. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        stop();
        launch(true);
    }

    /** Stops the node and, if it owns its data directory, deletes it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            ProcessReaper.unregister(this);
            if (options.deleteDataDirOnClose()) {
                MeilisearchBinary.deleteRecursively(dataDir);
            }
        }
    }

    @Override
    public String toString() {
        return "MeilisearchProcess[" + url() + ", pid=" + pid() + ", dataDir=" + dataDir + "]";
    }

    private synchronized void launch(boolean restarting) {
        // A port picked with ServerSocket(0) can be taken by someone else before Meilisearch binds it:
        // pick another. A restart must keep its port, so it waits instead, in case the killed process's
        // socket is still being torn down. A port the caller fixed is theirs to keep free: fail at once.
        boolean mayChangePort = autoPort && !restarting;
        int attempts = mayChangePort || restarting ? PORT_ATTEMPTS : 1;
        MeilisearchLocalException last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (mayChangePort && (port == 0 || attempt > 0)) {
                port = LoopbackPorts.free();
            }
            try {
                launchOnce();
                return;
            } catch (BindRace e) {
                last = e;
                LOG.debug("Port {} is in use; attempt {} of {}", port, attempt + 1, attempts);
                if (!mayChangePort && attempt + 1 < attempts) {
                    sleep(200L * (attempt + 1));
                }
            }
        }
        throw new MeilisearchLocalException("Could not bind Meilisearch to 127.0.0.1:" + port + " after "
                + attempts + " attempt(s): address already in use", last);
    }

    private void launchOnce() {
        Path log = logFile();
        long logOffset;
        try {
            Files.createDirectories(dataDir);
            logOffset = Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "--http-addr", "127.0.0.1:" + port,
                "--db-path", dataDir.resolve("data.ms").toString(),
                "--dump-dir", dataDir.resolve("dumps").toString(),
                "--snapshot-dir", dataDir.resolve("snapshots").toString(),
                "--env", options.environment().flag(),
                "--no-analytics",
                "--max-indexing-memory", options.maxIndexingMemory(),
                "--max-indexing-threads", Integer.toString(options.maxIndexingThreads())));
        cmd.addAll(options.extraArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                // Meilisearch reads ./config.toml if present; run where only we put files.
                .directory(dataDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        // A developer's MEILI_* variables (e.g. MEILI_MASTER_KEY, MEILI_ENV) would silently override flags.
        env.keySet().removeIf(k -> k.startsWith("MEILI_"));
        // Via the environment, not --master-key, so the key never shows up in `ps` output.
        env.put("MEILI_MASTER_KEY", options.masterKey());
        env.put("NO_COLOR", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot start " + binary + ": " + e.getMessage(), e);
        }
        process = p;
        awaitHealthy(p, logOffset);
        LOG.info("Meilisearch started at {} (pid {}, data {})", url(), p.pid(), dataDir);
    }

    private void awaitHealthy(Process p, long logOffset) {
        long deadline = System.nanoTime() + options.startupTimeout().toNanos();
        HttpRequest req = HttpRequest.newBuilder(url().resolve("/health"))
                // Short: if someone else holds the port, their socket may accept and never answer, and
                // we need to get back to noticing that our process has exited. A timeout just retries.
                .timeout(Duration.ofMillis(500))
                .GET()
                .build();
        String lastProblem = "no answer yet";
        while (true) {
            if (!p.isAlive()) {
                String tail = tail(logOffset);
                if (tail.contains("os error 98") || tail.contains("Address already in use")) {
                    throw new BindRace(tail);
                }
                throw new MeilisearchLocalException("Meilisearch exited with code " + p.exitValue()
                        + " before becoming healthy on port " + port + ". Log " + logFile() + " ends with:\n" + tail);
            }
            try {
                HttpResponse<String> resp = HEALTH_CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200) {
                    JsonNode body = JSON.readTree(resp.body());
                    if ("available".equals(body.path("status").asText())) {
                        return;
                    }
                }
                lastProblem = "HTTP " + resp.statusCode() + " " + resp.body();
            } catch (IOException e) {
                lastProblem = e.toString();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new MeilisearchLocalException("Interrupted while waiting for Meilisearch to start", e);
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new MeilisearchLocalException("Meilisearch on port " + port + " was not healthy within "
                        + options.startupTimeout() + " (last: " + lastProblem + "). Log " + logFile()
                        + " ends with:\n" + tail(logOffset));
            }
            sleep(50);
        }
    }

    private String tail(long fromOffset) {
        String t = LogTail.read(logFile(), fromOffset, LOG_TAIL_LINES);
        // Meilisearch does not print the key today; redact anyway, this text ends up in CI reports.
        return t.replace(options.masterKey(), "***");
    }

    /** First half of shutdown from the JVM hook: signal without waiting. */
    void signalTermFromHook() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
        }
    }

    /** Second half: wait briefly, force, clean up. Not synchronized: a test thread may hold the lock. */
    void finishFromHook() {
        Process p = process;
        if (p != null) {
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        if (options.deleteDataDirOnClose()) {
            MeilisearchBinary.deleteRecursively(dataDir);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeilisearchLocalException("Interrupted", e);
        }
    }

    private static final class BindRace extends MeilisearchLocalException {
        private static final long serialVersionUID = 1L;

        BindRace(String logTail) {
            super("address already in use:\n" + logTail);
        }
    }
}
