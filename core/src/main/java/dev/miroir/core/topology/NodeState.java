package dev.miroir.core.topology;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a node is in its life: it receives copies while joining and gives them up while draining. */
public enum NodeState {
  JOINING,
  ACTIVE,
  DRAINING;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static NodeState fromWire(String value) {
    for (NodeState state : values()) {
      if (state.wireName().equals(value)) {
        return state;
      }
    }
    throw new IllegalArgumentException(
        "unknown node state `" + value + "`: expected joining, active or draining");
  }

  /** Whether searches may be answered from this node's copies. */
  public boolean isReadable() {
    return this != JOINING;
  }
}
