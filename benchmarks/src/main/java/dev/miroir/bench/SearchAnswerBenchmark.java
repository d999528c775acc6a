package dev.miroir.bench;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.http.Reply;
import dev.miroir.router.search.HitMerger;
import dev.miroir.router.search.IndexSearchSettings;
import dev.miroir.router.search.NodeAnswer;
import dev.miroir.router.search.ShardQueryBuilder;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The router's own work for one first-page search, from the three node answers' bytes to the client
 * answer's bytes: {@code NodeAnswer.read} of each answer, {@code HitMerger.merge} and the writing of
 * the answer ({@code Reply.bytes}), as {@code SearchRoutes} does it. The answers have the shape
 * Meilisearch 1.21 writes for the router's query (limit 20, {@code _rankingScore},
 * {@code _rankingScoreDetails} of the default rules, the shard stamp) over documents like the
 * comparison corpus's (title, body of 15-44 words, genre, tags, year, price, rating, {@code _geo}),
 * so that bytes per answer (about 17 KB) and the share of details match the cluster runs.
 *
 * <p>Run with {@code -prof gc} for the allocation per search ({@code gc.alloc.rate.norm}). On a
 * loaded machine JMH's wall-clock times swing with the load; {@link #main} measures the thread's own
 * CPU time and allocation per search instead, which the load does not inflate:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.miroir.bench.SearchAnswerBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SearchAnswerBenchmark {

  /** The mapper {@code SearchRoutes} reads node answers with (exact decimals). */
  private static final ObjectMapper EXACT = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true)).build();

  /** {@code relevancy}: two words, the default rules; {@code sorted}: plus {@code price:asc}. */
  @Param({"relevancy", "sorted"})
  String shape;

  private final List<Buffer> answers = new ArrayList<>();
  private ShardQueryBuilder.ShardSearch plan;
  private IndexSearchSettings settings;

  @Setup
  public void prepare() throws IOException {
    settings = IndexSearchSettings.defaults();
    boolean sorted = shape.equals("sorted");
    ObjectNode client = (ObjectNode) EXACT.readTree(sorted
        ? "{\"q\":\"lora maten\",\"limit\":20,\"sort\":[\"price:asc\"]}" : "{\"q\":\"lora maten\",\"limit\":20}");
    plan = ShardQueryBuilder.search(client, settings);
    Random random = new Random(42);
    for (int node = 0; node < 3; node++) {
      answers.add(Buffer.buffer(answer(node, sorted, random).getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Benchmark
  public Buffer search() throws IOException {
    List<JsonNode> read = new ArrayList<>(answers.size());
    for (Buffer answer : answers) {
      read.add(NodeAnswer.read(EXACT, answer, plan.intent().distinctAttribute()));
    }
    return Reply.bytes(HitMerger.merge(plan.intent(), settings, read));
  }

  // ---- answers as Meilisearch 1.21 writes them ------------------------------------------------

  private static final String[] SYLLABLES = {"lo", "ra", "ma", "ten", "vi", "sou", "kel", "dra", "min", "ea",
      "por", "tis", "qua", "ne", "bel", "ro"};

  private static String word(Random random) {
    StringBuilder w = new StringBuilder();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      w.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
    }
    return w.toString();
  }

  private static String words(Random random, int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append(i == 0 ? "" : " ").append(word(random));
    }
    return out.toString();
  }

  private static String answer(int node, boolean sorted, Random random) {
    List<double[]> ranks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      // words, typos, proximity, attribute, exactness, price
      ranks.add(new double[] {1 + random.nextInt(2), random.nextInt(2), 1 + random.nextInt(7),
          1 + random.nextInt(4), random.nextInt(3), random.nextInt(50_000)});
    }
    ranks.sort((a, b) -> {
      for (int r = 0; r < 5; r++) {
        int c = Double.compare(r == 1 ? a[r] : b[r], r == 1 ? b[r] : a[r]);
        if (r == 2) {
          c = -c;
        }
        if (c != 0) {
          return c;
        }
      }
      return 0;
    });
    if (sorted) {
      ranks.sort((a, b) -> Double.compare(a[5], b[5]));
    }
    StringBuilder out = new StringBuilder("{\"hits\":[");
    for (int i = 0; i < ranks.size(); i++) {
      double[] r = ranks.get(i);
      out.append(i == 0 ? "" : ",");
      int id = node * 1000 + i;
      out.append("{\"id\":").append(id)
          .append(",\"title\":\"").append(words(random, 3 + random.nextInt(6)))
          .append("\",\"body\":\"").append(words(random, 15 + random.nextInt(30)))
          .append("\",\"genre\":\"").append(word(random))
          .append("\",\"tags\":[\"").append(word(random)).append("\",\"").append(word(random))
          .append("\"],\"year\":").append(1950 + random.nextInt(75))
          .append(",\"price\":").append((long) r[5])
          .append(",\"rating\":").append(String.format(Locale.ROOT, "%.1f", random.nextDouble() * 5))
          .append(",\"_geo\":{\"lat\":").append(48 + random.nextDouble()).append(",\"lng\":")
          .append(2 + random.nextDouble()).append("}")
          .append(",\"_miroir_shard\":").append(random.nextInt(64));
      double words = r[0] / 2;
      double typo = (2 - r[1]) / 2;
      double proximity = (8 - r[2]) / 7;
      double attribute = r[3] / 4;
      String match = r[4] == 2 ? "exactMatch" : r[4] == 1 ? "matchesStart" : "noExactMatch";
      double exactness = (r[4] + 1) / 3;
      double score = words * 0.5 + typo * 0.2 + proximity * 0.15 + attribute * 0.1 + exactness * 0.05;
      out.append(",\"_rankingScore\":").append(score)
          .append(",\"_rankingScoreDetails\":{\"words\":{\"order\":0,\"matchingWords\":").append((int) r[0])
          .append(",\"maxMatchingWords\":2,\"score\":").append(words)
          .append("},\"typo\":{\"order\":1,\"typoCount\":").append((int) r[1])
          .append(",\"maxTypoCount\":1,\"score\":").append(typo)
          .append("},\"proximity\":{\"order\":2,\"score\":").append(proximity)
          .append("},\"attribute\":{\"order\":3,\"attributeRankingOrderScore\":").append(attribute)
          .append(",\"queryWordDistanceScore\":").append(0.75 + random.nextInt(2) * 0.25)
          .append(",\"score\":").append(attribute * 0.9);
      int order = 4;
      if (sorted) {
        out.append("},\"price:asc\":{\"order\":").append(order++).append(",\"value\":").append((long) r[5]);
      }
      out.append("},\"exactness\":{\"order\":").append(order).append(",\"matchType\":\"").append(match)
          .append("\",\"score\":").append(exactness).append("}}}");
    }
    out.append("],\"query\":\"lora maten\",\"processingTimeMs\":4,\"limit\":20,\"offset\":0,")
        .append("\"estimatedTotalHits\":").append(300 + node).append("}");
    return out.toString();
  }

  /** CPU time and allocation of the calling thread per search, median of 7 rounds, per shape. */
  public static void main(String[] args) throws IOException {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    com.sun.management.ThreadMXBean allocation = (com.sun.management.ThreadMXBean) threads;
    long self = Thread.currentThread().getId();
    int rounds = 7;
    int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    for (String shape : new String[] {"relevancy", "sorted"}) {
      SearchAnswerBenchmark b = new SearchAnswerBenchmark();
      b.shape = shape;
      b.prepare();
      long sink = 0;
      for (int i = 0; i < 4 * perRound; i++) {
        sink += b.search().length();
      }
      double[] cpu = new double[rounds];
      double[] bytes = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long cpu0 = threads.getCurrentThreadCpuTime();
        long alloc0 = allocation.getThreadAllocatedBytes(self);
        for (int i = 0; i < perRound; i++) {
          sink += b.search().length();
        }
        cpu[r] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / perRound;
        bytes[r] = (double) (allocation.getThreadAllocatedBytes(self) - alloc0) / perRound;
      }
      java.util.Arrays.sort(cpu);
      java.util.Arrays.sort(bytes);
      System.out.printf(Locale.ROOT, "%-10s cpu/search median %.1f us (min %.1f, max %.1f)  alloc/search %.0f B  [%d]%n",
          shape, cpu[rounds / 2], cpu[0], cpu[rounds - 1], bytes[rounds / 2], sink % 10);
    }
  }
}
