package dev.miroir.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * How to run one Meilisearch node. Build with {@link #builder()}.
 *
 * @param dataDir directory holding the node's database, dumps, snapshots and log; {@code null} means a
 *     fresh temporary directory that is deleted when the process is closed
 * @param deleteDataDirOnClose delete {@code dataDir} on {@link MeilisearchProcess#close()} (always true
 *     for a temporary directory)
 * @param masterKey master key; never logged
 * @param port fixed port, or 0 to pick a free loopback port
 * @param binary executable to run, or {@code null} for {@link MeilisearchBinary#resolve()}
 * @param extraArgs appended verbatim to the command line (e.g. experimental flags)
 */
public record MeilisearchOptions(
        Path dataDir,
        boolean deleteDataDirOnClose,
        String masterKey,
        Environment environment,
        int port,
        String maxIndexingMemory,
        int maxIndexingThreads,
        Duration startupTimeout,
        Duration stopTimeout,
        Path binary,
        List<String> extraArgs) {

    /** Meilisearch refuses to start in production with a shorter key. */
    public static final int MIN_PRODUCTION_KEY_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    public enum Environment {
        DEVELOPMENT("development"),
        PRODUCTION("production");

        private final String flag;

        Environment(String flag) {
            this.flag = flag;
        }

        public String flag() {
            return flag;
        }
    }

    public MeilisearchOptions {
        Objects.requireNonNull(masterKey, "masterKey");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(maxIndexingMemory, "maxIndexingMemory");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        extraArgs = List.copyOf(extraArgs);
        if (masterKey.isEmpty()) {
            throw new IllegalArgumentException("masterKey must not be empty");
        }
        if (environment == Environment.PRODUCTION
                && masterKey.getBytes(StandardCharsets.UTF_8).length < MIN_PRODUCTION_KEY_BYTES) {
            // Said here rather than discovered from a process that exits during startup.
            throw new IllegalArgumentException("Meilisearch in production needs a master key of at least "
                    + MIN_PRODUCTION_KEY_BYTES + " bytes");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (maxIndexingThreads < 1) {
            throw new IllegalArgumentException("maxIndexingThreads must be >= 1");
        }
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.dataDir = dataDir;
        b.deleteDataDirOnClose = deleteDataDirOnClose;
        b.masterKey = masterKey;
        b.environment = environment;
        b.port = port;
        b.maxIndexingMemory = maxIndexingMemory;
        b.maxIndexingThreads = maxIndexingThreads;
        b.startupTimeout = startupTimeout;
        b.stopTimeout = stopTimeout;
        b.binary = binary;
        b.extraArgs = new ArrayList<>(extraArgs);
        return b;
    }

    /** 32 URL-safe characters (192 random bits): valid in production, safe in a header. */
    public static String randomMasterKey() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        // Records print every component; the key must never reach a log or an assertion message.
        return "MeilisearchOptions[dataDir=" + dataDir + ", deleteDataDirOnClose=" + deleteDataDirOnClose
                + ", masterKey=***, environment=" + environment + ", port=" + port + ", maxIndexingMemory="
                + maxIndexingMemory + ", maxIndexingThreads=" + maxIndexingThreads + ", startupTimeout="
                + startupTimeout + ", stopTimeout=" + stopTimeout + ", binary=" + binary + ", extraArgs="
                + extraArgs + "]";
    }

    public static final class Builder {
        private Path dataDir;
        private boolean deleteDataDirOnClose;
        private String masterKey;
        private Environment environment = Environment.DEVELOPMENT;
        private int port;
        // Small defaults: tests run several nodes at once on 2-core CI runners.
        private String maxIndexingMemory = "256MiB";
        private int maxIndexingThreads = 1;
        private Duration startupTimeout = Duration.ofSeconds(60);
        private Duration stopTimeout = Duration.ofSeconds(10);
        private Path binary;
        private List<String> extraArgs = new ArrayList<>();

        private Builder() {
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder deleteDataDirOnClose(boolean delete) {
            this.deleteDataDirOnClose = delete;
            return this;
        }

        /** Defaults to a fresh {@link #randomMasterKey()} per {@link #build()}. */
        public Builder masterKey(String masterKey) {
            this.masterKey = masterKey;
            return this;
        }

        public Builder environment(Environment environment) {
            this.environment = environment;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Passed to {@code --max-indexing-memory}, e.g. {@code "256MiB"} or {@code "1GiB"}. */
        public Builder maxIndexingMemory(String maxIndexingMemory) {
            this.maxIndexingMemory = maxIndexingMemory;
            return this;
        }

        public Builder maxIndexingThreads(int maxIndexingThreads) {
            this.maxIndexingThreads = maxIndexingThreads;
            return this;
        }

        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = startupTimeout;
            return this;
        }

        /** How long {@link MeilisearchProcess#stop()} waits after SIGTERM before SIGKILL. */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
            return this;
        }

        public Builder binary(Path binary) {
            this.binary = binary;
            return this;
        }

        public Builder extraArgs(List<String> extraArgs) {
            this.extraArgs = new ArrayList<>(extraArgs);
            return this;
        }

        public Builder addArgs(String... args) {
            this.extraArgs.addAll(List.of(args));
            return this;
        }

        public MeilisearchOptions build() {
            return new MeilisearchOptions(dataDir, deleteDataDirOnClose || dataDir == null,
                    masterKey != null ? masterKey : randomMasterKey(), environment, port, maxIndexingMemory,
                    maxIndexingThreads, startupTimeout, stopTimeout, binary, extraArgs);
        }
    }
}
