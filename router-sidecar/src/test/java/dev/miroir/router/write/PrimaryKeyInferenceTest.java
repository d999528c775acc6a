package dev.miroir.router.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.ApiException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cases checked against a real Meilisearch 1.21 node (messages copied from its failed tasks). */
class PrimaryKeyInferenceTest {

  private static ObjectNode doc(String json) throws Exception {
    return (ObjectNode) DocumentPayloads.JSON.readTree(json);
  }

  @Test
  void indexKeyWinsThenQueryThenTheSingleIdField() throws Exception {
    assertThat(PrimaryKeyInference.decide(Optional.of("sku"), null, doc("{\"id\":1}"))).contains("sku");
    assertThat(PrimaryKeyInference.decide(Optional.empty(), "ref", doc("{\"id\":1}"))).contains("ref");
    assertThat(PrimaryKeyInference.decide(Optional.empty(), null, doc("{\"Id\":1,\"title\":\"x\"}"))).contains("Id");
    assertThat(PrimaryKeyInference.decide(Optional.empty(), null, null)).isEmpty();
  }

  @Test
  void noCandidate() {
    assertThatThrownBy(() -> PrimaryKeyInference.decide(Optional.empty(), null, doc("{\"title\":\"x\"}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().code())
            .isEqualTo("index_primary_key_no_candidate_found"));
  }

  @Test
  void severalCandidatesAreNamedInDocumentOrderIgnoringCase() {
    assertThatThrownBy(() -> PrimaryKeyInference.decide(Optional.empty(), null,
            doc("{\"ID\":1,\"title\":\"x\",\"bid\":{\"a\":1}}")))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.error().code()).isEqualTo("index_primary_key_multiple_candidates_found");
          assertThat(e.error().message()).contains("found 2 fields ending with `id` in their names: 'ID' and 'bid'");
        });
  }
}
