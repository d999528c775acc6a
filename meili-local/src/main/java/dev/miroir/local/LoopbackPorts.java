package dev.miroir.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free ports on the loopback interface, for every process a test or local mode starts (never a fixed port). */
public final class LoopbackPorts {

    private LoopbackPorts() {
    }

    /** A port nothing listens on now; the caller binds it soon, and retries if another process won the race. */
    public static int free() {
        try (ServerSocket s = new ServerSocket()) {
            // No SO_REUSEADDR: we want the kernel to hand out a port nobody is lingering on.
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new MeilisearchLocalException("Cannot find a free loopback port", e);
        }
    }
}
