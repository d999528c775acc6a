package dev.miroir.router.move;

/**
 * A fact the mover cannot trust (a missing, unreadable or older topology, a journal that does not
 * match it): the mover stops instead of guessing. {@link #rule} names the rule for status and logs.
 */
public final class MoveNotSafeException extends RuntimeException {

  public static final String TOPOLOGY_MISSING = "TopologyMissing";
  public static final String TOPOLOGY_UNREADABLE = "TopologyUnreadable";
  public static final String TOPOLOGY_OLDER = "TopologyOlderThanPublished";
  public static final String TOPOLOGY_CHANGED = "TopologyChangedByAnotherWriter";
  public static final String JOURNAL_UNREADABLE = "JournalUnreadable";
  public static final String NO_FENCES = "RouterHasNoWriteFences";

  private final String rule;

  public MoveNotSafeException(String rule, String message) {
    super(message);
    this.rule = rule;
  }

  public MoveNotSafeException(String rule, String message, Throwable cause) {
    super(message, cause);
    this.rule = rule;
  }

  public String rule() {
    return rule;
  }
}
