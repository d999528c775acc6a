package dev.miroir.local;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ending a child process, the two ways tests and local mode need: {@link #stop} as an operator would
 * (SIGTERM, a grace period, then SIGKILL) and {@link #kill} as a crash would (SIGKILL). Both wait for
 * the process to be gone, so its ports and files are free when they return.
 */
public final class ChildProcesses {

    private ChildProcesses() {
    }

    /**
     * SIGTERM, then SIGKILL if the process is still running after {@code grace}.
     *
     * @return false when the process ignored SIGTERM and had to be killed
     */
    public static boolean stop(Process p, Duration grace) {
        if (p == null || !p.isAlive()) {
            return true;
        }
        p.destroy();
        try {
            if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            p.destroyForcibly();
            p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** SIGKILL: no shutdown hook, nothing flushed beyond what the process already wrote. */
    public static void kill(Process p) {
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
