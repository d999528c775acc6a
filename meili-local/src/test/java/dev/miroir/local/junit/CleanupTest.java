package dev.miroir.local.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.miroir.local.MeilisearchNodes;
import dev.miroir.local.MeilisearchProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

class CleanupTest {

    /** What the fixtures saw while their nodes were running. */
    record Seen(Path dataDir, long pid) {
    }

    static final List<Seen> SEEN = new CopyOnWriteArrayList<>();
    private static volatile boolean fixturesEnabled;

    /** Keeps the fixtures from running on their own if a build ever discovers nested classes. */
    static boolean fixturesEnabled() {
        return fixturesEnabled;
    }

    @AfterEach
    void reset() {
        fixturesEnabled = false;
        SEEN.clear();
    }

    @Test
    void programmaticNodesAreStoppedAndTheirDirectoriesRemovedOnClose() {
        List<Seen> seen;
        try (MeilisearchNodes nodes = MeilisearchNodes.start(2)) {
            seen = record(nodes.processes());
            for (Seen s : seen) {
                assertThat(s.dataDir().resolve("data.ms")).isDirectory();
                assertThat(s.dataDir().resolve(MeilisearchProcess.LOG_FILE_NAME)).isRegularFile();
                assertThat(alive(s.pid())).isTrue();
            }
        }
        assertGone(seen);
    }

    @Test
    void extensionCleansUpAfterFailingTestsAtClassAndMethodLevel() {
        fixturesEnabled = true;
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(FailingClassLevelFixture.class), selectClass(FailingMethodLevelFixture.class))
                .execute();

        // The fixtures must really have failed, otherwise this test proves nothing about failures.
        results.testEvents().assertStatistics(stats -> stats.started(3).failed(3));
        assertThat(SEEN).hasSize(2 + 2 + 1); // class-level pair seen by two tests (same nodes) + one method node
        assertThat(SEEN.stream().map(Seen::dataDir).distinct()).hasSize(3);
        assertGone(SEEN);
    }

    private static List<Seen> record(List<MeilisearchProcess> processes) {
        return processes.stream().map(p -> new Seen(p.dataDir(), p.pid())).toList();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void assertGone(List<Seen> seen) {
        assertThat(seen).isNotEmpty();
        for (Seen s : seen) {
            assertThat(Files.exists(s.dataDir())).as("data dir %s removed", s.dataDir()).isFalse();
            assertThat(alive(s.pid())).as("pid %d stopped", s.pid()).isFalse();
        }
    }

    @EnabledIf("dev.miroir.local.junit.CleanupTest#fixturesEnabled")
    @WithMeilisearch(nodes = 2)
    static class FailingClassLevelFixture {

        @Test
        void failsWithAssertion(List<MeilisearchProcess> nodes) {
            SEEN.addAll(record(nodes));
            fail("deliberate failure");
        }

        @Test
        void failsWithException(List<MeilisearchProcess> nodes) {
            SEEN.addAll(record(nodes));
            throw new IllegalStateException("deliberate error");
        }
    }

    @EnabledIf("dev.miroir.local.junit.CleanupTest#fixturesEnabled")
    static class FailingMethodLevelFixture {

        @Test
        @WithMeilisearch
        void failsWithOwnNode(MeilisearchProcess node) {
            SEEN.addAll(record(List.of(node)));
            fail("deliberate failure");
        }
    }
}
