package dev.miroir.router.write;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.MeiliError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which field identifies documents, decided exactly as Meilisearch 1.21 decides it: the index's own
 * primary key if it has one; otherwise the {@code primaryKey} query parameter; otherwise the single
 * top-level attribute of the first document whose name ends with "id", ignoring case.
 *
 * <p>The router needs the key before it can split a batch by shard, so it decides up front where
 * Meilisearch would decide while processing the task. Its errors become, as on a node, a 202 and a
 * task that fails with them (see {@code DocumentRoutes} and {@code RouterTask#failedAtEnqueue}).
 */
public final class PrimaryKeyInference {

  private PrimaryKeyInference() {}

  /**
   * @param indexPrimaryKey the index's primary key, empty when the index has none or does not exist
   * @param queryPrimaryKey the request's {@code ?primaryKey=}, or null
   * @param firstDocument the batch's first document, or null for an empty batch
   * @return the key, or empty when the batch is empty and nothing decides it (Meilisearch then leaves
   *     the index without one)
   */
  public static Optional<String> decide(
      Optional<String> indexPrimaryKey, String queryPrimaryKey, ObjectNode firstDocument) {
    if (indexPrimaryKey.isPresent()) {
      if (queryPrimaryKey != null && !queryPrimaryKey.equals(indexPrimaryKey.get())) {
        throw MeiliError.invalidRequest(
                "index_primary_key_already_exists", "Index already has a primary key: `"
                    + indexPrimaryKey.get() + "`.")
            .exception();
      }
      return indexPrimaryKey;
    }
    if (queryPrimaryKey != null) {
      return Optional.of(queryPrimaryKey);
    }
    if (firstDocument == null) {
      return Optional.empty();
    }
    List<String> candidates = new ArrayList<>();
    for (Iterator<String> it = firstDocument.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (field.toLowerCase(Locale.ROOT).endsWith("id")) {
        candidates.add(field);
      }
    }
    // Meilisearch reads a document as a map sorted by field name, so it names candidates in that order.
    candidates.sort(String::compareTo);
    if (candidates.isEmpty()) {
      throw MeiliError.invalidRequest(
              "index_primary_key_no_candidate_found",
              "The primary key inference failed as the engine did not find any field ending with"
                  + " `id` in its name. Please specify the primary key manually using the"
                  + " `primaryKey` query parameter.")
          .exception();
    }
    if (candidates.size() > 1) {
      throw MeiliError.invalidRequest(
              "index_primary_key_multiple_candidates_found",
              "The primary key inference failed as the engine found " + candidates.size()
                  + " fields ending with `id` in their names: '" + candidates.get(0) + "' and '"
                  + candidates.get(1) + "'. Please specify the primary key manually using the"
                  + " `primaryKey` query parameter.")
          .exception();
    }
    return Optional.of(candidates.get(0));
  }
}
