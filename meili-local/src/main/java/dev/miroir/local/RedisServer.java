package dev.miroir.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, for tests of anything that keeps state in Redis
 * (the router's shared task store). The binary comes from {@link RedisBinary}: a module whose tests use
 * this class declares the test dependency {@code com.github.codemonstur:embedded-redis} (version managed
 * by the parent POM), and nothing needs installing on the machine.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     String url = redis.url(); // redis://127.0.0.1:<port>
 * }
 * }</pre>
 *
 * <p>{@link #start()} keeps nothing on disk. {@link #startPersistent(Path)} turns on the append-only
 * file with {@code appendfsync always}, so {@link #kill()} then {@link #restart()} shows what a Redis
 * that survives a crash keeps.
 */
public final class RedisServer implements AutoCloseable {

    private static final Set<RedisServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        // A test run that ends abruptly must not leave redis-server processes holding ports.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(s -> {
            Process p = s.process;
            if (p != null) {
                p.destroyForcibly();
            }
        }), "redis-server-reaper"));
    }

    private final Path binary;
    private final Path dir;
    private final boolean persistent;
    private final boolean ownsDir;
    private final int port;
    private volatile Process process;

    private RedisServer(Path binary, Path dir, boolean persistent, boolean ownsDir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.persistent = persistent;
        this.ownsDir = ownsDir;
        this.port = port;
    }

    /** Without persistence, in a temporary directory removed on close. */
    public static RedisServer start() {
        try {
            return launch(Files.createTempDirectory("miroir-redis-"), false, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** With an append-only file in {@code dir} (kept on close), fsynced on every write. */
    public static RedisServer startPersistent(Path dir) {
        try {
            return launch(Files.createDirectories(dir), true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RedisServer launch(Path dir, boolean persistent, boolean ownsDir) {
        RedisServer server = new RedisServer(RedisBinary.resolve(), dir, persistent, ownsDir,
                LoopbackPorts.free());
        LIVE.add(server);
        try {
            server.launchProcess();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** SIGKILL: no shutdown save, as a crash. */
    public synchronized void kill() {
        ChildProcesses.kill(process);
    }

    /** Stops if running, then starts again on the same port over the same directory. */
    public synchronized void restart() {
        stop();
        launchProcess();
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            LIVE.remove(this);
            if (ownsDir) {
                MeilisearchBinary.deleteRecursively(dir);
            }
        }
    }

    private void stop() {
        ChildProcesses.stop(process, Duration.ofSeconds(5));
    }

    private synchronized void launchProcess() {
        Path log = dir.resolve("redis.log");
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--daemonize", "no"));
        if (persistent) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // A restart on a fixed port may meet the killed process's socket still closing: retry.
        while (true) {
            Process p;
            try {
                p = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
            } catch (IOException e) {
                throw new MeilisearchLocalException("Cannot start " + binary + ": " + e.getMessage(), e);
            }
            process = p;
            while (p.isAlive() && !ping() && System.nanoTime() < deadline) {
                sleep(20);
            }
            if (p.isAlive() && ping()) {
                return;
            }
            ChildProcesses.kill(p);
            if (System.nanoTime() >= deadline) {
                throw new MeilisearchLocalException("redis-server did not start on port " + port + ": "
                        + LogTail.read(log, 0, 20));
            }
            sleep(200);
        }
    }

    /**
     * One command, for tests that look at or disturb what the server holds ({@code GET}, {@code FLUSHALL}):
     * the reply of a simple, integer or bulk answer as text, null for a null bulk answer.
     */
    public String call(String... args) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            String line = readLine(in);
            switch (line.charAt(0)) {
                case '+', ':' -> {
                    return line.substring(1);
                }
                case '$' -> {
                    int length = Integer.parseInt(line.substring(1));
                    if (length < 0) {
                        return null;
                    }
                    String value = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                    readLine(in);
                    return value;
                }
                default -> throw new MeilisearchLocalException("redis-server answered " + line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private boolean ping() {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16];
            int n = in.read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
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

    @Override
    public String toString() {
        return "RedisServer[" + url() + ", dir=" + dir + "]";
    }
}
