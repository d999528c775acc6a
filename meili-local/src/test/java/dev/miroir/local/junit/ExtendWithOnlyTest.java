package dev.miroir.local.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.local.MeiliHttp;
import dev.miroir.local.MeilisearchProcess;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without {@link WithMeilisearch}, each test method that asks for a node gets its own default one. */
@ExtendWith(MeilisearchExtension.class)
class ExtendWithOnlyTest {

    @Test
    void injectsOneDefaultNodePerMethod(MeilisearchProcess node, List<MeilisearchProcess> all, MeiliHttp http) {
        assertThat(all).containsExactly(node);
        assertThat(node.isAlive()).isTrue();
        assertThat(http.get("/version").requireSuccess().body().path("pkgVersion").asText()).isEqualTo("1.21.0");
    }
}
