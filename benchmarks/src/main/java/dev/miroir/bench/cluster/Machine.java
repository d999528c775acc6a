package dev.miroir.bench.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the figures were taken on. */
final class Machine {

  private Machine() {}

  static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return "unknown";
  }

  static String cpu() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }

  static String describe() {
    return Runtime.getRuntime().availableProcessors() + " cores (" + cpu() + "), " + memory() + " memory, "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", Meilisearch "
        + dev.miroir.local.MeilisearchBinary.VERSION + ", " + System.getProperty("os.name") + " "
        + System.getProperty("os.version");
  }

  /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "unknown" off Linux. */
  static String loadAverage() {
    try {
      String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " / " + parts[1] + " / " + parts[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
