package dev.miroir.router.admission;

import dev.miroir.router.MeiliError;

/**
 * A request a node accepts with 202 and whose task then fails with {@link #error()}: the router
 * answers the same way ({@code Fleet#failAtEnqueue}) instead of refusing at once, and sends nothing to
 * the nodes.
 */
public final class TaskFailure extends RuntimeException {

  private final MeiliError error;

  public TaskFailure(MeiliError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public MeiliError error() {
    return error;
  }
}
