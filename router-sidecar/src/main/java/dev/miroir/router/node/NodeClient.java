package dev.miroir.router.node;

import dev.miroir.core.topology.TopologyNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;

/**
 * The router's only way to talk to Meilisearch nodes. Never fails its future: an unreachable node is
 * a {@link NodeReply} with status 0, because every caller must weigh it against the other nodes'
 * answers rather than abort.
 */
public final class NodeClient implements AutoCloseable {

  private final WebClient client;
  private final Duration timeout;
  private final MeterRegistry meters;

  /**
   * Connections kept per node. Every search sends one request to each node of its covering set, so
   * a node sees as many concurrent requests as the router has searches in flight; with Vert.x's
   * default of 5 a sixth concurrent search waited in the router for a free connection (at 32
   * concurrent searches most of the latency was that wait). Meilisearch serves many connections
   * cheaply; its own search concurrency is bounded by its cores, not by our pool.
   */
  public static final int CONNECTIONS_PER_NODE = 128;

  /**
   * Idle connections are closed before Meilisearch's own keep-alive (actix-web's default is 5 s)
   * would close them, so a request never goes out on a connection the node is closing.
   */
  static final int KEEP_ALIVE_SECONDS = 4;

  public NodeClient(Vertx vertx, Duration timeout, MeterRegistry meters) {
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(timeout.toMillis(), 5_000))
                .setUserAgent("miroir-router"),
            new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_NODE));
    this.timeout = timeout;
    this.meters = meters;
  }

  /**
   * @param pathAndQuery e.g. {@code /indexes/movies/documents?primaryKey=id}, already encoded
   * @param authorization the Authorization header to send (the client's, or the master key's for
   *     internal operations), or null
   */
  public Future<NodeReply> send(
      TopologyNode node,
      HttpMethod method,
      String pathAndQuery,
      Buffer body,
      String contentType,
      String authorization) {
    Target target = targets.get(node.url());
    if (target == null) {
      if (targets.size() > MAX_TARGETS) {
        targets.clear();
      }
      target = Target.of(node.url());
      targets.put(node.url(), target);
    }
    HttpRequest<Buffer> request = (target.host() == null
        ? client.requestAbs(method, stripSlash(node.url()) + pathAndQuery)
        : client.request(method, target.port(), target.host(), target.path() + pathAndQuery).ssl(target.ssl()))
        .timeout(timeout.toMillis());
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent;
    if (body != null) {
      request.putHeader("Content-Type", contentType == null ? "application/json" : contentType);
      sent = request.sendBuffer(body);
    } else {
      sent = request.send();
    }
    return sent.map(
            response -> {
              if (response.statusCode() >= 500) {
                errors(node.id(), "status_5xx").increment();
              }
              Buffer b = response.body();
              return new NodeReply(node.id(), response.statusCode(), b == null ? Buffer.buffer() : b, null);
            })
        .recover(
            failure -> {
              errors(node.id(), "unreachable").increment();
              return Future.succeededFuture(NodeReply.unreachable(node.id(), failure.toString()));
            });
  }

  private Counter errors(String node, String kind) {
    return Counter.builder("miroir_node_errors")
        .description("Node calls that failed: unreachable, timed out, or answered 5xx")
        .tag("node", node)
        .tag("kind", kind)
        .register(meters);
  }

  /**
   * Where a node URL points, parsed once: an absolute URL given to the web client per request was
   * parsed again by {@code java.net.URL} on every call (a visible share of a search's CPU). A null
   * host means "send it as an absolute URL" (a form this does not take apart: user info, query,
   * IPv6 literal).
   */
  record Target(String host, int port, boolean ssl, String path) {

    static Target of(String url) {
      try {
        java.net.URI uri = new java.net.URI(stripSlash(url));
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        String host = uri.getHost();
        if (!(scheme.equals("http") || scheme.equals("https")) || host == null || host.startsWith("[")
            || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
          return new Target(null, 0, false, null);
        }
        boolean ssl = scheme.equals("https");
        int port = uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80;
        return new Target(host, port, ssl, uri.getRawPath() == null ? "" : uri.getRawPath());
      } catch (java.net.URISyntaxException e) {
        return new Target(null, 0, false, null);
      }
    }
  }

  private static final int MAX_TARGETS = 1_024;
  private final java.util.Map<String, Target> targets = new java.util.concurrent.ConcurrentHashMap<>();

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public void close() {
    client.close();
  }
}
