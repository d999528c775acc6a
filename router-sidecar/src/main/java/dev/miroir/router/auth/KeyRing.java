package dev.miroir.router.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.miroir.router.MeiliError;
import dev.miroir.router.http.Fleet;
import dev.miroir.router.http.Fleet.NodeCall;
import dev.miroir.router.node.NodeReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's copy of the cluster's API keys, so it can refuse a request before reading its body.
 *
 * <p>Why a copy and not a pre-flight call per request: keys are identical on every node (the router
 * broadcasts them), {@code GET /keys} lists each key's value, and a local decision costs no node
 * round trip and cannot be slowed by a flood of bad keys. The copy is refreshed after every key route
 * the router serves, periodically, and when a credential it does not know arrives (at most once per
 * {@link #MIN_REFRESH_INTERVAL}), so a key created a moment ago works at once. The nodes still receive
 * the client's own credential and remain the final judges; the copy can only make the router refuse
 * earlier, never serve what a node would refuse from its own state.
 *
 * <p>The master key is never listed. A token that is no key after a refresh is tried once against a
 * node ({@code GET /keys?limit=1}, which only the master key or a listed key with {@code keys.get}
 * passes) and the verdict is cached by the token's SHA-256 in Caffeine for a minute.
 */
public final class KeyRing implements Authorizer.Keys {

  private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
  static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(1);
  static final Duration PERIOD = Duration.ofSeconds(30);

  private record Snapshot(Map<String, ApiKey> byValue, Map<String, ApiKey> byUid, boolean loaded) {}

  private final Fleet fleet;
  private final Clock clock;
  private final String routerKey;
  private final Cache<String, Boolean> masterVerdicts =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1)).build();
  private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), false);
  private Future<Void> refreshing;
  private long lastRefreshMillis = Long.MIN_VALUE / 2;
  private long timer = -1;

  public KeyRing(Fleet fleet, Clock clock) {
    this.fleet = fleet;
    this.clock = clock;
    String auth = fleet.masterAuthorization();
    this.routerKey = auth == null ? null : auth.substring("Bearer ".length());
  }

  /** Starts the periodic refresh; the first load happens now. */
  public KeyRing start() {
    refresh();
    timer = fleet.vertx().setPeriodic(PERIOD.toMillis(), id -> refresh());
    return this;
  }

  public void stop() {
    if (timer >= 0) {
      fleet.vertx().cancelTimer(timer);
    }
  }

  /**
   * The decision for one request: from the copy when it knows the credential, after a refresh (and,
   * for a token that could be the master key, one cached node check) when it does not.
   */
  public Future<Authorizer.Verdict> authorize(String header, Action action, String indexUid) {
    Authorizer.Verdict first = Authorizer.decide(header, action, indexUid, this, clock.instant());
    if (!(first instanceof Authorizer.Unknown)) {
      return Future.succeededFuture(first);
    }
    return refreshIfStale().compose(ignored -> {
      Authorizer.Verdict again = Authorizer.decide(header, action, indexUid, this, clock.instant());
      if (!(again instanceof Authorizer.Unknown unknown)) {
        return Future.succeededFuture(again);
      }
      if (!snapshot.loaded()) {
        return Future.succeededFuture(new Authorizer.Refused(MeiliError.nodeUnreachable(
            "The router cannot check this API key: no node answered its key list.")));
      }
      if (!unknown.mayBeMaster()) {
        return Future.succeededFuture(new Authorizer.Refused(MeiliError.invalidApiKey()));
      }
      String token = (String) Authorizer.bearer(header);
      return checkMaster(token).map(master -> master
          ? Authorizer.decide(header, action, indexUid, this, clock.instant())
          : new Authorizer.Refused(MeiliError.invalidApiKey()));
    });
  }

  /** Reloads the keys now (after a key was created, changed or deleted through the router). */
  public synchronized Future<Void> refresh() {
    if (refreshing != null) {
      return refreshing;
    }
    Promise<Void> done = Promise.promise();
    refreshing = done.future();
    load(0, new HashMap<>()).onComplete(result -> {
      synchronized (this) {
        refreshing = null;
        lastRefreshMillis = clock.millis();
      }
      if (result.succeeded()) {
        Map<String, ApiKey> byUid = new HashMap<>();
        result.result().values().forEach(k -> byUid.put(k.uid(), k));
        snapshot = new Snapshot(Map.copyOf(result.result()), Map.copyOf(byUid), true);
      } else {
        LOG.warn("could not load the API keys from a node: {}", result.cause().getMessage());
      }
      done.complete();
    });
    return refreshing;
  }

  private synchronized Future<Void> refreshIfStale() {
    if (refreshing != null) {
      return refreshing;
    }
    if (clock.millis() - lastRefreshMillis < MIN_REFRESH_INTERVAL.toMillis()) {
      return Future.succeededFuture();
    }
    return refresh();
  }

  private static final int PAGE = 1000;

  private Future<Map<String, ApiKey>> load(int offset, Map<String, ApiKey> acc) {
    NodeCall call = new NodeCall(HttpMethod.GET, "/keys?limit=" + PAGE + "&offset=" + offset, null, null,
        fleet.masterAuthorization());
    return fleet.askOne(fleet.snapshot(), call).compose(reply -> {
      if (reply == null || !reply.isSuccess()) {
        return Future.failedFuture(reply == null ? "no node" : reply.describe());
      }
      JsonNode json = reply.json();
      for (JsonNode k : json.path("results")) {
        ApiKey key = ApiKey.fromJson(k);
        if (key != null) {
          acc.put(key.value(), key);
        }
      }
      int got = json.path("results").size();
      if (got == PAGE && offset + got < json.path("total").asInt(0)) {
        return load(offset + got, acc);
      }
      return Future.succeededFuture(acc);
    });
  }

  private Future<Boolean> checkMaster(String token) {
    String hash = sha256(token);
    Boolean known = masterVerdicts.getIfPresent(hash);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    NodeCall call = new NodeCall(HttpMethod.GET, "/keys?limit=1", null, null, "Bearer " + token);
    return fleet.askOne(fleet.snapshot(), call).compose(reply -> {
      if (reply == null || reply.status() == 0 || reply.status() >= 500) {
        return Future.failedFuture(MeiliError.nodeUnreachable(
            "The router cannot check this API key: no node answered.").exception());
      }
      boolean master = reply.isSuccess();
      masterVerdicts.put(hash, master);
      return Future.succeededFuture(master);
    });
  }

  @Override
  public ApiKey byValue(String value) {
    return snapshot.byValue().get(value);
  }

  @Override
  public ApiKey byUid(String uid) {
    return snapshot.byUid().get(uid);
  }

  @Override
  public boolean isMaster(String token) {
    Snapshot keys = snapshot;
    return isMaster(keys.byValue().get(token) != null, isRouterKey(token), keys.loaded(),
        () -> Boolean.TRUE.equals(masterVerdicts.getIfPresent(sha256(token))));
  }

  /**
   * A listed key is never the master key (Meilisearch derives every key's value from the master
   * key, and never lists the master key); the router's own key is the master key once the list is
   * loaded and does not hold it (local mode gives the router the master key itself); any other
   * token is the master key only when a node said so. The two common cases, a listed key and the
   * router's key, are decided without hashing the token: a SHA-256 per request was about 2 % of a
   * search's event-loop CPU (issue 13).
   */
  static boolean isMaster(boolean listed, boolean routerKey, boolean loaded,
      java.util.function.BooleanSupplier nodeSaidMaster) {
    if (listed) {
      return false;
    }
    if (routerKey && loaded) {
      return true;
    }
    return nodeSaidMaster.getAsBoolean();
  }

  @Override
  public boolean isRouterKey(String token) {
    return routerKey != null && MessageDigest.isEqual(routerKey.getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
