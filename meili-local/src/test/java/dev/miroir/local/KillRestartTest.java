package dev.miroir.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KillRestartTest {

    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void killThenRestartKeepsPortAndData() {
        try (MeilisearchProcess node = MeilisearchProcess.start()) {
            MeiliHttp http = node.http();
            addDocuments(http, "films", 5);
            int port = node.port();
            long pid = node.pid();

            node.kill();
            assertThat(node.isAlive()).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThatThrownBy(() -> http.get("/health")).isInstanceOf(MeilisearchLocalException.class);

            node.restart();
            assertThat(node.isAlive()).isTrue();
            assertThat(node.port()).isEqualTo(port);
            assertThat(node.pid()).isNotEqualTo(pid);
            assertThat(documentCount(http, "films")).isEqualTo(5);

            // And the index still accepts writes after an unclean shutdown.
            addMore(http, "films", 5, 3);
            assertThat(documentCount(http, "films")).isEqualTo(8);
        }
    }

    @Test
    void productionNodeInGivenDirectoryStopsGracefullyAndKeepsItsDirectory(@TempDir Path dir) {
        String key = "a-production-key-of-32-characters";
        MeilisearchOptions options = MeilisearchOptions.builder()
                .dataDir(dir.resolve("node"))
                .masterKey(key)
                .environment(MeilisearchOptions.Environment.PRODUCTION)
                .build();
        try (MeilisearchProcess node = MeilisearchProcess.start(options)) {
            assertThat(node.masterKey()).isEqualTo(key);
            MeiliHttp http = node.http();
            assertThat(http.withKey(null).get("/indexes").status()).isEqualTo(401);
            addDocuments(http, "music", 4);

            node.stop();
            assertThat(node.isAlive()).isFalse();
            node.restart();
            assertThat(documentCount(http, "music")).isEqualTo(4);
        }
        assertThat(dir.resolve("node").resolve("data.ms")).isDirectory();
        assertThat(dir.resolve("node").resolve(MeilisearchProcess.LOG_FILE_NAME)).isRegularFile();
    }

    @Test
    void productionRequiresALongKey() {
        assertThatThrownBy(() -> MeilisearchOptions.builder()
                .masterKey("short")
                .environment(MeilisearchOptions.Environment.PRODUCTION)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes")
                .hasMessageNotContaining("short");
    }

    @Test
    void failedStartupReportsLogTailWithoutTheKey() {
        String key = "never-print-this-key-0123456789";
        MeilisearchOptions options = MeilisearchOptions.builder()
                .masterKey(key)
                .addArgs("--no-such-flag")
                .build();
        assertThat(options.toString()).doesNotContain(key);
        assertThatThrownBy(() -> MeilisearchProcess.start(options))
                .isInstanceOf(MeilisearchLocalException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("--no-such-flag")
                .hasMessageNotContaining(key);
    }

    @Test
    void occupiedFixedPortFailsClearlyAndCleansUp(@TempDir Path dir) throws Exception {
        Path nodeDir = dir.resolve("node");
        try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            MeilisearchOptions options = MeilisearchOptions.builder()
                    .port(squatter.getLocalPort())
                    .dataDir(nodeDir)
                    .deleteDataDirOnClose(true)
                    .build();
            assertThatThrownBy(() -> MeilisearchProcess.start(options))
                    .isInstanceOf(MeilisearchLocalException.class)
                    .hasMessageContaining("127.0.0.1:" + squatter.getLocalPort())
                    .hasMessageContaining("already in use");
        }
        assertThat(nodeDir).doesNotExist();
    }

    static void addDocuments(MeiliHttp http, String index, int count) {
        long create = http.post("/indexes", Map.of("uid", index, "primaryKey", "id")).requireSuccess().taskUid();
        http.awaitTaskSucceeded(create, TASK_TIMEOUT);
        addMore(http, index, 0, count);
    }

    static void addMore(MeiliHttp http, String index, int firstId, int count) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = firstId; i < firstId + count; i++) {
            docs.add(Map.of("id", i, "title", "title " + i));
        }
        long add = http.post("/indexes/" + index + "/documents", docs).requireSuccess().taskUid();
        http.awaitTaskSucceeded(add, TASK_TIMEOUT);
    }

    static long documentCount(MeiliHttp http, String index) {
        JsonNode stats = http.get("/indexes/" + index + "/stats").requireSuccess().body();
        return stats.path("numberOfDocuments").asLong(-1);
    }
}
