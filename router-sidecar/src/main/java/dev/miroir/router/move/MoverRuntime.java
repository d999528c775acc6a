package dev.miroir.router.move;

import dev.miroir.router.consistency.ShardDigester;
import dev.miroir.router.node.NodeClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The mover's clients wired together (one Vert.x, the router's {@link NodeClient}, the digester), for
 * {@code ./miroir local scale} and {@link MoverMain} alike.
 */
public final class MoverRuntime implements AutoCloseable {

  private final Vertx vertx;
  private final NodeClient client;
  private final RouterApi routers;
  private final ShardCopier copier;

  public MoverRuntime(String masterKey, Supplier<List<String>> routerUrls) {
    this(masterKey, routerUrls, null);
  }

  /** @param routers the router API to use, or null for the HTTP one over {@code routerUrls} */
  public MoverRuntime(String masterKey, Supplier<List<String>> routerUrls, java.util.function.Function<MoverRuntime,
      RouterApi> routers) {
    this.vertx = Vertx.vertx();
    this.client = new NodeClient(vertx, Duration.ofSeconds(60), new SimpleMeterRegistry());
    String auth = masterKey == null || masterKey.isEmpty() ? null : "Bearer " + masterKey;
    this.copier = new ShardCopier(client, new ShardDigester(vertx, client, auth), auth, ShardCopier.DEFAULT_PAGE_SIZE);
    // Set before routers.apply(this): a caller's RouterApi reads authorization() while being built.
    this.clientAuth = auth;
    this.routers = routers == null ? new RouterApi(client, routerUrls, auth) : routers.apply(this);
  }

  private final String clientAuth;

  public NodeClient client() {
    return client;
  }

  public String authorization() {
    return clientAuth;
  }

  public Mover mover(TopologyStore topology, JournalStore journals, Mover.Options options, Mover.Listener listener) {
    return new Mover(topology, journals, routers, copier, options, listener);
  }

  public ShardCopier copier() {
    return copier;
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
