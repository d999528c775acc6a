package dev.miroir.bench;

import dev.miroir.core.placement.Placement;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Prints how evenly placement spreads shard replicas: busiest node's replicas over the mean, for node
 * ids {@code n0..n(N-1)}. Deterministic, so the figures are exact and the core's tests pin them.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.miroir.bench.BalanceReport [csv]}
 */
public final class BalanceReport {

  static final int[] SHARDS = {64, 128, 256, 512, 1024};
  static final int[] NODES = {3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 28, 32};
  static final int[] RFS = {1, 2, 3};

  public static void main(String[] args) {
    boolean csv = args.length > 0 && args[0].equals("csv");
    if (csv) {
      System.out.println("rf,shards,nodes,imbalance");
    }
    for (int rf : RFS) {
      if (!csv) {
        System.out.printf("%nRF %d: busiest node / mean%n%n| S \\ N |", rf);
        for (int n : NODES) {
          System.out.printf(" %d |", n);
        }
        System.out.printf("%n|---|%s%n", "---|".repeat(NODES.length));
      }
      for (int s : SHARDS) {
        if (!csv) {
          System.out.printf("| %d |", s);
        }
        for (int n : NODES) {
          List<String> ids = IntStream.range(0, n).mapToObj(i -> "n" + i).toList();
          double imbalance = Placement.compute(ids, s, rf).imbalance();
          if (csv) {
            System.out.printf(Locale.ROOT, "%d,%d,%d,%.4f%n", rf, s, n, imbalance);
          } else {
            System.out.printf(Locale.ROOT, " %.2f |", imbalance);
          }
        }
        if (!csv) {
          System.out.println();
        }
      }
    }
  }

  private BalanceReport() {}
}
