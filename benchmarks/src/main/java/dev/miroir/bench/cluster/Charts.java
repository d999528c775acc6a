package dev.miroir.bench.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG charts of a run (XChart). */
final class Charts {

  private Charts() {}

  static void write(Results r, Path out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (!r.search.isEmpty()) {
      searchBars(r, out, "search-p50.png", "Search p50 latency (ms, lower is better)", "p50 ms", true);
      searchBars(r, out, "search-p99.png", "Search p99 latency (ms, lower is better)", "p99 ms", false);
      throughput(r, out);
      distribution(r, out, 8);
    }
    if (!r.acks.isEmpty()) {
      acks(r, out);
    }
    if (!r.bulk.isEmpty()) {
      bulk(r, out);
    }
  }

  private static CategoryChart category(String title, String y) {
    CategoryChart chart = new CategoryChartBuilder().width(1000).height(520).title(title).yAxisTitle(y).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setPlotGridVerticalLinesVisible(false);
    chart.getStyler().setXAxisLabelRotation(20);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setLabelsFontColor(java.awt.Color.DARK_GRAY);
    chart.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 9));
    chart.getStyler().setDecimalPattern("#,##0.#");
    return chart;
  }

  private static void searchBars(Results r, Path out, String file, String title, String y, boolean p50)
      throws IOException {
    CategoryChart chart = category(title + " — " + r.mode + " run", y);
    List<String> systems = new ArrayList<>(r.search.keySet());
    for (int clients : ClusterComparison.CLIENTS) {
      List<Double> values = new ArrayList<>();
      for (String system : systems) {
        double v = p50 ? r.p50(system, clients) : r.p99(system, clients);
        values.add(Double.isNaN(v) ? 0 : v);
      }
      chart.addSeries(clients + (clients == 1 ? " client" : " clients"), systems, values);
    }
    BitmapEncoder.saveBitmap(chart, out.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void throughput(Results r, Path out) throws IOException {
    CategoryChart chart = category("Search throughput (searches/s, higher is better) — " + r.mode + " run",
        "searches/s");
    List<String> systems = new ArrayList<>(r.search.keySet());
    for (int clients : ClusterComparison.CLIENTS) {
      List<Double> values = new ArrayList<>();
      for (String system : systems) {
        double v = r.throughput(system, clients);
        values.add(Double.isNaN(v) ? 0 : v);
      }
      chart.addSeries(clients + (clients == 1 ? " client" : " clients"), systems, values);
    }
    BitmapEncoder.saveBitmap(chart, out.resolve("search-throughput.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Latency by percentile, one line per system, at one client count. */
  private static void distribution(Results r, Path out, int clients) throws IOException {
    XYChart chart = new XYChartBuilder().width(1000).height(520)
        .title("Search latency by percentile, " + clients + " clients — " + r.mode + " run")
        .xAxisTitle("percentile").yAxisTitle("latency ms").build();
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
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

  private static void acks(Results r, Path out) throws IOException {
    CategoryChart chart = category("Write acknowledgement p50 (ms, lower is better) — " + r.mode + " run", "p50 ms");
    chart.getStyler().setYAxisLogarithmic(true);
    List<String> sizes = List.of("1 document", "100 documents", "10,000 documents");
    for (Map.Entry<String, Map<Integer, org.HdrHistogram.Histogram>> e : r.acks.entrySet()) {
      List<Double> values = new ArrayList<>();
      for (org.HdrHistogram.Histogram h : e.getValue().values()) {
        values.add(h.getValueAtPercentile(50) / 1000.0);
      }
      chart.addSeries(e.getKey(), sizes.subList(0, values.size()), values);
    }
    BitmapEncoder.saveBitmap(chart, out.resolve("write-ack.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void bulk(Results r, Path out) throws IOException {
    CategoryChart chart = category("Bulk indexing until every task succeeded (documents/s, higher is better) — "
        + r.mode + " run", "documents/s");
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
}
