package dev.miroir.operator.nodes;

import dev.miroir.operator.model.ApiKeys;
import java.util.OptionalLong;

/**
 * Everything the operator asks of a Meilisearch node. The seam between reconciling and HTTP: the
 * production implementation is {@link HttpNodeAdmin}, exercised in tests against real processes.
 * Implementations must never put the master key in an exception message or a log line.
 */
public interface NodeAdmin {

  /** Documents over all indexes of the node, empty when the node did not answer. */
  OptionalLong documentCount(String url, String masterKey);

  /**
   * Makes sure the key with {@code key.uid()} exists on the node (creating it with that uid).
   *
   * @return true when the key exists afterwards
   */
  boolean ensureKey(String url, String masterKey, ApiKeys.KeySpec key);
}
