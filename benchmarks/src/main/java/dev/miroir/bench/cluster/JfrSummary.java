package dev.miroir.bench.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * The hottest places of a router JFR recording: CPU samples by activity (the first frame that says
 * what the thread was doing: JSON parsing, JSON writing, the merge, the HTTP client, the server...)
 * and by top method, and sampled allocation by the router frame that caused it.
 */
final class JfrSummary {

  private JfrSummary() {}

  static String summarize(Path file, long searches) throws IOException {
    Map<String, Long> byActivity = new HashMap<>();
    Map<String, Long> byTopMethod = new HashMap<>();
    Map<String, Double> allocByOrigin = new HashMap<>();
    long samples = 0;
    double allocated = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String type = e.getEventType().getName();
      RecordedStackTrace stack = e.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      if (type.equals("jdk.ExecutionSample")) {
        samples++;
        byActivity.merge(activity(stack.getFrames()), 1L, Long::sum);
        byTopMethod.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
      } else if (type.equals("jdk.ObjectAllocationSample")) {
        double weight = e.getLong("weight");
        allocated += weight;
        String cls = e.getClass("objectClass") == null ? "?" : e.getClass("objectClass").getName();
        allocByOrigin.merge(activity(stack.getFrames()) + " → " + cls, weight, Double::sum);
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(String.format("%d CPU samples over %d searches; sampled allocation %.0f KB/search%n", samples,
        searches, searches == 0 ? 0 : allocated / 1024 / searches));
    b.append("CPU by activity:\n");
    top(byActivity, 12).forEach(e -> b.append(String.format("  %5.1f %%  %s%n", 100.0 * e.getValue() / Math.max(1, samples_(byActivity)), e.getKey())));
    b.append("CPU by top method:\n");
    top(byTopMethod, 12).forEach(e -> b.append(String.format("  %5.1f %%  %s%n", 100.0 * e.getValue() / Math.max(1, samples_(byActivity)), e.getKey())));
    b.append("Allocation by activity → class:\n");
    double total = allocated;
    allocByOrigin.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
        .forEach(e -> b.append(String.format("  %5.1f %%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey())));
    return b.toString();
  }

  private static long samples_(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private static <V extends Comparable<V>> List<Map.Entry<String, V>> top(Map<String, V> counts, int n) {
    return counts.entrySet().stream().sorted(Map.Entry.<String, V>comparingByValue().reversed()).limit(n).toList();
  }

  private static String name(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  /** What the thread was doing, from the innermost frame that names an activity. */
  static String activity(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      String method = f.getMethod().getName();
      if (type.startsWith("com.fasterxml.jackson.core.json") && type.contains("Parser")
          || type.startsWith("com.fasterxml.jackson.databind.deser") || method.equals("readTree")) {
        return "JSON parse (Jackson)";
      }
      if (type.startsWith("com.fasterxml.jackson.core.json") && type.contains("Generator")
          || type.startsWith("com.fasterxml.jackson.databind.ser") || type.endsWith("InternalNodeMapper")) {
        return "JSON write (Jackson)";
      }
      if (type.startsWith("com.fasterxml.jackson.databind.node")) {
        return "JSON tree (Jackson nodes)";
      }
      if (type.startsWith("dev.miroir.router.search.RankingKey") || type.startsWith("dev.miroir.router.search.HitOrder")
          || type.startsWith("dev.miroir.router.search.RankedMerge")) {
        return "merge: ranking keys and order";
      }
      if (type.startsWith("dev.miroir.router.search.Facet")) {
        return "merge: facets";
      }
      if (type.startsWith("dev.miroir.router.search")) {
        return "search planning and merge (other)";
      }
      if (type.startsWith("dev.miroir.router")) {
        return "router: " + type.substring(type.lastIndexOf('.') + 1);
      }
      if (type.startsWith("io.micrometer")) {
        return "metrics (Micrometer)";
      }
      if (type.startsWith("io.vertx.ext.web.client") || type.startsWith("io.vertx.core.http.impl.Http1xClient")
          || type.startsWith("io.vertx.core.net.impl.pool")) {
        return "HTTP client to nodes (Vert.x)";
      }
      if (type.startsWith("io.vertx.ext.web")) {
        return "HTTP routing (Vert.x Web)";
      }
      if (type.startsWith("io.vertx.core.http.impl")) {
        return "HTTP server/codec (Vert.x)";
      }
      if (type.startsWith("io.netty.channel.epoll") || type.startsWith("io.netty.channel.nio")
          || type.startsWith("sun.nio.ch")) {
        return "socket I/O (Netty)";
      }
      if (type.startsWith("io.netty.handler.codec.http")) {
        return "HTTP codec (Netty)";
      }
    }
    RecordedFrame top = frames.get(0);
    String type = top.getMethod().getType().getName();
    int dot = type.lastIndexOf('.');
    return "other: " + (dot < 0 ? type : type.substring(0, dot));
  }
}
