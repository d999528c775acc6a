package dev.miroir.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

final class Digests {

    private Digests() {
    }

    static MessageDigest sha256() {
        return get("SHA-256");
    }

    static MessageDigest sha512() {
        return get("SHA-512");
    }

    static byte[] digest(Path file, MessageDigest md) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    static String sha256Hex(Path file) throws IOException {
        return HexFormat.of().formatHex(digest(file, sha256()));
    }

    private static MessageDigest get(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            // Both are mandatory in every Java SE implementation.
            throw new AssertionError(algorithm, e);
        }
    }
}
