package dev.miroir.router.node;

import dev.miroir.core.topology.TopologyNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;

/**
 * The router's only way to talk to Meilisearch nodes. Never fails its future: an unreachable node is
 * a {@link NodeReply} with status 0, because every caller must weigh it against the other nodes'
 * answers rather than abort.
 *
 * <p>Requests go through Vert.x's core {@code HttpClient}, not the {@code WebClient} built on it: a
 * search sends one request per node and a write one per copy, and the web client's per-request
 * pipeline (a request object copying its options and headers, an interceptor chain, a body codec
 * that grows the answer buffer chunk by chunk) was about half of the router's client-side CPU for
 * a node call while adding nothing a node call uses. Behaviour is the web client's: the same pool,
 * keep-alive and timeout (one figure both for getting a connection and for the node's silence, as
 * the web client's {@code timeout} set it), the same failures.
 */
public final class NodeClient implements AutoCloseable {

  private final HttpClientAgent client;
  private final long timeoutMillis;
  private final MeterRegistry meters;

  /**
   * Connections kept per node. Every search sends one request to each node of its covering set, so
   * a node sees as many concurrent requests as the router has searches in flight; with Vert.x's
   * default of 5 a sixth concurrent search waited in the router for a free connection (at 32
   * concurrent searches most of the latency was that wait). Meilisearch serves many connections
   * cheaply; its own search concurrency is bounded by its cores, not by our pool. Never pipelined:
   * a write's copies stay one in flight per connection (docs/design/writes.md, section 2).
   */
  public static final int CONNECTIONS_PER_NODE = 128;

  /**
   * Idle connections are closed before Meilisearch's own keep-alive (actix-web's default is 5 s)
   * would close them, so a request never goes out on a connection the node is closing.
   */
  static final int KEEP_ALIVE_SECONDS = 4;

  private static final CharSequence USER_AGENT = HttpHeaders.createOptimized("miroir-router");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  public NodeClient(Vertx vertx, Duration timeout, MeterRegistry meters) {
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
            .setPipelining(false)
            .setTcpNoDelay(true)
            .setConnectTimeout((int) Math.min(timeout.toMillis(), 5_000))
            // A search answer (about 17 KB for 20 hits with details) in as few chunks as the socket
            // reads give, each of which is one more buffer to join.
            .setMaxChunkSize(64 * 1024),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_NODE));
    this.timeoutMillis = timeout.toMillis();
    this.meters = meters;
  }

  /**
   * @param pathAndQuery e.g. {@code /indexes/movies/documents?primaryKey=id}, already encoded
   * @param body sent as these bytes, never copied or encoded again, or null for no body
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
    // Both the wait for a connection and the node's silence, as the web client's timeout was; and
    // redirects followed as the web client followed them (GET and HEAD; a 303 as a GET).
    RequestOptions options = new RequestOptions().setMethod(method).setTimeout(timeoutMillis).setFollowRedirects(true);
    if (target.host() == null) {
      options.setAbsoluteURI(stripSlash(node.url()) + pathAndQuery);
    } else {
      options.setServer(target.address()).setHost(target.host()).setPort(target.port()).setSsl(target.ssl())
          .setURI(target.path().isEmpty() ? pathAndQuery : target.path() + pathAndQuery);
    }
    Exchange exchange = new Exchange(node.id(), body, contentType, authorization);
    try {
      client.request(options).onComplete(exchange);
    } catch (RuntimeException e) {
      // A closed client throws rather than failing the future.
      exchange.fail(e);
    }
    return exchange.done.future();
  }

  /**
   * One node call: the request, its answer and the answer's body, joined with one promise rather
   * than a chain of futures. The body is kept as the one chunk it usually arrives in, else joined
   * once into a buffer of its whole size.
   */
  private final class Exchange implements Handler<AsyncResult<HttpClientRequest>> {

    private final String nodeId;
    private final Buffer body;
    private final String contentType;
    private final String authorization;
    private final Promise<NodeReply> done = Promise.promise();
    private int status;
    private Buffer first;
    private java.util.List<Buffer> more;
    private int length;

    Exchange(String nodeId, Buffer body, String contentType, String authorization) {
      this.nodeId = nodeId;
      this.body = body;
      this.contentType = contentType;
      this.authorization = authorization;
    }

    @Override
    public void handle(AsyncResult<HttpClientRequest> created) {
      if (created.failed()) {
        fail(created.cause());
        return;
      }
      HttpClientRequest request = created.result();
      request.putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
      if (authorization != null) {
        request.putHeader(HttpHeaders.AUTHORIZATION, authorization);
      }
      Future<HttpClientResponse> sent;
      if (body != null) {
        request.putHeader(HttpHeaders.CONTENT_TYPE, contentType == null ? JSON : contentType);
        sent = request.send(body);
      } else {
        sent = request.send();
      }
      sent.onComplete(this::answered);
    }

    private void answered(AsyncResult<HttpClientResponse> answered) {
      if (answered.failed()) {
        fail(answered.cause());
        return;
      }
      HttpClientResponse response = answered.result();
      status = response.statusCode();
      response.exceptionHandler(this::fail);
      response.handler(this::chunk);
      response.endHandler(ignored -> end());
    }

    private void chunk(Buffer chunk) {
      length += chunk.length();
      if (first == null) {
        first = chunk;
      } else {
        if (more == null) {
          more = new java.util.ArrayList<>(4);
        }
        more.add(chunk);
      }
    }

    private void end() {
      Buffer whole;
      if (first == null) {
        whole = Buffer.buffer(0);
      } else if (more == null) {
        whole = first;
      } else {
        whole = Buffer.buffer(length).appendBuffer(first);
        for (Buffer b : more) {
          whole.appendBuffer(b);
        }
      }
      if (status >= 500) {
        errors(nodeId, "status_5xx").increment();
      }
      done.tryComplete(new NodeReply(nodeId, status, whole, null));
    }

    private void fail(Throwable failure) {
      if (done.future().isComplete()) {
        return;
      }
      errors(nodeId, "unreachable").increment();
      done.tryComplete(NodeReply.unreachable(nodeId, failure.toString()));
    }
  }

  private Counter errors(String node, String kind) {
    return Counter.builder("miroir_node_errors")
        .description("Node calls that failed: unreachable, timed out, or answered 5xx")
        .tag("node", node)
        .tag("kind", kind)
        .register(meters);
  }

  /**
   * Where a node URL points, parsed once: an absolute URL given to the client per request was
   * parsed again by {@code java.net.URL} on every call (a visible share of a search's CPU). A null
   * host means "send it as an absolute URL" (a form this does not take apart: user info, query,
   * IPv6 literal).
   */
  record Target(String host, int port, boolean ssl, String path, SocketAddress address) {

    Target(String host, int port, boolean ssl, String path) {
      this(host, port, ssl, path, host == null ? null : SocketAddress.inetSocketAddress(port, host));
    }

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
