package dev.miroir.operator.model;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether nodes may move from the image they run to the one the spec names. Pure.
 *
 * <p>Meilisearch opens only databases written by its own version. Since v1.13 a newer binary
 * started with {@code --experimental-dumpless-upgrade} (the operator always sets
 * {@code MEILI_EXPERIMENTAL_DUMPLESS_UPGRADE}) upgrades a database from v1.12 or later in place, as
 * its first task; older databases need a dump and an import into a new cluster. No version opens a
 * database written by a newer one, so a downgrade would leave every restarted node unable to
 * start: it is refused and the nodes keep their image.
 */
public final class MeilisearchUpgrade {

  public static final String REASON_DOWNGRADE = "DowngradeRefused";
  public static final String REASON_NEEDS_DUMP = "UpgradeNeedsDump";

  /** The oldest database version a dumpless upgrade starts from. */
  static final Version DUMPLESS_FROM = new Version(1, 12, 0);

  private static final Pattern TAG = Pattern.compile("^v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:[-+].*)?$");

  public record Version(int major, int minor, int patch) implements Comparable<Version> {
    @Override
    public int compareTo(Version o) {
      return Comparator.comparingInt(Version::major).thenComparingInt(Version::minor)
          .thenComparingInt(Version::patch).compare(this, o);
    }

    @Override
    public String toString() {
      return "v" + major + "." + minor + "." + patch;
    }
  }

  /**
   * @param allowed whether the nodes may run {@code to}; when not, they keep {@code from}
   * @param reason null when allowed
   */
  public record Verdict(boolean allowed, String reason, String message) {}

  private MeilisearchUpgrade() {}

  /** The version in an image reference's tag ({@code getmeili/meilisearch:v1.21.0}), if it has one. */
  public static Optional<Version> version(String image) {
    if (image == null) {
      return Optional.empty();
    }
    String ref = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon <= slash) {
      return Optional.empty();
    }
    Matcher m = TAG.matcher(ref.substring(colon + 1));
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
  }

  /**
   * @param running the image the nodes run now (null for a new cluster)
   * @param wanted the image the spec names
   */
  public static Verdict check(String running, String wanted) {
    Optional<Version> from = version(running);
    Optional<Version> to = version(wanted);
    if (running == null || running.equals(wanted) || from.isEmpty() || to.isEmpty()) {
      // A tag without a version (a digest, "latest") cannot be judged; it is the user's call.
      return new Verdict(true, null, null);
    }
    int order = to.get().compareTo(from.get());
    if (order < 0) {
      return new Verdict(false, REASON_DOWNGRADE,
          "nodes run Meilisearch " + from.get() + "; " + to.get() + " cannot open a database written by a newer"
              + " version, so the nodes keep " + running + ". Set spec.meilisearch.image back to " + running);
    }
    boolean minorChange = to.get().major() != from.get().major() || to.get().minor() != from.get().minor();
    if (minorChange && from.get().compareTo(DUMPLESS_FROM) < 0) {
      return new Verdict(false, REASON_NEEDS_DUMP,
          "nodes run Meilisearch " + from.get() + "; an in-place upgrade needs " + DUMPLESS_FROM + " or later."
              + " Create a dump (POST /dumps) and import it into a new cluster; the nodes keep " + running);
    }
    return new Verdict(true, null, null);
  }
}
