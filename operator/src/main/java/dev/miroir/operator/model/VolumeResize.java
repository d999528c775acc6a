package dev.miroir.operator.model;

import io.fabric8.kubernetes.api.model.Quantity;

/**
 * What to do when the spec's volume size differs from a node's. Pure. Kubernetes cannot change a
 * StatefulSet's claim templates; the way through is to grow each PVC (the StorageClass must allow
 * expansion), then recreate the StatefulSet with orphan deletion so its template says the new size
 * while the pod keeps running.
 */
public final class VolumeResize {

  public static final String REASON_UNSUPPORTED = "VolumeExpansionUnsupported";
  public static final String REASON_SHRINK = "VolumeShrinkRefused";
  public static final String REASON_EXPANDING = "Expanding";
  public static final String REASON_UP_TO_DATE = "VolumesUpToDate";

  public enum Action {
    /** Sizes agree. */
    NONE,
    /** Grow the PVC and recreate the StatefulSet with the new claim template. */
    EXPAND,
    /** Keep the current size and say why. */
    REFUSE
  }

  public record Decision(Action action, String reason, String message) {}

  private VolumeResize() {}

  /**
   * @param current the size in the node's claim template
   * @param storageClass the volume's StorageClass name (null when unknown)
   * @param expandable whether that class sets {@code allowVolumeExpansion: true}
   */
  public static Decision decide(String nodeId, String current, String wanted, String storageClass, boolean expandable) {
    int order = Quantity.getAmountInBytes(new Quantity(wanted)).compareTo(Quantity.getAmountInBytes(new Quantity(current)));
    if (order == 0) {
      return new Decision(Action.NONE, REASON_UP_TO_DATE, null);
    }
    if (order < 0) {
      return new Decision(Action.REFUSE, REASON_SHRINK,
          "volumes cannot shrink: " + nodeId + " keeps " + current + " (spec asks " + wanted + ")");
    }
    if (!expandable) {
      return new Decision(Action.REFUSE, REASON_UNSUPPORTED,
          "StorageClass " + (storageClass == null ? "(none found)" : storageClass) + " does not allow volume"
              + " expansion (allowVolumeExpansion is not true): " + nodeId + " keeps " + current + " (spec asks "
              + wanted + "). Use a class that allows expansion for new clusters, or set the size back to " + current);
    }
    return new Decision(Action.EXPAND, REASON_EXPANDING, "expanding " + nodeId + " from " + current + " to " + wanted);
  }
}
