package dev.miroir.operator.reconcile;

/** A reconcile step that threw; carries the step's name to status, Events and metrics. */
final class StepFailedException extends RuntimeException {

  private final String step;

  StepFailedException(String step, RuntimeException cause) {
    super("step " + step + " failed", cause);
    this.step = step;
  }

  String step() {
    return step;
  }
}
