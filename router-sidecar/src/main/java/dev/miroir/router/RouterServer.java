package dev.miroir.router;

import dev.miroir.router.consistency.ConsistencyMonitor;
import dev.miroir.router.admission.AdmissionHandler;
import dev.miroir.router.admission.BodyGuard;
import dev.miroir.router.admission.DocumentBytesBudget;
import dev.miroir.router.auth.KeyRing;
import dev.miroir.router.http.ClusterRoutes;
import dev.miroir.router.http.ConsistencyRoutes;
import dev.miroir.router.http.DocumentRoutes;
import dev.miroir.router.http.Endpoints;
import dev.miroir.router.http.Fleet;
import dev.miroir.router.http.IndexRoutes;
import dev.miroir.router.http.InstanceRoutes;
import dev.miroir.router.http.KeyRoutes;
import dev.miroir.router.http.Reply;
import dev.miroir.router.http.ReplicaRoutes;
import dev.miroir.router.http.RouteModule;
import dev.miroir.router.http.SearchRoutes;
import dev.miroir.router.http.TaskRoutes;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.topology.TopologyHolder;
import dev.miroir.router.write.WritePath;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a router: loads the topology, mounts the routes, binds the port. The programmatic entry
 * point for {@link RouterMain}, {@code miroir local up} and tests.
 */
public final class RouterServer implements RouterHandle {

  private static final Logger LOG = LoggerFactory.getLogger(RouterServer.class);

  private final RouterConfig config;
  private final Vertx vertx;
  private final TopologyHolder topology;
  private final NodeClient nodes;
  private final Fleet fleet;
  private final HttpServer server;
  private final HttpServer metricsServer;
  private final KeyRing keyRing;

  /** Netty counts the request line with its method and version; 65,534 bytes of target as on a node. */
  static final int MAX_REQUEST_LINE = 65_534 + "DELETE  HTTP/1.1".length();
  static final int MAX_HEADER_BYTES = 128 * 1024;

  private RouterServer(
      RouterConfig config, Vertx vertx, TopologyHolder topology, NodeClient nodes, Fleet fleet, HttpServer server,
      HttpServer metricsServer, KeyRing keyRing) {
    this.config = config;
    this.vertx = vertx;
    this.topology = topology;
    this.nodes = nodes;
    this.fleet = fleet;
    this.server = server;
    this.metricsServer = metricsServer;
    this.keyRing = keyRing;
  }

  private static void scrape(io.vertx.ext.web.RoutingContext ctx, PrometheusMeterRegistry meters) {
    ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(meters.scrape());
  }

  /** The port of the separate metrics server, or -1 when metrics are not served on their own port. */
  @Override
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.actualPort();
  }

  /**
   * The router's Vert.x: on Linux with Netty's epoll transport (see the router pom), else NIO.
   * Every search is one request in, one per node out, their answers in and one answer out, so
   * socket events are a large share of the router's CPU; epoll handles them with fewer system
   * calls and no selector bookkeeping.
   */
  static Vertx newVertx() {
    return Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
  }

  /**
   * Starts a router and returns once it listens. Fails (and releases everything it took) when the
   * topology cannot be loaded or the port cannot be bound.
   */
  public static RouterHandle start(RouterConfig config) {
    TopologyHolder topology = new TopologyHolder();
    Vertx vertx = newVertx();
    WritePath writes = null;
    KeyRing keyRing = null;
    try {
      config.topologySource().start(topology::offer);
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      NodeClient nodes = new NodeClient(vertx, config.nodeTimeout(), meters);
      String routerAuthorization = config.masterKey().isEmpty() ? null : "Bearer " + config.masterKey();
      writes = new WritePath(vertx, nodes, topology::snapshot, config.writes(), routerAuthorization, meters);
      writes.start().await();
      Fleet fleet = new Fleet(vertx, topology, nodes, config.taskStore(), config.masterKey(), writes);

      keyRing = new KeyRing(fleet, java.time.Clock.systemUTC()).start();

      Router router = Router.router(vertx);
      router.route().handler(ctx -> {
        ctx.response().putHeader(Fleet.EPOCH_HEADER, Long.toString(topology.snapshot().epoch()));
        ctx.next();
      });
      // Credential, content type and size are settled before BodyHandler reads a byte of the body.
      router.route().handler(new AdmissionHandler(keyRing, config.maxPayloadBytes(),
          new DocumentBytesBudget(config.maxBodyBytesInFlight())));
      router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxPayloadBytes()));
      router.route().handler(new BodyGuard(fleet));
      if (config.metrics().mode().equals("master")) {
        router.get("/metrics").handler(ctx -> scrape(ctx, meters));
      }

      Endpoints endpoints = new Endpoints(router, meters);
      // Searches and document writes first: Vert.x Web tries routes in order, a regular expression per
      // route with a path parameter, and a search mounted behind 40 routes spent 4 % of its event-loop
      // CPU matching them (issue 13). No two modules share a method and path, so the order changes no
      // answer.
      List<RouteModule> modules = new java.util.ArrayList<>(List.of(
          new SearchRoutes(), new DocumentRoutes(meters), new ClusterRoutes(), new IndexRoutes(), new TaskRoutes(),
          new KeyRoutes(), new ReplicaRoutes(), new InstanceRoutes(),
          new ConsistencyRoutes(meters, ConsistencyMonitor.configuredInterval(System.getenv()))));
      modules.addAll(config.extraRoutes());
      modules.forEach(m -> m.mount(endpoints, fleet));

      router.errorHandler(413, ctx -> Endpoints.send(ctx,
          Reply.error(MeiliError.payloadTooLarge(config.maxPayloadBytes()), Map.of())));
      // Meilisearch answers an unknown route, or a known one with another method, with an empty body.
      router.errorHandler(404, ctx -> Endpoints.send(ctx, new Reply(404, Map.of(), null)));
      router.errorHandler(405, ctx -> Endpoints.send(ctx, new Reply(405, Map.of(), null)));
      router.errorHandler(500, ctx -> Endpoints.send(ctx, Reply.error(MeiliError.internal(
          "The router failed to handle the request."), Map.of())));

      HttpServer server = vertx.createHttpServer(new HttpServerOptions()
              .setHost(config.host()).setPort(config.port()).setCompressionSupported(true)
              // What a Meilisearch node (actix) accepts: request targets up to 64 KiB, heads up to 128 KiB.
              .setMaxInitialLineLength(MAX_REQUEST_LINE).setMaxHeaderSize(MAX_HEADER_BYTES))
          .requestHandler(router)
          .listen()
          .await();
      HttpServer metricsServer = null;
      if (config.metrics().mode().equals("port")) {
        Router metricsRouter = Router.router(vertx);
        metricsRouter.get("/metrics").handler(ctx -> scrape(ctx, meters));
        metricsServer = vertx.createHttpServer(new HttpServerOptions()
                .setHost(config.host()).setPort(config.metrics().port()))
            .requestHandler(metricsRouter)
            .listen()
            .await();
      }
      RouterServer handle = new RouterServer(config, vertx, topology, nodes, fleet, server, metricsServer, keyRing);
      LOG.info("router listening on {} serving topology epoch {} from {}", handle.url(),
          topology.snapshot().epoch(), config.topologySource().describe());
      return handle;
    } catch (RuntimeException e) {
      if (writes != null) {
        writes.close();
      }
      if (keyRing != null) {
        keyRing.stop();
      }
      closeQuietly(config, vertx);
      throw e;
    }
  }

  @Override
  public int port() {
    return server.actualPort();
  }

  @Override
  public String url() {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    return "http://" + host + ":" + port();
  }

  @Override
  public long epoch() {
    return topology.snapshot().epoch();
  }

  @Override
  public void close() {
    keyRing.stop();
    try {
      if (metricsServer != null) {
        metricsServer.close().await();
      }
      server.close().await();
    } catch (RuntimeException e) {
      LOG.warn("closing the HTTP server failed: {}", e.toString());
    }
    fleet.writes().close();
    nodes.close();
    closeQuietly(config, vertx);
  }

  private static void closeQuietly(RouterConfig config, Vertx vertx) {
    try {
      config.topologySource().close();
    } catch (RuntimeException e) {
      LOG.warn("closing the topology source failed: {}", e.toString());
    }
    try {
      config.taskStore().close();
    } catch (Exception e) {
      LOG.warn("closing the task store failed: {}", e.toString());
    }
    try {
      vertx.close().await();
    } catch (RuntimeException e) {
      LOG.warn("closing Vert.x failed: {}", e.toString());
    }
  }
}
