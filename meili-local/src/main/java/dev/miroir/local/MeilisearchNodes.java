package dev.miroir.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * A set of independent nodes (each with its own port, data directory and random master key), started
 * together and closed together. Used by the JUnit extension and directly by code that manages nodes
 * itself (e.g. a test kubelet, {@code miroir local up}).
 */
public final class MeilisearchNodes implements AutoCloseable, Iterable<MeilisearchProcess> {

    private final List<MeilisearchProcess> processes;

    private MeilisearchNodes(List<MeilisearchProcess> processes) {
        this.processes = Collections.unmodifiableList(processes);
    }

    /** {@code count} development nodes with default options in temporary directories. */
    public static MeilisearchNodes start(int count) {
        return start(count, (index, builder) -> { });
    }

    /**
     * @param customizer called once per node with its index and a fresh builder (random key, temporary
     *     data directory); may change anything, e.g. environment or indexing limits
     */
    public static MeilisearchNodes start(int count, BiConsumer<Integer, MeilisearchOptions.Builder> customizer) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1");
        }
        List<MeilisearchOptions> options = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MeilisearchOptions.Builder b = MeilisearchOptions.builder();
            customizer.accept(i, b);
            options.add(b.build());
        }
        // Resolve once up front so parallel starts do not race on a first-time install.
        MeilisearchBinary.resolve();

        // Startup is mostly waiting for /health, so starting in parallel pays off even on 2 cores.
        ExecutorService pool = Executors.newFixedThreadPool(count, r -> {
            Thread t = new Thread(r, "meilisearch-start");
            t.setDaemon(true);
            return t;
        });
        List<Future<MeilisearchProcess>> futures = new ArrayList<>();
        try {
            for (MeilisearchOptions o : options) {
                futures.add(pool.submit(() -> MeilisearchProcess.start(o)));
            }
            List<MeilisearchProcess> started = new ArrayList<>();
            RuntimeException failure = null;
            for (Future<MeilisearchProcess> f : futures) {
                try {
                    started.add(f.get());
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re
                            ? re : new MeilisearchLocalException("Node failed to start", e.getCause());
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (failure == null) {
                        failure = new MeilisearchLocalException("Interrupted while starting nodes", e);
                    }
                }
            }
            if (failure != null) {
                // Later futures may still finish after an interrupt; cancel them, then close what started.
                futures.forEach(f -> f.cancel(true));
                new MeilisearchNodes(started).close();
                throw failure;
            }
            return new MeilisearchNodes(started);
        } finally {
            pool.shutdown();
        }
    }

    public List<MeilisearchProcess> processes() {
        return processes;
    }

    public MeilisearchProcess get(int index) {
        return processes.get(index);
    }

    public int size() {
        return processes.size();
    }

    public List<URI> urls() {
        return processes.stream().map(MeilisearchProcess::url).toList();
    }

    public List<Path> dataDirs() {
        return processes.stream().map(MeilisearchProcess::dataDir).toList();
    }

    @Override
    public Iterator<MeilisearchProcess> iterator() {
        return processes.iterator();
    }

    /** Stops every node and removes its temporary files; keeps going if one of them fails. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (MeilisearchProcess p : processes) {
            try {
                p.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "MeilisearchNodes" + urls();
    }
}
