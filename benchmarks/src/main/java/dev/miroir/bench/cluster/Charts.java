package dev.miroir.bench.cluster;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG charts of a run, drawn with XChart. Latencies differ by orders of magnitude between 1 and
 * 32 clients, so each client count (and each write size) gets its own panel with its own scale,
 * stacked in one image.
 */
final class Charts {

  private static final int WIDTH = 1100;
  private static final int PANEL_HEIGHT = 380;

  private Charts() {}

  static void write(Results r, Path out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (!r.search.isEmpty()) {
      searchLatency(r, out);
      throughput(r, out);
      distribution(r, out, 8);
    }
    if (!r.acks.isEmpty()) {
      acks(r, out);
    }
    if (!r.bulk.isEmpty()) {
      bulk(r, out);
    }
    if (!r.rebalances.isEmpty()) {
      rebalance(r, out);
    }
  }

  private static CategoryChart category(String title, String y, int height) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(height).title(title).yAxisTitle(y).build();
    Styler.LegendPosition legend = Styler.LegendPosition.InsideNW;
    chart.getStyler().setLegendPosition(legend);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setLabelsFontColor(Color.DARK_GRAY);
    chart.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 10));
    chart.getStyler().setDecimalPattern("#,##0.#");
    chart.getStyler().setXAxisLabelRotation(0);
    chart.getStyler().setAxisTickLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
    return chart;
  }

  private static double orZero(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? 0 : v;
  }

  /** p50 and p99 by system, one panel per client count. */
  private static void searchLatency(Results r, Path out) throws IOException {
    List<String> systems = new ArrayList<>(r.search.keySet());
    List<BufferedImage> panels = new ArrayList<>();
    for (int clients : ClusterComparison.CLIENTS) {
      CategoryChart chart = category("Search latency, " + clients + (clients == 1 ? " client" : " clients")
          + " (ms, lower is better) — " + r.mode + " run", "ms", PANEL_HEIGHT);
      List<Double> p50 = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      for (String system : systems) {
        p50.add(orZero(r.p50(system, clients)));
        p99.add(orZero(r.p99(system, clients)));
      }
      chart.addSeries("p50", labels(systems), p50);
      chart.addSeries("p99", labels(systems), p99);
      panels.add(BitmapEncoder.getBufferedImage(chart));
    }
    stack(panels, out.resolve("search-latency.png"));
  }

  /** System names on two lines where long, so the axis stays readable. */
  private static List<String> labels(List<String> systems) {
    List<String> out = new ArrayList<>();
    for (String s : systems) {
      out.add(s.replace(" (baseline)", " (before)"));
    }
    return out;
  }

  private static void throughput(Results r, Path out) throws IOException {
    List<String> systems = new ArrayList<>(r.search.keySet());
    CategoryChart chart = category("Search throughput (searches/s, higher is better) — " + r.mode + " run",
        "searches/s", 460);
    for (int clients : ClusterComparison.CLIENTS) {
      List<Double> values = new ArrayList<>();
      for (String system : systems) {
        values.add(orZero(r.throughput(system, clients)));
      }
      chart.addSeries(clients + (clients == 1 ? " client" : " clients"), labels(systems), values);
    }
    BitmapEncoder.saveBitmap(chart, out.resolve("search-throughput.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Latency by percentile, one line per system, at one client count. */
  private static void distribution(Results r, Path out, int clients) throws IOException {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(520)
        .title("Search latency by percentile, " + clients + " clients (log scale) — " + r.mode + " run")
        .xAxisTitle("percentile").yAxisTitle("latency ms").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setYAxisLogarithmic(true);
    double[] percentiles = {1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9};
    for (String system : r.search.keySet()) {
      Results.Series s = r.series(system, clients);
      if (s == null || s.all.getTotalCount() == 0) {
        continue;
      }
      double[] y = new double[percentiles.length];
      for (int i = 0; i < percentiles.length; i++) {
        y[i] = Math.max(0.01, s.all.getValueAtPercentile(percentiles[i]) / 1000.0);
      }
      chart.addSeries(system, percentiles, y).setMarker(SeriesMarkers.CIRCLE);
    }
    BitmapEncoder.saveBitmap(chart, out.resolve("search-percentiles-" + clients + ".png").toString(),
        BitmapEncoder.BitmapFormat.PNG);
  }

  /** p50 and p99 of the acknowledgement by system, one panel per write size. */
  private static void acks(Results r, Path out) throws IOException {
    List<String> systems = new ArrayList<>(r.acks.keySet());
    List<BufferedImage> panels = new ArrayList<>();
    for (int size : new int[] {1, 100, 10_000}) {
      List<Double> p50 = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      boolean any = false;
      for (String system : systems) {
        Histogram h = r.acks.get(system).get(size);
        any |= h != null && h.getTotalCount() > 0;
        p50.add(h == null ? 0 : h.getValueAtPercentile(50) / 1000.0);
        p99.add(h == null ? 0 : h.getValueAtPercentile(99) / 1000.0);
      }
      if (!any) {
        continue;
      }
      CategoryChart chart = category(String.format("Write acknowledgement, %,d document%s per write (ms, lower is better) — %s run",
          size, size == 1 ? "" : "s", r.mode), "ms", 320);
      chart.addSeries("p50", systems, p50);
      chart.addSeries("p99", systems, p99);
      panels.add(BitmapEncoder.getBufferedImage(chart));
    }
    stack(panels, out.resolve("write-ack.png"));
  }

  private static void bulk(Results r, Path out) throws IOException {
    CategoryChart chart = category(String.format("Bulk indexing of %,d documents until every task succeeded"
        + " (documents/s, higher is better) — %s run", r.bulkDocuments, r.mode), "documents/s", 460);
    List<String> batches = List.of("batches of 1,000", "batches of 10,000");
    for (Map.Entry<String, Map<Integer, Double>> e : r.bulk.entrySet()) {
      List<Double> values = new ArrayList<>();
      for (int batch : new int[] {1_000, 10_000}) {
        Double v = e.getValue().get(batch);
        values.add(v == null ? 0 : v);
      }
      chart.addSeries(e.getKey(), batches, values);
    }
    BitmapEncoder.saveBitmap(chart, out.resolve("bulk-indexing.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Per replication factor: search p50/p99 steady and during each move; the copy rate beside one node's bulk indexing. */
  private static void rebalance(Results r, Path out) throws IOException {
    List<BufferedImage> panels = new ArrayList<>();
    for (Results.Rebalance rb : r.rebalances) {
      rebalancePanels(r, rb, panels);
    }
    stack(panels, out.resolve("rebalance.png"));
  }

  private static void rebalancePanels(Results r, Results.Rebalance rb, List<BufferedImage> panels) {
    List<String> when = new ArrayList<>(List.of("steady, just before"));
    List<Double> p50 = new ArrayList<>(List.of(orZero(rb.steady().p(50))));
    List<Double> p99 = new ArrayList<>(List.of(orZero(rb.steady().p(99))));
    List<String> rates = new ArrayList<>(List.of("one node, bulk indexing"));
    List<Double> rate = new ArrayList<>(List.of(orZero(rb.bulkRate())));
    for (RebalancePhase.Move m : rb.moves()) {
      when.add("during " + m.label());
      p50.add(orZero(m.searches().p(50)));
      p99.add(orZero(m.searches().p(99)));
      rates.add("copy " + m.label());
      rate.add(orZero(m.outcome().copyRate()));
    }
    CategoryChart latency = category(String.format("Search through the router RF %d during a rebalance, %d clients (ms,"
        + " lower is better) — %s run", rb.replicationFactor(), rb.clients(), r.mode), "ms", PANEL_HEIGHT);
    latency.addSeries("p50", when, p50);
    latency.addSeries("p99", when, p99);
    CategoryChart copy = category(String.format("Shard copy rate (RF %d) against one node's bulk indexing, %,d documents"
        + " (documents/s, higher is better) — %s run", rb.replicationFactor(), rb.documents(), r.mode), "documents/s",
        PANEL_HEIGHT);
    copy.addSeries("documents/s", rates, rate);
    panels.add(BitmapEncoder.getBufferedImage(latency));
    panels.add(BitmapEncoder.getBufferedImage(copy));
  }

  private static void stack(List<BufferedImage> panels, Path file) throws IOException {
    if (panels.isEmpty()) {
      return;
    }
    int height = panels.stream().mapToInt(BufferedImage::getHeight).sum();
    int width = panels.stream().mapToInt(BufferedImage::getWidth).max().orElse(WIDTH);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int y = 0;
    for (BufferedImage panel : panels) {
      g.drawImage(panel, 0, y, null);
      y += panel.getHeight();
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }
}
