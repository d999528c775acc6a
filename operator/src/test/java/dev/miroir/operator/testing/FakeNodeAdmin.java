package dev.miroir.operator.testing;

import dev.miroir.operator.model.ApiKeys;
import dev.miroir.operator.nodes.NodeAdmin;
import dev.miroir.operator.model.ReplicaConsistency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For mock-server tests that run no Meilisearch: answers document counts the test sets and records
 * key provisioning. The real HTTP implementation is covered against real processes elsewhere.
 */
public final class FakeNodeAdmin implements NodeAdmin {

  private volatile long documents;
  private volatile boolean reachable = true;
  private final Set<String> keysCreated = ConcurrentHashMap.newKeySet();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> statsCalls = new ConcurrentHashMap<>();

  public void documents(long documents) {
    this.documents = documents;
  }

  public void reachable(boolean reachable) {
    this.reachable = reachable;
  }

  /** Key provisioning on this node URL throws, as an unexpected failure inside a reconcile would. */
  public void failOn(String url, boolean fail) {
    if (fail) {
      failing.add(url);
    } else {
      failing.remove(url);
    }
  }

  public Set<String> keysCreated() {
    return keysCreated;
  }

  public int statsCalls() {
    return statsCalls.values().stream().mapToInt(Integer::intValue).sum();
  }

  @Override
  public OptionalLong documentCount(String url, String masterKey) {
    statsCalls.merge(url, 1, Integer::sum);
    return reachable ? OptionalLong.of(documents) : OptionalLong.empty();
  }

  @Override
  public boolean ensureKeys(String url, String masterKey, List<ApiKeys.KeySpec> keys) {
    if (failing.contains(url)) {
      throw new IllegalStateException("node admin failed on purpose for " + url);
    }
    keys.forEach(key -> keysCreated.add(url + " " + key.uid()));
    return true;
  }

  /** No router runs in these tests: ReplicasConsistent stays Unknown. */
  @Override
  public Optional<ReplicaConsistency> replicaConsistency(String routerUrl, String routerKey) {
    return Optional.empty();
  }
}
