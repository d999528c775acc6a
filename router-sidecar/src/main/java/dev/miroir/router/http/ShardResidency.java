package dev.miroir.router.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.search.ShardFilter;
import dev.miroir.router.search.ShardStamp;
import dev.miroir.router.topology.RoutingSnapshot;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Knows which nodes hold documents of no shard but the ones the placement gives them, so that a
 * node answering for <i>all</i> of its shards gets the client's filter alone, without the
 * shard-stamp {@code IN [...]} clause that would keep every document it has anyway (with RF 1 that
 * is every node of every search).
 *
 * <p>The placement alone does not prove it: after a shard moved away (epoch N+2 of a move) the old
 * owner keeps its copy until the copy is dropped, and a failed move can leave copies behind. So the
 * router asks each node once per epoch and index, with the master key, how many documents it holds
 * outside its placement shards ({@code <stamp> NOT IN [held]}, placeholder, limit 0: an exact
 * count, which also counts documents without the field). Zero proves the node exclusive for the
 * whole epoch: within an epoch documents of a shard reach only that shard's write targets, which
 * are part of the placement (this relies on the move protocol dropping a copy only once every
 * router has left the epoch that still wrote to it). Anything else, an error included, keeps the
 * filter, and the question is asked again after {@link #RETRY}. A search never waits for the
 * answer: until it arrives the filter stays.
 */
final class ShardResidency {

  static final Duration RETRY = Duration.ofSeconds(5);

  private enum State { PROVEN, PENDING, NOT_PROVEN }

  private record Key(long epoch, String index, String node, ShardStamp stamp) {}

  private final Fleet fleet;
  private final Cache<Key, State> states =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();
  private final Cache<Key, State> retries = Caffeine.newBuilder().expireAfterWrite(RETRY).build();
  ShardResidency(Fleet fleet) {
    this.fleet = fleet;
  }

  /**
   * True when {@code node} may be asked for {@code answers} without the shard filter: they are all
   * the shards the placement gives it, and it was proven to hold no other ({@code stamp}: the index's).
   */
  boolean exclusive(RoutingSnapshot s, String index, String node, Collection<Integer> answers, ShardStamp stamp) {
    List<Integer> placed = s.placedShards().get(node);
    if (!ShardFilter.answersForAllPlaced(placed, answers)) {
      return false;
    }
    if (placed.size() == s.shards()) {
      return true; // every document of the index belongs to one of its shards
    }
    Key key = new Key(s.epoch(), index, node, stamp);
    State state = states.getIfPresent(key);
    if (state == State.PROVEN) {
      return true;
    }
    if (state == null || (state == State.NOT_PROVEN && retries.getIfPresent(key) == null)) {
      states.put(key, State.PENDING);
      probe(s, key, placed);
    }
    return false;
  }

  private void probe(RoutingSnapshot s, Key key, List<Integer> placed) {
    NodeCall call = new NodeCall(HttpMethod.POST, "/indexes/" + Endpoints.segment(key.index()) + "/search",
        Reply.bytes(ShardFilter.strayCount(placed, key.stamp())), "application/json", fleet.masterAuthorization());
    fleet.send(s, key.node(), call).onComplete(done -> {
      boolean proven = done.succeeded() && done.result().isSuccess()
          && done.result().json().path("estimatedTotalHits").isIntegralNumber()
          && done.result().json().path("estimatedTotalHits").asLong() == 0;
      states.put(key, proven ? State.PROVEN : State.NOT_PROVEN);
      if (!proven) {
        retries.put(key, State.NOT_PROVEN);
      }
    });
  }
}
