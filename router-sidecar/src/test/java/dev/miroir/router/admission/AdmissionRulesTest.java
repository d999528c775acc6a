package dev.miroir.router.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miroir.router.ApiException;
import dev.miroir.router.auth.Action;
import dev.miroir.router.auth.RouteRule;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pure parts of admission: route rules, content types, strict JSON, the byte budget. */
class AdmissionRulesTest {

  @Test
  void routesMapToTheirActionIndexAndBody() {
    RouteRule add = RouteRule.of(HttpMethod.POST, "/indexes/movies/documents");
    assertThat(add.action()).isEqualTo(Action.DOCUMENTS_ADD);
    assertThat(add.indexUid()).isEqualTo("movies");
    assertThat(add.body()).isEqualTo(RouteRule.Body.DOCUMENTS);
    assertThat(RouteRule.of(HttpMethod.POST, "/indexes/movies/documents/edit").action()).isEqualTo(Action.DOCUMENTS_ALL);
    assertThat(RouteRule.of(HttpMethod.GET, "/indexes/a%2Fb/search").indexUid()).isEqualTo("a/b");
    assertThat(RouteRule.of(HttpMethod.GET, "/tasks/3").action()).isEqualTo(Action.TASKS_GET);
    assertThat(RouteRule.of(HttpMethod.GET, "/_miroir/topology").operatorOnly()).isTrue();
    assertThat(RouteRule.of(HttpMethod.GET, "/health").action()).isNull();
    assertThat(RouteRule.of(HttpMethod.POST, "/multi-search").body()).isEqualTo(RouteRule.Body.JSON);
  }

  @Test
  void contentTypesAsANodeReadsThem() {
    assertThat(AdmissionHandler.contentTypeError("Application/JSON; charset=utf-8", "application/json")).isNull();
    assertThat(AdmissionHandler.contentTypeError(null, "application/json").code()).isEqualTo("missing_content_type");
    assertThat(AdmissionHandler.contentTypeError("text/plain", "application/json").status()).isEqualTo(415);
    assertThat(AdmissionHandler.documentTypeError("text/csv", ";")).isNull();
    assertThat(AdmissionHandler.documentTypeError("application/json", ";").code()).isEqualTo("invalid_content_type");
    assertThat(AdmissionHandler.hasLiteralDotSegment("/indexes/../keys")).isTrue();
    assertThat(AdmissionHandler.hasLiteralDotSegment("/indexes/%2e%2e/keys")).isFalse();
  }

  @Test
  void strictJsonRefusesWhatSerdeRefuses() {
    assertThat(StrictJson.read("{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8)).path("a").size()).isEqualTo(2);
    for (String bad : new String[] {"\uFEFF{}", "{} x", "{\"q\":\"\\ud800\"}", "[".repeat(129) + "]".repeat(129), "{"}) {
      assertThatThrownBy(() -> StrictJson.read(bad.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).error().code())
          .isEqualTo("malformed_payload");
    }
    assertThatThrownBy(() -> StrictJson.read(new byte[0])).extracting(e -> ((ApiException) e).error().code())
        .isEqualTo("missing_payload");
    assertThat(StrictJson.read("\"\\ud83d\\ude00\"".getBytes(StandardCharsets.UTF_8)).asText()).isEqualTo("😀");
  }

  @Test
  void theBudgetAdmitsALoneBodyAndBoundsTheRest() {
    DocumentBytesBudget budget = new DocumentBytesBudget(100);
    assertThat(budget.tryAcquire(150)).as("alone, even above the cap").isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
    budget.release(150);
    assertThat(budget.tryAcquire(60)).isTrue();
    assertThat(budget.tryAcquire(40)).isTrue();
    assertThat(budget.tryAcquire(1)).isFalse();
    budget.release(60);
    budget.release(40);
    assertThat(budget.inFlight()).isZero();
  }
}
