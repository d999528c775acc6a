package dev.miroir.local;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Extracts a single regular file from a .tar.gz.
 *
 * <p>Written in Java rather than shelling out to {@code tar} so that extraction cannot be steered by
 * names in the archive (we never create a path from an entry name) and works where {@code tar} is
 * missing or is a BSD variant. Understands ustar prefixes, PAX {@code path}/{@code size} records and
 * GNU long names, which is what npm (node-tar) produces.
 */
final class TarGz {

    private static final int BLOCK = 512;

    private TarGz() {
    }

    /**
     * Copies the entry named {@code entryName} to {@code target} (created, must not exist).
     *
     * @return the lowercase hex SHA-256 of the extracted bytes, computed while writing so the file is
     *     read only once
     * @throws IOException if the archive is malformed or has no such regular-file entry
     */
    static String extractEntry(Path tarGz, String entryName, Path target) throws IOException {
        try (InputStream raw = Files.newInputStream(tarGz);
             DataInputStream in = new DataInputStream(
                     new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16))) {
            byte[] header = new byte[BLOCK];
            String paxPath = null;
            long paxSize = -1;
            String gnuLongName = null;
            while (true) {
                if (!readBlock(in, header)) {
                    break;
                }
                if (isZeroBlock(header)) {
                    break;
                }
                verifyChecksum(header);
                char type = (char) header[156];
                long size = paxSize >= 0 ? paxSize : parseSize(header);
                String name;
                if (paxPath != null) {
                    name = paxPath;
                } else if (gnuLongName != null) {
                    name = gnuLongName;
                } else {
                    name = headerName(header);
                }
                switch (type) {
                    case 'x' -> {
                        byte[] pax = readData(in, size);
                        paxPath = paxValue(pax, "path");
                        String s = paxValue(pax, "size");
                        paxSize = s == null ? -1 : Long.parseLong(s.trim());
                        continue;
                    }
                    case 'L' -> {
                        gnuLongName = cString(readData(in, size), 0, (int) size);
                        continue;
                    }
                    case 'g' -> {
                        skipData(in, size);
                        continue;
                    }
                    default -> {
                        // handled below
                    }
                }
                paxPath = null;
                paxSize = -1;
                gnuLongName = null;
                boolean regular = type == '0' || type == '\0' || type == '7';
                if (regular && normalize(name).equals(entryName)) {
                    return copyData(in, size, target);
                }
                skipData(in, size);
            }
        }
        throw new IOException("entry '" + entryName + "' not found in " + tarGz.getFileName());
    }

    private static String normalize(String name) {
        return name.startsWith("./") ? name.substring(2) : name;
    }

    private static boolean readBlock(DataInputStream in, byte[] block) throws IOException {
        int first = in.read(block, 0, BLOCK);
        if (first < 0) {
            return false; // some writers omit the two terminating zero blocks
        }
        if (first < BLOCK) {
            in.readFully(block, first, BLOCK - first);
        }
        return true;
    }

    private static boolean isZeroBlock(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void verifyChecksum(byte[] header) throws IOException {
        long stored = parseOctal(header, 148, 8);
        long unsigned = 0;
        for (int i = 0; i < BLOCK; i++) {
            unsigned += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (stored != unsigned) {
            throw new IOException("corrupt tar header (checksum mismatch)");
        }
    }

    private static String headerName(byte[] header) {
        String name = cString(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        if (ustar) {
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private static long parseSize(byte[] header) throws IOException {
        if ((header[124] & 0x80) != 0) {
            // GNU base-256 encoding, used for entries of 8 GiB and more
            long v = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        return parseOctal(header, 124, 12);
    }

    private static long parseOctal(byte[] b, int off, int len) throws IOException {
        long v = 0;
        int end = off + len;
        int i = off;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        for (; i < end && b[i] != 0 && b[i] != ' '; i++) {
            if (b[i] < '0' || b[i] > '7') {
                throw new IOException("corrupt tar header (bad octal field)");
            }
            v = (v << 3) + (b[i] - '0');
        }
        return v;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static String paxValue(byte[] pax, String key) {
        // Records are "<len> <key>=<value>\n"; len counts the whole record in bytes.
        int pos = 0;
        while (pos < pax.length) {
            int sp = pos;
            while (sp < pax.length && pax[sp] != ' ') {
                sp++;
            }
            if (sp >= pax.length) {
                break;
            }
            int len;
            try {
                len = Integer.parseInt(new String(pax, pos, sp - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break;
            }
            if (len <= 0 || pos + len > pax.length) {
                break;
            }
            String record = new String(pax, sp + 1, pos + len - sp - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0 && record.substring(0, eq).equals(key)) {
                return record.substring(eq + 1);
            }
            pos += len;
        }
        return null;
    }

    private static byte[] readData(DataInputStream in, long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("tar metadata entry too large: " + size);
        }
        byte[] data = new byte[(int) size];
        in.readFully(data);
        in.skipNBytes(padding(size));
        return data;
    }

    private static void skipData(DataInputStream in, long size) throws IOException {
        in.skipNBytes(size + padding(size));
    }

    private static String copyData(DataInputStream in, long size, Path target) throws IOException {
        MessageDigest sha256 = Digests.sha256();
        try (OutputStream out = new DigestOutputStream(
                Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), sha256)) {
            byte[] buf = new byte[1 << 16];
            long remaining = size;
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    throw new EOFException("tar entry truncated");
                }
                out.write(buf, 0, n);
                remaining -= n;
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static long padding(long size) {
        long rem = size % BLOCK;
        return rem == 0 ? 0 : BLOCK - rem;
    }
}
