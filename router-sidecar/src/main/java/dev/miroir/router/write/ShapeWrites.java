package dev.miroir.router.write;

import java.util.regex.Pattern;

/**
 * Which sequenced writes may change an index's shape: whether it exists, its primary key, its
 * settings. Everything but document writes may (index creation, update, deletion, swap, settings,
 * delete-all); document writes to an index that has a primary key cannot, so facts about such an
 * index, read once, stay true until the next write of the other kind. Pure.
 */
public final class ShapeWrites {

  /** What the sequencer knew of the shapes when facts were read: equal stamps, same facts. */
  public record Stamp(long generation, long term) {}

  /**
   * Document additions, updates, deletions by id, by batch, by filter, and edits by function. A
   * document addition may still give a primary key to an index without one, or create the index:
   * facts about an index are kept only once it has its primary key. Delete-all
   * ({@code DELETE /indexes/x/documents}) is left out: it is rare and nothing is lost by treating it
   * as a change.
   */
  private static final Pattern DOCUMENT_WRITE = Pattern.compile(
      "/indexes/[^/?]+/documents(/(delete-batch|delete|edit|[^/?]+))?(\\?.*)?");

  private ShapeWrites() {}

  /** True when no copy of the write can change any index's shape. */
  static boolean keepShape(WriteSequencer.WritePlan plan) {
    if (plan.indexUid() == null || plan.copies().isEmpty()) {
      return false;
    }
    for (NodeCopy copy : plan.copies()) {
      if (!keepShape(copy.method(), copy.uri())) {
        return false;
      }
    }
    return true;
  }

  static boolean keepShape(String method, String uri) {
    if (!DOCUMENT_WRITE.matcher(uri).matches()) {
      return false;
    }
    boolean collection = uri.indexOf("/documents?") > 0 || uri.endsWith("/documents");
    return switch (method) {
      case "POST", "PUT" -> true;
      case "DELETE" -> !collection; // one document by id; the whole collection is delete-all
      default -> false;
    };
  }
}
