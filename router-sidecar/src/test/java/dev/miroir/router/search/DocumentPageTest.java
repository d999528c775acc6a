package dev.miroir.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DocumentPageTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aPageIsCutShardByShardFromTheTotals() {
    TreeMap<Integer, Long> totals = new TreeMap<>(Map.of(0, 5L, 1, 0L, 2, 7L, 3, 4L));
    assertThat(DocumentPage.window(totals, 3, 6)).containsExactly(
        new DocumentPage.Piece(0, 3, 2), new DocumentPage.Piece(2, 0, 4));
    assertThat(DocumentPage.window(totals, 12, 10)).containsExactly(new DocumentPage.Piece(3, 0, 4));
    assertThat(DocumentPage.window(totals, 16, 10)).isEmpty();
  }

  @Test
  void sortedListsMergeBySortValuesMissingLast() throws Exception {
    JsonNode a = JSON.readTree("[{\"id\":1,\"p\":9},{\"id\":2,\"p\":5},{\"id\":3}]");
    JsonNode b = JSON.readTree("[{\"id\":4,\"p\":7},{\"id\":5,\"p\":5,\"t\":\"a\"}]");
    List<String> ids = DocumentPage.mergeSorted(List.of(a, b), List.of("p:desc"), 1, 10).stream()
        .map(d -> d.get("id").asText()).toList();
    assertThat(ids).containsExactly("4", "2", "5", "3");
  }
}
