package dev.miroir.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeilisearchBinaryTest {

    /** SHA-512 of zero bytes, a well-known constant, as an npm SRI string. */
    private static final String EMPTY_SHA512 =
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";

    @TempDir
    Path tmp;

    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> props = new HashMap<>();

    private MeilisearchBinary resolver(Path cacheDir) {
        // An npm that cannot exist: any attempt to fetch fails loudly instead of hitting the network.
        return new MeilisearchBinary(env::get, props::get, cacheDir, tmp.resolve("no-such-npm").toString());
    }

    @Test
    void tarballWithWrongHashIsRefused() {
        byte[] fake = "definitely not the meilisearch tarball".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> MeilisearchBinary.verifyIntegrity(fake, MeilisearchBinary.NPM_INTEGRITY))
                .isInstanceOf(MeilisearchBinary.IntegrityException.class)
                .hasMessageContaining("Refusing")
                .hasMessageContaining(MeilisearchBinary.NPM_INTEGRITY);
    }

    @Test
    void singleFlippedByteIsRefused() throws IOException {
        byte[] data = "some bytes".getBytes(StandardCharsets.UTF_8);
        String good = MeilisearchBinary.integrityOf(new ByteArrayInputStream(data));
        MeilisearchBinary.verifyIntegrity(data, good);
        data[3] ^= 1;
        assertThatThrownBy(() -> MeilisearchBinary.verifyIntegrity(data, good))
                .isInstanceOf(MeilisearchBinary.IntegrityException.class);
    }

    @Test
    void integrityMatchesKnownSha512AndFileVariantAgrees() throws IOException {
        assertThat(MeilisearchBinary.integrityOf(new ByteArrayInputStream(new byte[0]))).isEqualTo(EMPTY_SHA512);
        MeilisearchBinary.verifyIntegrity(new byte[0], EMPTY_SHA512);

        Path empty = Files.createFile(tmp.resolve("empty.tgz"));
        MeilisearchBinary.verifyIntegrity(empty, EMPTY_SHA512);
        Path nonEmpty = Files.writeString(tmp.resolve("x.tgz"), "x");
        assertThatThrownBy(() -> MeilisearchBinary.verifyIntegrity(nonEmpty, EMPTY_SHA512))
                .isInstanceOf(MeilisearchBinary.IntegrityException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "sha512-not*base64", "sha512-AAAA"})
    void malformedOrWeakIntegrityStringsAreRejected(String integrity) {
        assertThatThrownBy(() -> MeilisearchBinary.verifyIntegrity(new byte[0], integrity))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void overrideToMissingFileFailsNamingTheVariable() {
        env.put(MeilisearchBinary.ENV_VAR, tmp.resolve("nope/meilisearch").toString());
        assertThatThrownBy(() -> resolver(tmp.resolve("cache")).resolveUncached())
                .isInstanceOf(MeilisearchLocalException.class)
                .hasMessageContaining(MeilisearchBinary.ENV_VAR)
                .hasMessageContaining("does not exist");
    }

    @Test
    void overrideToNonExecutableFileFails() throws IOException {
        Path file = Files.writeString(tmp.resolve("meilisearch"), "not a program");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        env.put(MeilisearchBinary.ENV_VAR, file.toString());
        assertThatThrownBy(() -> resolver(tmp.resolve("cache")).resolveUncached())
                .isInstanceOf(MeilisearchLocalException.class)
                .hasMessageContaining("not executable");
    }

    @Test
    void overrideToDirectoryFails() {
        env.put(MeilisearchBinary.ENV_VAR, tmp.toString());
        assertThatThrownBy(() -> resolver(tmp.resolve("cache")).resolveUncached())
                .isInstanceOf(MeilisearchLocalException.class)
                .hasMessageContaining("directory");
    }

    @Test
    void executableOverrideIsUsedWithoutTouchingCacheOrNpm() throws IOException {
        Path script = fakeMeilisearch(tmp.resolve("bin/meilisearch"));
        env.put(MeilisearchBinary.ENV_VAR, "  " + script + "  ");
        Path cache = tmp.resolve("cache");
        assertThat(resolver(cache).resolveUncached()).isEqualTo(script.toAbsolutePath());
        assertThat(cache).doesNotExist();
    }

    @Test
    void systemPropertyTakesPrecedenceOverEnvironment() throws IOException {
        Path script = fakeMeilisearch(tmp.resolve("prop/meilisearch"));
        env.put(MeilisearchBinary.ENV_VAR, tmp.resolve("missing").toString());
        props.put(MeilisearchBinary.SYSTEM_PROPERTY, script.toString());
        assertThat(resolver(tmp.resolve("cache")).resolveUncached()).isEqualTo(script.toAbsolutePath());
    }

    @Test
    void cachedBinaryIsUsedOnlyWhileItMatchesItsMarker() throws IOException {
        Path cache = tmp.resolve("cache");
        Path bin = fakeMeilisearch(cache.resolve(MeilisearchBinary.BINARY_NAME));
        Path marker = cache.resolve(MeilisearchBinary.MARKER_NAME);

        assertThat(MeilisearchBinary.validCachedBinary(cache)).as("no marker yet").isEmpty();

        Files.writeString(marker, Digests.sha256Hex(bin) + "\n");
        assertThat(MeilisearchBinary.validCachedBinary(cache)).contains(bin);
        assertThat(resolver(cache).resolveUncached()).isEqualTo(bin);

        Files.writeString(bin, "\n# tampered", java.nio.file.StandardOpenOption.APPEND);
        assertThat(MeilisearchBinary.validCachedBinary(cache)).as("tampered").isEmpty();
        // With the cache invalid the resolver must try npm, which here cannot be run.
        assertThatThrownBy(() -> resolver(cache).resolveUncached())
                .isInstanceOf(MeilisearchLocalException.class)
                .hasMessageContaining(MeilisearchBinary.ENV_VAR);
    }

    @Test
    void cacheDirFollowsXdgAndIgnoresRelativeValues() {
        Map<String, String> e = new HashMap<>();
        e.put("XDG_CACHE_HOME", "/var/cache/me");
        assertThat(MeilisearchBinary.defaultCacheDir(e::get, "/home/u"))
                .isEqualTo(Path.of("/var/cache/me/miroir/meilisearch/1.21.0"));
        e.put("XDG_CACHE_HOME", "relative/dir");
        assertThat(MeilisearchBinary.defaultCacheDir(e::get, "/home/u"))
                .isEqualTo(Path.of("/home/u/.cache/miroir/meilisearch/1.21.0"));
        e.remove("XDG_CACHE_HOME");
        assertThat(MeilisearchBinary.defaultCacheDir(e::get, "/home/u"))
                .isEqualTo(Path.of("/home/u/.cache/miroir/meilisearch/1.21.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "pax", "ustar"})
    void extractsTheBinaryEntryFromTarballsOfEachFormat(String format) throws Exception {
        Path src = tmp.resolve("src");
        Path pkg = Files.createDirectories(src.resolve("package"));
        // A long sibling path forces GNU long-name / PAX records / ustar prefixes ahead of our entry.
        Path deep = Files.createDirectories(pkg.resolve("d".repeat(60)).resolve("e".repeat(60)));
        Files.writeString(deep.resolve("long-file-name.txt"), "noise");
        Files.writeString(pkg.resolve("package.json"), "{}");
        byte[] payload = new byte[70_000]; // not a multiple of 512, to exercise padding
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        Files.write(pkg.resolve("meilisearch"), payload);

        Path tgz = tmp.resolve("p.tgz");
        Process tar = new ProcessBuilder("tar", "--format=" + format, "-czf", tgz.toString(), "-C", src.toString(),
                "package/package.json", "package/" + "d".repeat(60), "package/meilisearch")
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(out).isZero();

        Path target = tmp.resolve("out");
        String sha = TarGz.extractEntry(tgz, MeilisearchBinary.TARBALL_ENTRY, target);
        assertThat(Files.readAllBytes(target)).isEqualTo(payload);
        assertThat(sha).isEqualTo(Digests.sha256Hex(target));

        String deepName = "package/" + "d".repeat(60) + "/" + "e".repeat(60) + "/long-file-name.txt";
        Path deepOut = tmp.resolve("deep");
        TarGz.extractEntry(tgz, deepName, deepOut);
        assertThat(Files.readString(deepOut)).isEqualTo("noise");

        assertThatThrownBy(() -> TarGz.extractEntry(tgz, "package/missing", tmp.resolve("none")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void realBinaryResolvesAndReportsPinnedVersion() {
        Path bin = MeilisearchBinary.resolve();
        assertThat(bin).isExecutable();
        assertThat(MeilisearchBinary.versionOf(bin)).isEqualTo("meilisearch " + MeilisearchBinary.VERSION);
    }

    private static Path fakeMeilisearch(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\necho 'meilisearch 1.21.0'\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

}
