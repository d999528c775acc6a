package dev.miroir.bench.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.RouterConfig;
import dev.miroir.router.RouterHandle;
import dev.miroir.router.RouterServer;
import dev.miroir.router.http.Endpoints;
import dev.miroir.router.http.Fleet;
import dev.miroir.router.http.RouteModule;
import dev.miroir.router.topology.FileTopologySource;
import dev.miroir.router.write.WriteOptions;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A router in its own JVM, as in production, so that its CPU time, allocation and resident memory
 * are its own and not the load generator's. Adds one unauthenticated route, {@code GET
 * /_bench/stats}, which the harness reads before and after each measured slice.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.miroir.bench.cluster.RouterChild <topology.json>
 * [<replica log>]} (a {@code MIROIR_REPLICA_LOG} value, e.g. {@code file:/dir}: the durable log the
 * write contract counts on; in memory when absent), with the master key in {@code MIROIR_MASTER_KEY} (never on the command line). Prints
 * {@code LISTENING <url>} once it serves.
 */
public final class RouterChild {

  private RouterChild() {}

  public static void main(String[] args) throws Exception {
    String key = System.getenv("MIROIR_MASTER_KEY");
    WriteOptions writes = args.length > 1 ? new WriteOptions(args[1], 0, 0, null) : WriteOptions.inMemory();
    RouterConfig config = new RouterConfig("127.0.0.1", 0, key, new FileTopologySource(Path.of(args[0])),
        null, 0, null, List.of(new StatsRoute()), writes);
    RouterHandle router = RouterServer.start(config);
    System.out.println("LISTENING " + router.url());
    System.out.flush();
    // Ends when the parent closes our stdin (or dies).
    while (System.in.read() >= 0) {
      // keep reading
    }
    router.close();
    System.exit(0);
  }

  /** CPU, allocation and memory of this JVM, for the harness. */
  static final class StatsRoute implements RouteModule {

    @Override
    public void mount(Endpoints endpoints, Fleet fleet) {
      endpoints.router().get("/_bench/stats").order(-10).handler(ctx -> ctx.response()
          .putHeader("Content-Type", "application/json").end(stats().toString()));
    }
  }

  static ObjectNode stats() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long cpu = 0;
    long allocated = 0;
    long loopCpu = 0;
    long loopAllocated = 0;
    for (var info : threads.dumpAllThreads(false, false)) {
      long id = info.getThreadId();
      long c = Math.max(0, threads.getThreadCpuTime(id));
      long a = Math.max(0, threads.getThreadAllocatedBytes(id));
      cpu += c;
      allocated += a;
      if (info.getThreadName().startsWith("vert.x-eventloop")) {
        loopCpu += c;
        loopAllocated += a;
      }
    }
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ObjectNode out = Corpus.JSON.createObjectNode();
    out.put("processCpuNanos", os.getProcessCpuTime());
    out.put("threadsCpuNanos", cpu);
    out.put("threadsAllocatedBytes", allocated);
    out.put("eventLoopCpuNanos", loopCpu);
    out.put("eventLoopAllocatedBytes", loopAllocated);
    out.put("rssBytes", rss());
    out.put("heapUsedBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    out.put("gcCount", gcCount);
    out.put("gcMillis", gcMillis);
    return out;
  }

  /** VmRSS of /proc/self/status, in bytes; -1 off Linux. */
  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return -1;
  }
}
