package dev.miroir.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Write acknowledgement latency: the time from sending a document write to receiving its 202, for
 * 1-document and 100-document batches, sent one after the other (each waits for the previous 202),
 * against any number of Meilisearch-API endpoints in the same run: routers (before/after a change,
 * RF 1/RF 2) and a node directly. Prints p50 and p99 per endpoint and batch size.
 *
 * <p>It only measures the acknowledgement (enqueue), not indexing: that is what the write path
 * changes. Each endpoint gets its own fresh index, created (and waited for) before measuring, so the
 * first measured write never pays for index creation.
 *
 * <pre>
 * java -cp benchmarks/target/miroir-benchmarks-*.jar dev.miroir.bench.WriteAckHarness \
 *   --key MASTER_KEY --writes 300 --warmup 30 \
 *   --target after-rf1=http://127.0.0.1:7801 --target after-rf2=http://127.0.0.1:7802 \
 *   --target before-rf1=http://127.0.0.1:7803 --target before-rf2=http://127.0.0.1:7804 \
 *   --target node=http://127.0.0.1:7811
 * </pre>
 *
 * <p>How the figures in {@code docs/design/writes.md} were taken, all on one machine in one run:
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests          # after: this commit
 * git worktree add /tmp/before 78a0fa0 &amp;&amp; (cd /tmp/before &amp;&amp; ./mvnw -B -q -pl benchmarks -am package -DskipTests)
 * # two nodes (the binary meili-local downloads to ~/.cache/miroir/meilisearch/1.21.0/)
 * meilisearch --db-path /tmp/n0 --http-addr 127.0.0.1:7811 --master-key $KEY --max-indexing-threads 1 &amp;
 * meilisearch --db-path /tmp/n1 --http-addr 127.0.0.1:7812 --master-key $KEY --max-indexing-threads 1 &amp;
 * # rf1.json / rf2.json: topology documents over n0, n1 with 8 shards and RF 1 / RF 2
 * # one router process per (build, RF), e.g. after with RF 2:
 * MIROIR_TOPOLOGY_FILE=rf2.json MIROIR_MASTER_KEY=$KEY MIROIR_HOST=127.0.0.1 MIROIR_PORT=7802 \
 *   MIROIR_REPLICA_LOG=file:/tmp/log-7802 java -cp benchmarks/target/benchmarks.jar dev.miroir.router.RouterMain &amp;
 * # (7801 after RF 1, 7803/7804 before RF 1/RF 2 with /tmp/before/benchmarks/target/benchmarks.jar,
 * #  7805 after RF 2 with MIROIR_REPLICA_LOG=file:/tmp/log-7805?fsync=true)
 * java -cp benchmarks/target/benchmarks.jar dev.miroir.bench.WriteAckHarness --key $KEY --writes 300 \
 *   --target before-rf1=http://127.0.0.1:7803 --target after-rf1=http://127.0.0.1:7801 \
 *   --target before-rf2=http://127.0.0.1:7804 --target after-rf2=http://127.0.0.1:7802 \
 *   --target after-rf2-fsync=http://127.0.0.1:7805 --target node-direct=http://127.0.0.1:7811
 * </pre>
 */
public final class WriteAckHarness {

  private WriteAckHarness() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> targets = new LinkedHashMap<>();
    String key = null;
    int writes = 200;
    int warmup = 20;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--target" -> {
          String[] kv = args[++i].split("=", 2);
          targets.put(kv[0], kv[1]);
        }
        case "--key" -> key = args[++i];
        case "--writes" -> writes = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (use --target label=url ..., --key K, --writes N, --warmup N)");
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("give at least one --target label=url");
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String run = Long.toString(System.currentTimeMillis(), 36);
    // The figures mean little without the machine's load beside them (shared machines drift).
    System.out.println("load average at start: " + loadAverage());
    System.out.printf(Locale.ROOT, "%-14s %6s %10s %10s %10s%n", "target", "docs", "p50 ms", "p99 ms", "writes");
    // Targets take turns write by write, so that the machine's load drifts over all of them alike.
    List<String> labels = new ArrayList<>(targets.keySet());
    List<Client> clients = new ArrayList<>();
    List<String> indexes = new ArrayList<>();
    for (String label : labels) {
      Client c = new Client(http, targets.get(label), key);
      String index = "ack_" + label.replaceAll("[^A-Za-z0-9_]", "_") + "_" + run;
      c.awaitTask(c.taskUid(c.send("POST", "/indexes", "{\"uid\":\"" + index + "\",\"primaryKey\":\"id\"}")));
      clients.add(c);
      indexes.add(index);
    }
    for (int docs : new int[] {1, 100}) {
      double[][] ms = new double[labels.size()][writes];
      for (int n = -warmup; n < writes; n++) {
        String body = batch(docs, n);
        for (int t = 0; t < labels.size(); t++) {
          long start = System.nanoTime();
          HttpResponse<String> r = clients.get(t).send("POST", "/indexes/" + indexes.get(t) + "/documents", body);
          long took = System.nanoTime() - start;
          if (r.statusCode() != 202) {
            throw new IllegalStateException(labels.get(t) + " answered " + r.statusCode() + ": " + r.body());
          }
          if (n >= 0) {
            ms[t][n] = took / 1e6;
          }
        }
      }
      for (int t = 0; t < labels.size(); t++) {
        Arrays.sort(ms[t]);
        System.out.printf(Locale.ROOT, "%-14s %6d %10.2f %10.2f %10d%n", labels.get(t), docs, percentile(ms[t], 50),
            percentile(ms[t], 99), writes);
      }
    }
    System.out.println("load average at end: " + loadAverage());
  }

  /** The 1, 5 and 15 minute load averages (Linux), or "unknown". */
  private static String loadAverage() {
    try {
      String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String batch(int docs, int n) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < docs; i++) {
      if (i > 0) {
        b.append(',');
      }
      int id = Math.floorMod(n * 131 + i * 7919, 100_000);
      b.append("{\"id\":").append(id).append(",\"title\":\"document ").append(id)
          .append("\",\"n\":").append(n).append(",\"body\":\"lorem ipsum dolor sit amet ").append(i).append("\"}");
    }
    return b.append(']').toString();
  }

  static double percentile(double[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private record Client(HttpClient http, String base, String key) {

    HttpResponse<String> send(String method, String path, String body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json");
      if (key != null) {
        b.header("Authorization", "Bearer " + key);
      }
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    long taskUid(HttpResponse<String> r) {
      var m = java.util.regex.Pattern.compile("\"taskUid\":(\\d+)").matcher(r.body());
      if (!m.find()) {
        throw new IllegalStateException(base + " answered " + r.statusCode() + ": " + r.body());
      }
      return Long.parseLong(m.group(1));
    }

    void awaitTask(long uid) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        String body = send("GET", "/tasks/" + uid, null).body();
        if (body.contains("\"status\":\"succeeded\"")) {
          return;
        }
        if (body.contains("\"status\":\"failed\"")) {
          throw new IllegalStateException("task " + uid + " at " + base + " failed: " + body);
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("task " + uid + " at " + base + " did not finish");
    }
  }
}
