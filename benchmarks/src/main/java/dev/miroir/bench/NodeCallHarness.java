package dev.miroir.bench;

import com.sun.management.ThreadMXBean;
import dev.miroir.core.topology.NodeState;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.router.node.NodeClient;
import dev.miroir.router.node.NodeReply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's CPU and allocation per node call, before and after {@code NodeClient} moved from
 * Vert.x's {@code WebClient} to the core {@code HttpClient}, in one process and one run: both clients
 * share one event loop and call the same loopback stand-in for a node (its own Vert.x, its own
 * thread), which answers a search with a 17 KB answer (the size of a 1.21 answer of 20 hits with
 * ranking details) and a document write with a node's 202. "before" is the web-client call as
 * {@code NodeClient.send} made it at 468a9c8, and the 202 read as three trees as the dispatcher and
 * the router task read it; "after" is {@code NodeClient} and {@code NodeReply}'s streaming read.
 *
 * <p>Measured: the client event loop thread's own CPU time and allocated bytes over each slice
 * (a closed loop of calls at a given concurrency), which the machine's load inflates far less than
 * wall time; slices alternate between the two clients. Run:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.miroir.bench.NodeCallHarness [calls per slice] [rounds]}.
 */
public final class NodeCallHarness {

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  interface Caller {
    Future<NodeReply> call(TopologyNode node, HttpMethod method, String uri, Buffer body, String auth);

    /** What the write path reads of a 202. */
    long readEnqueued(NodeReply reply);
  }

  public static void main(String[] args) {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 4_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Vertx nodeVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    Vertx routerVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    Buffer searchAnswer = Buffer.buffer(searchAnswer().getBytes(StandardCharsets.UTF_8));
    Buffer enqueued = Buffer.buffer(("{\"taskUid\":123456,\"indexUid\":\"bench\",\"status\":\"enqueued\","
        + "\"type\":\"documentAdditionOrUpdate\",\"enqueuedAt\":\"2026-12-03T21:00:00.123456789Z\"}")
        .getBytes(StandardCharsets.UTF_8));
    HttpServer server = nodeVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(b -> {
      if (request.path().endsWith("/search")) {
        request.response().putHeader("content-type", "application/json").end(searchAnswer);
      } else {
        request.response().setStatusCode(202).putHeader("content-type", "application/json").end(enqueued);
      }
    })).listen(0, "127.0.0.1").await();
    TopologyNode node = new TopologyNode("n1", "http://127.0.0.1:" + server.actualPort(), null, NodeState.ACTIVE);

    NodeClient after = new NodeClient(routerVertx, java.time.Duration.ofSeconds(30), new SimpleMeterRegistry());
    Caller afterCaller = new Caller() {
      @Override
      public Future<NodeReply> call(TopologyNode n, HttpMethod m, String uri, Buffer body, String auth) {
        return after.send(n, m, uri, body, "application/json", auth);
      }

      @Override
      public long readEnqueued(NodeReply reply) {
        return reply.taskUid(-1) + reply.taskType().length() + reply.enqueuedAt().length();
      }
    };
    WebClientBefore before = new WebClientBefore(routerVertx);
    Caller beforeCaller = new Caller() {
      @Override
      public Future<NodeReply> call(TopologyNode n, HttpMethod m, String uri, Buffer body, String auth) {
        return before.send(n, m, uri, body, "application/json", auth);
      }

      @Override
      public long readEnqueued(NodeReply reply) {
        // NodeDispatcher.handle, Fleet.recordTask (taskUid and type), Fleet.recordTask (enqueuedAt).
        com.fasterxml.jackson.databind.JsonNode recorded = reply.json();
        return reply.json().path("taskUid").asLong(-1) + recorded.path("taskUid").asLong()
            + recorded.path("type").asText(null).length() + reply.json().path("enqueuedAt").asText(null).length();
      }
    };

    Promise<Long> id = Promise.promise();
    routerVertx.runOnContext(v -> id.complete(Thread.currentThread().getId()));
    long loopThread = id.future().await();

    Buffer searchBody = Buffer.buffer(("{\"q\":\"lo ra\",\"limit\":20,\"offset\":0,\"showRankingScore\":true,"
        + "\"showRankingScoreDetails\":true,\"attributesToRetrieve\":[\"*\"]}").getBytes(StandardCharsets.UTF_8));
    Buffer writeBody = Buffer.buffer(("[{\"id\":\"d-42\",\"title\":\"lo ra ma ten\",\"body\":\"vi sou kel dra min ea lo"
        + " ra ma ten vi sou kel dra\",\"genre\":\"g3\",\"tags\":[\"t1\",\"t7\"],\"year\":1999,\"price\":1999,"
        + "\"rating\":4.5,\"_geo\":{\"lat\":48.85,\"lng\":2.35,\"_miroir_shard\":17}}]").getBytes(StandardCharsets.UTF_8));
    String auth = "Bearer 0123456789abcdef0123456789abcdef";

    String[] kinds = {"search", "write"};
    int[] concurrencies = {1, 8};
    System.out.printf(Locale.ROOT, "%d calls per slice, %d rounds, load average %.2f%n", calls, rounds,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    // Warm-up: both paths, every kind, until the JIT settled.
    for (int w = 0; w < 3; w++) {
      for (String kind : kinds) {
        for (Caller c : List.of(beforeCaller, afterCaller)) {
          slice(routerVertx, loopThread, c, node, kind, kind.equals("search") ? searchBody : writeBody, auth, calls, 8);
        }
      }
    }
    for (String kind : kinds) {
      for (int conc : concurrencies) {
        double[][] cpu = new double[2][rounds];
        double[][] alloc = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
          for (int k = 0; k < 2; k++) {
            int which = (r % 2 == 0) ? k : 1 - k;
            Caller c = which == 0 ? beforeCaller : afterCaller;
            double[] m = slice(routerVertx, loopThread, c, node, kind, kind.equals("search") ? searchBody : writeBody,
                auth, calls, conc);
            cpu[which][r] = m[0];
            alloc[which][r] = m[1];
          }
        }
        double cb = median(cpu[0]);
        double ca = median(cpu[1]);
        double ab = median(alloc[0]);
        double aa = median(alloc[1]);
        System.out.printf(Locale.ROOT,
            "%-6s x%d  CPU per call: before %.1f us, after %.1f us (%.2fx)  allocation: before %.1f KB, after %.1f KB"
                + " (%.2fx)  [cpu before %s after %s]%n",
            kind, conc, cb, ca, ca / cb, ab / 1024, aa / 1024, aa / ab, Arrays.toString(round(cpu[0])),
            Arrays.toString(round(cpu[1])));
      }
    }
    readEnqueued(beforeCaller, afterCaller, enqueued);
    System.out.printf(Locale.ROOT, "load average at the end %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    after.close();
    before.close();
    routerVertx.close().await();
    nodeVertx.close().await();
  }

  /** One closed-loop slice: {@code calls} calls, {@code conc} in flight; CPU µs and bytes per call. */
  private static double[] slice(Vertx vertx, long thread, Caller caller, TopologyNode node, String kind, Buffer body,
      String auth, int calls, int conc) {
    Promise<Void> done = Promise.promise();
    AtomicLong sink = new AtomicLong();
    long[] start = new long[2];
    vertx.runOnContext(v -> {
      start[0] = THREADS.getThreadCpuTime(thread);
      start[1] = THREADS.getThreadAllocatedBytes(thread);
      int[] issued = {0};
      int[] finished = {0};
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        issued[0]++;
        boolean search = kind.equals("search");
        caller.call(node, HttpMethod.POST, search ? "/indexes/bench/search" : "/indexes/bench/documents?primaryKey=id",
            body, auth).onComplete(ar -> {
              NodeReply reply = ar.result();
              if (reply.status() == 0) {
                done.tryFail(reply.problem());
                return;
              }
              sink.addAndGet(search ? reply.body().length() : caller.readEnqueued(reply));
              finished[0]++;
              if (issued[0] < calls) {
                next[0].run();
              } else if (finished[0] == calls) {
                done.tryComplete();
              }
            });
      };
      for (int i = 0; i < conc; i++) {
        next[0].run();
      }
    });
    done.future().await();
    long cpu = THREADS.getThreadCpuTime(thread) - start[0];
    long bytes = THREADS.getThreadAllocatedBytes(thread) - start[1];
    if (sink.get() == 42) {
      System.out.print("");
    }
    return new double[] {cpu / 1_000.0 / calls, (double) bytes / calls};
  }

  /** The 202 read alone, on this thread: three trees (before) against one streaming read (after). */
  private static void readEnqueued(Caller before, Caller after, Buffer enqueued) {
    long thread = Thread.currentThread().getId();
    int n = 200_000;
    double[][] cpu = new double[2][5];
    double[][] alloc = new double[2][5];
    long sink = 0;
    for (int r = -2; r < 5; r++) {
      for (int which = 0; which < 2; which++) {
        Caller c = which == 0 ? before : after;
        long t0 = THREADS.getThreadCpuTime(thread);
        long a0 = THREADS.getThreadAllocatedBytes(thread);
        for (int i = 0; i < n; i++) {
          sink += c.readEnqueued(new NodeReply("n1", 202, enqueued, null));
        }
        if (r >= 0) {
          cpu[which][r] = (THREADS.getThreadCpuTime(thread) - t0) / 1_000.0 / n;
          alloc[which][r] = (double) (THREADS.getThreadAllocatedBytes(thread) - a0) / n;
        }
      }
    }
    System.out.printf(Locale.ROOT, "202 read  CPU per answer: before %.2f us, after %.2f us  allocation: before %.0f B,"
        + " after %.0f B%s%n", median(cpu[0]), median(cpu[1]), median(alloc[0]), median(alloc[1]), sink == 42 ? " " : "");
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String[] round(double[] values) {
    String[] out = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = String.format(Locale.ROOT, "%.1f", values[i]);
    }
    return out;
  }

  /** A search answer of 20 hits with ranking details, about 17 KB, as a node writes it. */
  private static String searchAnswer() {
    StringBuilder s = new StringBuilder("{\"hits\":[");
    for (int i = 0; i < 20; i++) {
      if (i > 0) {
        s.append(',');
      }
      s.append("{\"id\":\"d-").append(i).append("\",\"title\":\"lo ra ma ten vi sou\",\"body\":\"");
      for (int w = 0; w < 30; w++) {
        s.append(w == 0 ? "" : " ").append("kel dra min ea".split(" ")[w % 4]);
      }
      s.append("\",\"genre\":\"g3\",\"tags\":[\"t1\",\"t7\"],\"year\":1999,\"price\":1999,\"rating\":4.5,")
          .append("\"_geo\":{\"lat\":48.85,\"lng\":2.35,\"_miroir_shard\":17},\"_rankingScore\":0.9")
          .append(i).append(",\"_rankingScoreDetails\":{\"words\":{\"order\":0,\"matchingWords\":2,\"maxMatchingWords\":2,")
          .append("\"score\":1.0},\"typo\":{\"order\":1,\"typoCount\":0,\"maxTypoCount\":2,\"score\":1.0},")
          .append("\"proximity\":{\"order\":2,\"score\":0.9").append(i).append("},\"attribute\":{\"order\":3,")
          .append("\"attributeRankingOrderScore\":1.0,\"queryWordDistanceScore\":0.9,\"score\":0.95},")
          .append("\"exactness\":{\"order\":4,\"matchType\":\"noExactMatch\",\"matchingWords\":2,")
          .append("\"maxMatchingWords\":2,\"score\":0.33}}}");
    }
    s.append("],\"query\":\"lo ra\",\"processingTimeMs\":1,\"limit\":20,\"offset\":0,\"estimatedTotalHits\":1234}");
    return s.toString();
  }

  /** {@code NodeClient.send} as it was at 468a9c8: the Vert.x web client. */
  static final class WebClientBefore {
    private final WebClient client;
    private final long timeout = 30_000;
    private final java.util.Map<String, java.net.URI> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    WebClientBefore(Vertx vertx) {
      client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setKeepAliveTimeout(4)
              .setTcpNoDelay(true).setConnectTimeout(5_000).setUserAgent("miroir-router"),
          new PoolOptions().setHttp1MaxSize(128));
    }

    Future<NodeReply> send(TopologyNode node, HttpMethod method, String pathAndQuery, Buffer body, String contentType,
        String authorization) {
      // The URL parsed once, as NodeClient.Target did.
      java.net.URI uri = parsed.computeIfAbsent(node.url(), java.net.URI::create);
      HttpRequest<Buffer> request = client.request(method, uri.getPort(), uri.getHost(), pathAndQuery).ssl(false)
          .timeout(timeout);
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
      return sent.map(response -> {
        Buffer b = response.body();
        return new NodeReply(node.id(), response.statusCode(), b == null ? Buffer.buffer() : b, null);
      }).recover(failure -> Future.succeededFuture(NodeReply.unreachable(node.id(), failure.toString())));
    }

    void close() {
      client.close();
    }
  }
}
