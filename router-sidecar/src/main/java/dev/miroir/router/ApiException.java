package dev.miroir.router;

import java.util.Map;

/**
 * Fails a request with a Meilisearch-shaped error, optionally with headers (e.g. the shards a partial
 * write did not reach). Carries no stack trace: it is an answer, not a bug.
 */
public final class ApiException extends RuntimeException {

  private final MeiliError error;
  private final Map<String, String> headers;

  public ApiException(MeiliError error) {
    this(error, Map.of());
  }

  public ApiException(MeiliError error, Map<String, String> headers) {
    super(error.message(), null, false, false);
    this.error = error;
    this.headers = Map.copyOf(headers);
  }

  public MeiliError error() {
    return error;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
