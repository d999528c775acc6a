package dev.miroir.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

final class LogTail {

    /** Only this much of the end of a log is examined, so a huge log never gets loaded. */
    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {
    }

    /** Last {@code lines} lines written at or after byte {@code fromOffset}; never throws. */
    static String read(Path file, long fromOffset, int lines) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long len = raf.length();
            long start = Math.max(fromOffset, len - MAX_BYTES);
            if (start >= len) {
                return "(log is empty)";
            }
            byte[] buf = new byte[(int) (len - start)];
            raf.seek(start);
            raf.readFully(buf);
            String text = new String(buf, StandardCharsets.UTF_8);
            Deque<String> tail = new ArrayDeque<>();
            for (String line : text.split("\\R")) {
                tail.addLast(line);
                if (tail.size() > lines) {
                    tail.removeFirst();
                }
            }
            return String.join("\n", tail);
        } catch (IOException e) {
            return "(log unavailable: " + e.getMessage() + ")";
        }
    }
}
