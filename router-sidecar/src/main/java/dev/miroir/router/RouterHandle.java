package dev.miroir.router;

/** A running router. Closing it stops the server, the topology watch and the task store. */
public interface RouterHandle extends AutoCloseable {

  /** The bound port (useful when the configuration asked for port 0). */
  int port();

  /** {@code http://host:port}. */
  String url();

  /** The port of the separate metrics server ({@code MIROIR_METRICS=port:N}), or -1. */
  default int metricsPort() {
    return -1;
  }

  /** The topology epoch currently served. */
  long epoch();

  @Override
  void close();
}
