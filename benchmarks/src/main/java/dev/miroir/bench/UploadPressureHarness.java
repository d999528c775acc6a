package dev.miroir.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Search latency with and without large uploads, and the router's peak memory: issue #9's figure for
 * "bounded memory, free event loop". Runs against a router that is already up (e.g. {@code ./miroir
 * local up}) and reads the peak resident set of the router's process from {@code /proc}.
 *
 * <p>Phases: index a small search corpus; search for {@code seconds} with {@code searchers} clients
 * (baseline); search again while two clients each upload a 95 MB JSON batch as fast as the router takes
 * them (pressure). Prints p50/p99/max per phase, the uploads' answers, and the process's VmHWM.
 *
 * <p>Run (see docs/benchmarks/upload-pressure.md):
 * {@code java -cp benchmarks/target/benchmarks.jar dev.miroir.bench.UploadPressureHarness
 * http://127.0.0.1:7700 <master key> <router pid> [seconds=30] [searchers=4]}
 */
public final class UploadPressureHarness {

  static final int UPLOAD_BYTES = 95_000_000;

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: UploadPressureHarness <router url> <master key> <router pid> [seconds] [searchers]");
      System.exit(2);
    }
    URI router = URI.create(args[0].replaceAll("/$", ""));
    String auth = "Bearer " + args[1];
    long pid = Long.parseLong(args[2]);
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    int searchers = args.length > 4 ? Integer.parseInt(args[4]) : 4;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();

    long task = taskUid(send(http, router, auth, "POST", "/indexes", "{\"uid\":\"bench_search\",\"primaryKey\":\"id\"}"));
    waitTask(http, router, auth, task);
    StringBuilder corpus = new StringBuilder("[");
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      if (i > 0) {
        corpus.append(',');
      }
      corpus.append("{\"id\":").append(i).append(",\"title\":\"").append(words(random, 6))
          .append("\",\"body\":\"").append(words(random, 30)).append("\"}");
    }
    waitTask(http, router, auth, taskUid(send(http, router, auth, "POST", "/indexes/bench_search/documents",
        corpus.append(']').toString())));
    System.out.printf(Locale.ROOT, "corpus: 20000 documents indexed; VmHWM so far %s%n", memory(pid, "VmHWM"));

    Phase baseline = searchFor(http, router, auth, seconds, searchers, pid, null);
    byte[] upload = uploadBody();
    System.out.printf(Locale.ROOT, "upload body: %.1f MB of JSON%n", upload.length / 1e6);
    Phase pressure = searchFor(http, router, auth, seconds, searchers, pid, upload);

    System.out.println();
    System.out.println("| phase | searches | p50 ms | p99 ms | max ms | failed | uploads (status: count) | router VmHWM | router VmRSS at end |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    baseline.print("baseline");
    pressure.print("two 95 MB uploads");
  }

  record Phase(List<Long> latenciesMicros, long failed, List<String> uploads, String peak, String rss) {
    void print(String name) {
      List<Long> sorted = new ArrayList<>(latenciesMicros);
      Collections.sort(sorted);
      System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %d | %s | %s | %s |%n", name, sorted.size(),
          pct(sorted, 0.50) / 1000.0, pct(sorted, 0.99) / 1000.0,
          (sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1)) / 1000.0, failed,
          uploads.isEmpty() ? "-" : summarize(uploads), peak, rss);
    }
  }

  private static Phase searchFor(HttpClient http, URI router, String auth, int seconds, int searchers, long pid,
      byte[] upload) throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong failed = new AtomicLong();
    ConcurrentLinkedQueue<String> uploads = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < searchers; t++) {
      Random random = new Random(t);
      threads.add(started(() -> {
        while (running.get()) {
          String body = "{\"q\":\"" + words(random, 2) + "\",\"limit\":10}";
          long start = System.nanoTime();
          try {
            HttpResponse<String> r = send(http, router, auth, "POST", "/indexes/bench_search/search", body);
            if (r.statusCode() == 200) {
              latencies.add((System.nanoTime() - start) / 1000);
            } else {
              failed.incrementAndGet();
            }
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      }));
    }
    if (upload != null) {
      for (int u = 0; u < 2; u++) {
        int n = u;
        threads.add(started(() -> {
          while (running.get()) {
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(router.resolve(
                      "/indexes/bench_upload_" + n + "/documents"))
                  .timeout(Duration.ofMinutes(5)).header("Authorization", auth)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
              uploads.add(Integer.toString(r.statusCode()));
            } catch (Exception e) {
              uploads.add("error");
            }
          }
        }));
      }
    }
    String[] peak = {memory(pid, "VmHWM")};
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      Thread.sleep(200);
      peak[0] = memory(pid, "VmHWM");
    }
    running.set(false);
    for (Thread t : threads) {
      t.join(Duration.ofMinutes(5).toMillis());
    }
    return new Phase(new ArrayList<>(latencies), failed.get(), new ArrayList<>(uploads), memory(pid, "VmHWM"),
        memory(pid, "VmRSS"));
  }

  private static Thread started(Runnable work) {
    Thread t = new Thread(work);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** One JSON array of about 95 MB: 1 KB documents with distinct ids. */
  static byte[] uploadBody() {
    StringBuilder out = new StringBuilder(UPLOAD_BYTES + 4096).append('[');
    Random random = new Random(11);
    int id = 0;
    while (out.length() < UPLOAD_BYTES) {
      if (id > 0) {
        out.append(',');
      }
      out.append("{\"id\":").append(id++).append(",\"text\":\"").append(words(random, 150)).append("\"}");
    }
    return out.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final String[] VOCABULARY = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
      + " mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu carol heat"
      + " wonder woman river stone light night dream house road storm").split(" ");

  static String words(Random random, int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
    }
    return out.toString();
  }

  static HttpResponse<String> send(HttpClient http, URI router, String auth, String method, String path, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(router.resolve(path)).timeout(Duration.ofMinutes(2))
        .header("Authorization", auth).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static long taskUid(HttpResponse<String> r) {
    var m = java.util.regex.Pattern.compile("\"taskUid\":(\\d+)").matcher(r.body());
    if (!m.find()) {
      throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
    }
    return Long.parseLong(m.group(1));
  }

  static void waitTask(HttpClient http, URI router, String auth, long uid) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      String body = http.send(HttpRequest.newBuilder(router.resolve("/tasks/" + uid)).header("Authorization", auth)
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      if (body.contains("\"status\":\"succeeded\"")) {
        return;
      }
      if (body.contains("\"status\":\"failed\"") || body.contains("\"status\":\"canceled\"")) {
        throw new IllegalStateException("task " + uid + ": " + body);
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("task " + uid + " did not finish");
  }

  static String memory(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
        }
      }
    } catch (Exception e) {
      return "n/a";
    }
    return "n/a";
  }

  static long pct(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  static String summarize(List<String> statuses) {
    java.util.TreeMap<String, Integer> counts = new java.util.TreeMap<>();
    statuses.forEach(s -> counts.merge(s, 1, Integer::sum));
    StringBuilder out = new StringBuilder();
    counts.forEach((k, v) -> out.append(out.length() == 0 ? "" : ", ").append(k).append(": ").append(v));
    return out.toString();
  }
}
