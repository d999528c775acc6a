package dev.miroir.router.write;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica log in a directory, for a single router (local mode; a Kubernetes router with one
 * replica, on an {@code emptyDir}).
 *
 * <ul>
 *   <li>{@code segment-<first seq>.log}: records {@code [int length][int crc32][long seq][write]}, one
 *       per write with all its copies, appended with one {@code write()} per group of writes. Without
 *       fsync the bytes are in the page cache when the call returns, which survives {@code kill -9} of
 *       the router but not a machine crash; {@code fsync=true} forces each append to the device
 *       before it is answered, on a worker thread (one sync per group of writes).
 *   <li>{@code cursor-<node>}: 24 bytes rewritten in place (one {@code pwrite}, never truncated): the
 *       highest sequence number the node enqueued or gave up, and the node task uid of its last
 *       enqueued copy. Delivery is in order, so this one number says which copies are still due.
 *   <li>{@code needs-repair.properties}: nodes that need repair and why (replaced atomically).
 * </ul>
 *
 * A torn last record (machine crash mid-append) fails its CRC and is cut off at load: its write was
 * never acknowledged, since the acknowledgement waits for the append. Segments all of whose copies are
 * delivered are deleted. Files are readable by the router's user only: copies carry the client's
 * Authorization header.
 */
final class FileLogStore implements ReplicaLogStore {

  private static final Logger LOG = LoggerFactory.getLogger(FileLogStore.class);
  private static final long SEGMENT_BYTES = 16L * 1024 * 1024;
  private static final long CURSOR_MAGIC = 0x6d69726f6972L;

  private static final class Segment {
    final Path path;
    final Map<String, Long> lastSeqByNode = new HashMap<>();
    long size;

    Segment(Path path) {
      this.path = path;
    }
  }

  private final Path dir;
  private final boolean fsync;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final Map<String, FileChannel> cursorFiles = new HashMap<>();
  private final Map<String, Long> cursors = new HashMap<>();
  private final Map<String, Long> lastTaskUids = new HashMap<>();
  private final Map<String, String> needsRepair = new LinkedHashMap<>();
  private FileChannel active;
  private Segment activeSegment;
  private FileChannel lockChannel;
  private java.nio.channels.FileLock lock;
  private long lastSeq;

  /**
   * Runs an fsync off the event loop and answers on the caller's context; null runs it in place
   * (tests that drive the store directly).
   */
  private final Vertx syncer;
  /** The last fsync'd append's answer: the next one is answered after it (see {@link #append}). */
  private Future<Long> lastAppend = Future.succeededFuture(0L);

  FileLogStore(Path dir, boolean fsync) {
    this(dir, fsync, null);
  }

  /**
   * @param syncer with {@code fsync}, the Vert.x instance whose worker threads run the syncs: an
   *     append or a delivery record is answered once its bytes are on the device, without holding
   *     the event loop for the sync; and while one append's sync is in flight the sequencer gathers
   *     the next writes into one append, so concurrent writes share a sync (group commit)
   */
  FileLogStore(Path dir, boolean fsync, Vertx syncer) {
    this.dir = dir.toAbsolutePath();
    this.fsync = fsync;
    this.syncer = syncer;
  }

  /**
   * Forces {@code channel} to the device. A channel closed meanwhile was forced before it was closed
   * ({@link #roll}, {@link #close}), so its bytes are durable already.
   */
  private Future<Void> sync(FileChannel channel) {
    java.util.concurrent.Callable<Void> force = () -> {
      try {
        channel.force(false);
      } catch (java.nio.channels.ClosedChannelException closed) {
        // forced before it was closed
      }
      return null;
    };
    if (syncer == null) {
      try {
        return Future.succeededFuture(force.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return syncer.executeBlocking(force, false);
  }

  /**
   * Whether another process holds this directory's lock (two routers must never share a file log:
   * their sequence numbers and cursors would interleave).
   */
  static boolean lockedByAnother(Path dir) {
    try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      java.nio.channels.FileLock lock = ch.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized Future<Loaded> load() {
    try {
      createPrivateDirectory(dir);
      if (lock == null) {
        lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
          lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          lockChannel.close();
          lockChannel = null;
          throw new IOException("another router is using this replica log (its lock is held); give each"
              + " router its own MIROIR_REPLICA_LOG directory, or share a redis:// log");
        }
      }
      readNeedsRepair();
      readCursors();
      List<NodeCopy> pending = new ArrayList<>();
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "segment-*.log")) {
        s.forEach(files::add);
      }
      files.sort(null);
      for (int i = 0; i < files.size(); i++) {
        readSegment(files.get(i), pending);
      }
      for (long c : cursors.values()) {
        lastSeq = Math.max(lastSeq, c);
      }
      deleteDeliveredSegments(true);
      return Future.succeededFuture(new Loaded(lastSeq, pending, Map.copyOf(lastTaskUids), Map.copyOf(needsRepair)));
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot read the replica log in " + dir + ": " + e, e));
    }
  }

  private void readSegment(Path file, List<NodeCopy> pending) throws IOException {
    Segment segment = new Segment(file);
    byte[] all = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(all);
    long good = 0;
    while (buf.remaining() >= 16) {
      int start = buf.position();
      int length = buf.getInt();
      int crc = buf.getInt();
      if (length < 8 || length > buf.remaining()) {
        break;
      }
      byte[] payload = new byte[length];
      buf.get(payload);
      CRC32 check = new CRC32();
      check.update(payload);
      if ((int) check.getValue() != crc) {
        buf.position(start);
        break;
      }
      ByteBuffer p = ByteBuffer.wrap(payload);
      long seq = p.getLong();
      byte[] op = new byte[length - 8];
      p.get(op);
      lastSeq = Math.max(lastSeq, seq);
      for (NodeCopy copy : CopyCodec.decodeOp(op)) {
        segment.lastSeqByNode.merge(copy.nodeId(), seq, Math::max);
        if (seq > cursors.getOrDefault(copy.nodeId(), 0L)) {
          pending.add(copy);
        }
      }
      good = buf.position();
    }
    if (good < all.length) {
      LOG.warn("replica log segment {} ends with {} byte(s) of a torn record (a crash during an append);"
          + " cutting them off: that write was never acknowledged", file.getFileName(), all.length - good);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(good);
      }
    }
    segment.size = good;
    segments.put(firstSeqOf(file), segment);
  }

  @Override
  public synchronized Future<Long> append(List<List<NodeCopy>> writes) {
    try {
      long first = lastSeq + 1;
      if (active == null || activeSegment.size > SEGMENT_BYTES) {
        roll(first);
      }
      List<byte[]> records = new ArrayList<>();
      int total = 0;
      long seq = first;
      long now = System.currentTimeMillis();
      for (List<NodeCopy> write : writes) {
        long at = seq;
        // Length, checksum and sequence number in front of the encoded copies, in one array: a large
        // batch's copies are megabytes, not to be copied once per layer of the record.
        byte[] record = CopyCodec.encodeOp(write.stream().map(c -> c.sequenced(at, now)).toList(), 16);
        ByteBuffer header = ByteBuffer.wrap(record);
        header.putLong(8, seq);
        CRC32 crc = new CRC32();
        crc.update(record, 8, record.length - 8);
        header.putInt(0, record.length - 8).putInt(4, (int) crc.getValue());
        records.add(record);
        total += record.length;
        for (NodeCopy c : write) {
          activeSegment.lastSeqByNode.merge(c.nodeId(), seq, Math::max);
        }
        seq++;
      }
      ByteBuffer[] out = records.stream().map(ByteBuffer::wrap).toArray(ByteBuffer[]::new);
      long written = 0;
      while (written < total) {
        written += active.write(out);
      }
      activeSegment.size += total;
      lastSeq = seq - 1;
      if (fsync) {
        // Sequence numbers are taken; the write is acknowledged, and its copies sent, once synced.
        // Answered in sequence order: the replica log queues a write's copies when its append is
        // answered, and the syncs run on worker threads, where a later one can finish first; queued
        // in that order, copies would reach their node out of sequence.
        Future<Void> synced = sync(active);
        Future<Long> answered = lastAppend.transform(previous -> synced.map(v -> first).recover(e ->
            Future.failedFuture(new IllegalStateException("cannot sync the replica log in " + dir + ": " + e, e))));
        lastAppend = answered;
        return answered;
      }
      return Future.succeededFuture(first);
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot append to the replica log in " + dir + ": " + e, e));
    }
  }

  private void roll(long firstSeq) throws IOException {
    if (active != null) {
      if (fsync) {
        active.force(false); // a sync still in flight for it may find it closed
      }
      active.close();
    }
    Path path = dir.resolve(String.format("segment-%020d.log", firstSeq));
    active = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    restrict(path);
    activeSegment = new Segment(path);
    activeSegment.size = Files.size(path);
    segments.put(firstSeq, activeSegment);
  }

  @Override
  public synchronized Future<Void> delivered(String nodeId, long seq, long taskUid) {
    return advance(nodeId, seq, taskUid);
  }

  @Override
  public synchronized Future<Void> dropped(String nodeId, long throughSeq) {
    return advance(nodeId, throughSeq, lastTaskUids.getOrDefault(nodeId, -1L));
  }

  private Future<Void> advance(String nodeId, long seq, long taskUid) {
    try {
      long cursor = Math.max(seq, cursors.getOrDefault(nodeId, 0L));
      cursors.put(nodeId, cursor);
      lastTaskUids.put(nodeId, taskUid);
      FileChannel ch = cursorFiles.get(nodeId);
      if (ch == null) {
        Path path = dir.resolve("cursor-" + URLEncoder.encode(nodeId, StandardCharsets.UTF_8));
        ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        restrict(path);
        cursorFiles.put(nodeId, ch);
      }
      ByteBuffer b = ByteBuffer.allocate(24);
      b.putLong(cursor).putLong(taskUid).putLong(cursor ^ taskUid ^ CURSOR_MAGIC).flip();
      while (b.hasRemaining()) {
        ch.write(b, b.position());
      }
      deleteDeliveredSegments(false);
      if (fsync) {
        return sync(ch).recover(e -> Future.failedFuture(new IllegalStateException(
            "cannot sync a delivery record in " + dir + ": " + e, e)));
      }
      return Future.succeededFuture();
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot record a delivery in " + dir + ": " + e, e));
    }
  }

  private void readCursors() throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "cursor-*")) {
      for (Path p : s) {
        String node = URLDecoder.decode(p.getFileName().toString().substring("cursor-".length()), StandardCharsets.UTF_8);
        byte[] b = Files.readAllBytes(p);
        if (b.length < 24) {
          continue;
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        long cursor = buf.getLong();
        long taskUid = buf.getLong();
        long check = buf.getLong();
        if ((cursor ^ taskUid ^ CURSOR_MAGIC) != check) {
          throw new IOException("cursor file " + p.getFileName() + " is corrupt");
        }
        cursors.put(node, cursor);
        lastTaskUids.put(node, taskUid);
      }
    }
  }

  /** Deletes segments whose every copy is delivered; the active one only when rolling over. */
  private void deleteDeliveredSegments(boolean includeActive) throws IOException {
    var it = segments.entrySet().iterator();
    while (it.hasNext()) {
      Segment s = it.next().getValue();
      if (s == activeSegment && !includeActive) {
        return;
      }
      boolean done = s.lastSeqByNode.entrySet().stream()
          .allMatch(e -> cursors.getOrDefault(e.getKey(), 0L) >= e.getValue());
      if (!done) {
        return;
      }
      if (s == activeSegment) {
        active.close();
        active = null;
        activeSegment = null;
      }
      Files.deleteIfExists(s.path);
      it.remove();
    }
  }

  @Override
  public synchronized Future<Void> needsRepair(String nodeId, String reason) {
    if (reason == null) {
      needsRepair.remove(nodeId);
    } else {
      needsRepair.put(nodeId, reason);
    }
    try {
      Properties p = new Properties();
      p.putAll(needsRepair);
      Path tmp = dir.resolve("needs-repair.properties.tmp");
      try (var out = Files.newOutputStream(tmp)) {
        p.store(out, "nodes whose copies need repair (anti-entropy); written by the router");
      }
      restrict(tmp);
      Files.move(tmp, dir.resolve("needs-repair.properties"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(new UncheckedIOException(e));
    }
  }

  private void readNeedsRepair() throws IOException {
    Path file = dir.resolve("needs-repair.properties");
    if (Files.exists(file)) {
      Properties p = new Properties();
      try (var in = Files.newInputStream(file)) {
        p.load(in);
      }
      p.forEach((k, v) -> needsRepair.put(k.toString(), v.toString()));
    }
  }

  @Override
  public String describe() {
    return "file:" + dir + (fsync ? "?fsync=true" : "");
  }

  @Override
  public synchronized void close() {
    try {
      if (active != null) {
        if (fsync) {
          active.force(false);
        }
        active.close();
      }
      for (FileChannel ch : cursorFiles.values()) {
        if (fsync) {
          ch.force(false);
        }
        ch.close();
      }
      if (lockChannel != null) {
        lockChannel.close();
        lockChannel = null;
        lock = null;
      }
    } catch (IOException e) {
      LOG.warn("closing the replica log failed: {}", e.toString());
    }
  }

  private static long firstSeqOf(Path file) {
    String name = file.getFileName().toString();
    return Long.parseLong(name.substring("segment-".length(), name.length() - ".log".length()));
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  private static void restrict(Path file) {
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    } catch (IOException | UnsupportedOperationException e) {
      // best effort: the directory itself is private
    }
  }
}
