package dev.miroir.core.topology;

import java.util.List;

/** A topology document that routers must not serve; the message lists every problem found. */
public final class InvalidTopologyException extends RuntimeException {

  private final List<String> problems;

  public InvalidTopologyException(List<String> problems) {
    super("invalid topology document: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public InvalidTopologyException(String problem, Throwable cause) {
    super("invalid topology document: " + problem, cause);
    this.problems = List.of(problem);
  }

  public List<String> problems() {
    return problems;
  }
}
