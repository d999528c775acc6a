package dev.miroir.router.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.miroir.local.MeiliHttp;
import org.junit.jupiter.api.Test;

/** The harness accepts a semantic-search difference only when the router's hits are the exact neighbours. */
class ExactNeighboursTest {

  static JsonNode hits(int... ids) throws Exception {
    StringBuilder b = new StringBuilder("{\"hits\":[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",").append("{\"id\":").append(ids[i]).append('}');
    }
    return MeiliHttp.mapper().readTree(b.append("]}").toString());
  }

  static Conformance.Step post(String path, String body) {
    return new Conformance.Step("POST " + path, "POST", path, "application/json", body, null);
  }

  @Test
  void aSemanticSearchIsListedOnlyWhenTheRouterFoundTheExactNeighbours() throws Exception {
    Conformance.Step search = post("/indexes/vecs/search",
        "{\"vector\":[1,0,0.5],\"hybrid\":{\"embedder\":\"manual\",\"semanticRatio\":1.0},\"limit\":5}");
    // Seen in CI: the node answered item 7 (cosine 0.864) where item 12 (0.978) is nearer.
    assertThat(ExactNeighbours.judge(search, hits(19, 6, 13, 0, 12))).isEqualTo(ExactNeighbours.REASON);
    assertThat(ExactNeighbours.judge(search, hits(19, 6, 13, 0, 7))).isNull();
    assertThat(ExactNeighbours.judge(search, hits(6, 19, 13, 0, 12))).as("order matters").isNull();
  }

  @Test
  void similarDocumentsExcludeTheDocumentAndFollowTheFilter() throws Exception {
    assertThat(ExactNeighbours.judge(post("/indexes/vecs/similar", "{\"id\":3,\"embedder\":\"manual\",\"limit\":4}"),
        hits(9, 16, 22, 15))).isEqualTo(ExactNeighbours.REASON);
    assertThat(ExactNeighbours.judge(post("/indexes/vecs/similar",
        "{\"id\":5,\"embedder\":\"manual\",\"filter\":\"kind = k1\",\"showRankingScore\":true}"),
        hits(4, 10, 19, 16, 13, 22, 7, 1))).isEqualTo(ExactNeighbours.REASON);
    assertThat(ExactNeighbours.judge(new Conformance.Step("GET", "GET", "/indexes/vecs/similar?id=7&embedder=manual&limit=3",
        null, null, null), hits(13, 1, 20))).isEqualTo(ExactNeighbours.REASON);
  }

  @Test
  void otherCallsAreNotJudged() throws Exception {
    assertThat(ExactNeighbours.judge(post("/indexes/vecs/search",
        "{\"q\":\"item\",\"vector\":[0,1,0.2],\"hybrid\":{\"embedder\":\"manual\",\"semanticRatio\":0.5}}"), hits(1)))
        .isNull();
    assertThat(ExactNeighbours.judge(post("/indexes/movies/search", "{\"q\":\"night\"}"), hits(1))).isNull();
  }
}
