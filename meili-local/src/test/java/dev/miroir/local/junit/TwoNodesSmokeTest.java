package dev.miroir.local.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchNodes;
import dev.miroir.local.MeilisearchProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@WithMeilisearch(nodes = 2)
class TwoNodesSmokeTest {

    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(30);
    /** Unrelated words per node: "node0"/"node1" would match each other through typo tolerance. */
    private static final List<String> WORDS = List.of("apple", "zebra");
    private static MeilisearchNodes fromBeforeAll;

    @BeforeAll
    static void captureClassNodes(MeilisearchNodes nodes) {
        fromBeforeAll = nodes;
    }

    @Test
    void indexesAndSearchesOnEachNodeIndependently(MeilisearchNodes nodes) {
        assertThat(nodes.size()).isEqualTo(2);
        for (int n = 0; n < nodes.size(); n++) {
            MeiliHttp http = nodes.get(n).http();
            long create = http.post("/indexes", Map.of("uid", "books", "primaryKey", "id")).taskUid();
            http.awaitTaskSucceeded(create, TASK_TIMEOUT);

            List<Map<String, Object>> docs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                docs.add(Map.of("id", i, "title", WORDS.get(n) + " book " + i, "genre", i % 2 == 0 ? "even" : "odd"));
            }
            long add = http.post("/indexes/books/documents", docs).requireSuccess().taskUid();
            JsonNode task = http.awaitTaskSucceeded(add, TASK_TIMEOUT);
            assertThat(task.path("details").path("indexedDocuments").asInt()).isEqualTo(20);
        }

        for (int n = 0; n < nodes.size(); n++) {
            MeiliHttp http = nodes.get(n).http();
            JsonNode own = search(http, WORDS.get(n));
            assertThat(own.path("estimatedTotalHits").asInt()).isEqualTo(20);
            assertThat(own.path("hits")).hasSize(20);
            assertThat(own.path("hits").get(0).path("title").asText()).startsWith(WORDS.get(n) + " book ");

            JsonNode other = search(http, WORDS.get(1 - n));
            assertThat(other.path("hits")).as("nodes must not share data").isEmpty();
        }
    }

    @Test
    void nodesHaveDistinctPortsKeysAndDirectoriesAndEnforceTheirKeys(List<MeilisearchProcess> nodes) {
        MeilisearchProcess a = nodes.get(0);
        MeilisearchProcess b = nodes.get(1);
        assertThat(a.port()).isNotEqualTo(b.port());
        assertThat(a.masterKey()).isNotEqualTo(b.masterKey());
        assertThat(a.dataDir()).isNotEqualTo(b.dataDir());
        assertThat(a.url().getHost()).isEqualTo("127.0.0.1");
        assertThat(nodes).allMatch(MeilisearchProcess::isAlive);

        assertThat(a.http().get("/health").body().path("status").asText()).isEqualTo("available");
        assertThat(a.http().get("/indexes").status()).isEqualTo(200);
        assertThat(a.http().withKey(null).get("/indexes").status()).isEqualTo(401);
        assertThat(a.http().withKey(b.masterKey()).get("/indexes").status()).isEqualTo(403);
    }

    @Test
    void classLevelNodesAreSharedAcrossTestsAndLifecycleMethods(MeilisearchNodes nodes, MeilisearchProcess first,
            MeiliHttp http) {
        assertThat(nodes).isSameAs(fromBeforeAll);
        assertThat(first).isSameAs(nodes.get(0));
        assertThat(http.baseUrl()).isEqualTo(first.url());
    }

    @Nested
    class NestedTests {
        @Test
        void nestedClassesShareTheEnclosingClassNodes(MeilisearchNodes nodes) {
            assertThat(nodes).isSameAs(fromBeforeAll);
        }
    }

    private static JsonNode search(MeiliHttp http, String q) {
        return http.post("/indexes/books/search", Map.of("q", q, "limit", 50)).requireSuccess().body();
    }
}
