package dev.miroir.local;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One JVM shutdown hook for every live {@link MeilisearchProcess}, so that a test run that ends
 * abruptly (System.exit, Ctrl-C, surefire timeout with SIGTERM) leaves no node behind holding ports
 * and disk. A SIGKILLed JVM runs no hooks; nothing in-process can cover that case.
 */
final class ProcessReaper {

    private static final Set<MeilisearchProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private ProcessReaper() {
    }

    static void register(MeilisearchProcess p) {
        installHook();
        LIVE.add(p);
    }

    static void unregister(MeilisearchProcess p) {
        LIVE.remove(p);
    }

    static int liveCount() {
        return LIVE.size();
    }

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (ProcessReaper.class) {
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(ProcessReaper::reapAll, "meilisearch-reaper"));
                hookInstalled = true;
            }
        }
    }

    private static void reapAll() {
        List<MeilisearchProcess> all = List.copyOf(LIVE);
        // Signal all first, then wait: shutdown hooks should be quick and nodes stop in parallel.
        for (MeilisearchProcess p : all) {
            p.signalTermFromHook();
        }
        for (MeilisearchProcess p : all) {
            p.finishFromHook();
        }
    }
}
