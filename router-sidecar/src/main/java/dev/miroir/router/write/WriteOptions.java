package dev.miroir.router.write;

import java.net.URI;
import java.nio.file.Path;

/**
 * How the router keeps its replica log and takes part in sequencer election.
 *
 * @param replicaLog {@code memory} (tests: nothing survives the process), {@code file:/dir} (one
 *     router; {@code ?fsync=true} to force every append to the device) or {@code redis://…} (several
 *     routers share the log and elect the sequencer)
 * @param maxCopies bound on one node's pending copies
 * @param maxBytes bound on one node's pending bodies
 * @param advertiseUrl how other routers reach this one when it is the sequencer (Redis mode), e.g.
 *     {@code http://10.0.0.7:7700}
 */
public record WriteOptions(String replicaLog, long maxCopies, long maxBytes, String advertiseUrl) {

  public static final long DEFAULT_MAX_COPIES = 100_000;
  public static final long DEFAULT_MAX_BYTES = 512L * 1024 * 1024;

  public WriteOptions {
    replicaLog = replicaLog == null || replicaLog.isBlank() ? "memory" : replicaLog.trim();
    maxCopies = maxCopies <= 0 ? DEFAULT_MAX_COPIES : maxCopies;
    maxBytes = maxBytes <= 0 ? DEFAULT_MAX_BYTES : maxBytes;
    validate(replicaLog);
  }

  /** In memory: for tests and throwaway routers. */
  public static WriteOptions inMemory() {
    return new WriteOptions("memory", 0, 0, null);
  }

  public static WriteOptions file(Path dir) {
    return new WriteOptions("file:" + dir.toAbsolutePath(), 0, 0, null);
  }

  public WriteOptions withAdvertiseUrl(String url) {
    return new WriteOptions(replicaLog, maxCopies, maxBytes, url);
  }

  public WriteOptions withBounds(long copies, long bytes) {
    return new WriteOptions(replicaLog, copies, bytes, advertiseUrl);
  }

  /** Whether a router already holds the file log in this directory. */
  public static boolean fileLogInUse(Path dir) {
    return FileLogStore.lockedByAnother(dir);
  }

  public boolean isRedis() {
    return replicaLog.startsWith("redis://") || replicaLog.startsWith("rediss://");
  }

  boolean isFile() {
    return replicaLog.startsWith("file:");
  }

  Path fileDir() {
    String rest = replicaLog.substring("file:".length());
    int q = rest.indexOf('?');
    return Path.of(q < 0 ? rest : rest.substring(0, q));
  }

  boolean fsync() {
    int q = replicaLog.indexOf('?');
    return q >= 0 && replicaLog.substring(q + 1).contains("fsync=true");
  }

  private static void validate(String spec) {
    if (spec.equals("memory") || spec.startsWith("redis://") || spec.startsWith("rediss://")) {
      return;
    }
    if (spec.startsWith("file:") && spec.length() > "file:".length()) {
      return;
    }
    throw new IllegalArgumentException("MIROIR_REPLICA_LOG must be `memory`, `file:/path[?fsync=true]`, `redis`"
        + " or a redis:// URL");
  }

  /** The spec without credentials, for logs and status. */
  public String describe() {
    if (isRedis()) {
      try {
        URI uri = URI.create(replicaLog);
        return uri.getScheme() + "://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort());
      } catch (RuntimeException e) {
        return "redis";
      }
    }
    return replicaLog;
  }

  @Override
  public String toString() {
    return "WriteOptions[replicaLog=" + describe() + ", maxCopies=" + maxCopies + ", maxBytes=" + maxBytes
        + ", advertiseUrl=" + advertiseUrl + "]";
  }
}
