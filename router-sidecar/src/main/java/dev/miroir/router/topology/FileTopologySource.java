package dev.miroir.router.topology;

import dev.miroir.core.topology.InvalidTopologyException;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology from a local file (local mode, {@code miroir local up}), reloaded when it changes.
 *
 * <p>Polls the content rather than using a WatchService: a WatchService watches directories, misses
 * changes on some file systems (overlay, NFS, macOS without native support) and reports a rename
 * (how a writer replaces the file atomically) as several events. Reading a small file every half
 * second is cheap and always correct. Writers should write a temporary file and rename it over the
 * old one, so the router never reads half a document; a half-written one fails validation and is
 * skipped anyway.
 */
public final class FileTopologySource implements TopologySource {

  private static final Logger LOG = LoggerFactory.getLogger(FileTopologySource.class);

  private final Path file;
  private final Duration pollInterval;
  private ScheduledExecutorService poller;
  private volatile String lastText;

  public FileTopologySource(Path file) {
    this(file, Duration.ofMillis(500));
  }

  public FileTopologySource(Path file, Duration pollInterval) {
    this.file = file.toAbsolutePath();
    this.pollInterval = pollInterval;
  }

  @Override
  public void start(Consumer<TopologyDocument> onDocument) {
    String text = read();
    onDocument.accept(TopologyCodec.decode(text));
    lastText = text;
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "miroir-topology-file");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(
        () -> poll(onDocument), pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void poll(Consumer<TopologyDocument> onDocument) {
    try {
      String text = read();
      if (text.equals(lastText)) {
        return;
      }
      lastText = text;
      onDocument.accept(TopologyCodec.decode(text));
    } catch (InvalidTopologyException e) {
      LOG.error("topology file {} is invalid, still serving the previous epoch: {}", file, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("cannot read topology file {}: {}", file, e.toString());
    }
  }

  private String read() {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read topology file " + file, e);
    }
  }

  @Override
  public String describe() {
    return "file:" + file;
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
