package dev.miroir.operator.nodes;

import dev.miroir.operator.model.ApiKeys;
import dev.miroir.operator.model.ReplicaConsistency;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything the operator asks of a Meilisearch node, and of the routers in front of them. The seam
 * between reconciling and HTTP: the production implementation is {@link HttpNodeAdmin}, exercised in
 * tests against real processes. Implementations must never put a key in an exception message or a
 * log line.
 */
public interface NodeAdmin {

  /** Documents over all indexes of the node, empty when the node did not answer. */
  OptionalLong documentCount(String url, String masterKey);

  /**
   * Makes the node hold one set of keys with the rest of the cluster: the operator's keys with their
   * uids, and Meilisearch's own default keys ("Default Search API Key"...) under fixed uids, so every
   * node has the same values. A node that lost a key (a lost volume) gets it again.
   *
   * @return true when every key exists afterwards
   */
  boolean ensureKeys(String url, String masterKey, List<ApiKeys.KeySpec> keys);

  /**
   * Whether the node still holds the operator's keys (their fixed uids), the marker of a volume that
   * survived; empty when the node could not be asked. Asked before {@link #ensureKeys}, which would put
   * the marker back. (The operator's keys, not the default ones: nodes keyed by an older operator have
   * them too, so an upgrade is never mistaken for lost volumes.)
   */
  default Optional<Boolean> keysPresent(String url, String masterKey, List<ApiKeys.KeySpec> keys) {
    return Optional.empty();
  }

  /**
   * The routers' last periodic replica check ({@code GET /_miroir/consistency} on a router, with the
   * routers' admin key); empty when no router answered.
   */
  Optional<ReplicaConsistency> replicaConsistency(String routerUrl, String routerKey);
}
