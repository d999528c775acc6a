package dev.miroir.router.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Router tasks kept in a directory, for a single router that must not forget its tasks when it
 * restarts: local mode keeps them in its data directory ({@code <data-dir>/tasks}).
 *
 * <p>Two files:
 *
 * <ul>
 *   <li>{@code tasks.jsonl} — a journal: one line per {@link #put} (the task as JSON) or {@link #remove}
 *       ({@code {"removed":[uids]}}); replayed on open, the last line for a uid wins. Lines go straight
 *       to the file with {@code write(2)}, nothing is buffered in the JVM, so a router killed with
 *       SIGKILL loses nothing it acknowledged: the kernel already holds the bytes. A crash of the whole
 *       machine can lose the last moments of the journal (it is not fsynced per task, to keep it off the
 *       write path's latency); a line torn by such a crash is dropped on open. The journal is rewritten
 *       from memory when it holds more than twice the live tasks.
 *   <li>{@code uid-reservation} — the highest uid this store may hand out before it writes a higher one.
 *       It is reserved a block at a time and fsynced (with its directory) before any uid of the block
 *       is used, so uids are never reused, even after a machine crash that lost journal lines. A
 *       restart skips what was left of the block.
 * </ul>
 *
 * <p>A file lock keeps a second router from using the same directory. Bounded like the in-process
 * store: beyond {@code capacity} the lowest uids are forgotten. Calls do file I/O, so
 * {@link #isBlocking()} is true.
 */
public final class FileTaskStore implements TaskStore {

  static final String JOURNAL = "tasks.jsonl";
  static final String RESERVATION = "uid-reservation";
  static final String LOCK = "tasks.lock";
  static final long UID_BLOCK = 1000;

  private static final ObjectMapper JSON = RedisTaskStore.JSON;

  private final Path dir;
  private final long capacity;
  private final Clock clock;
  private final NavigableMap<Long, RouterTask> tasks = new TreeMap<>();
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel journal;
  private long journalLines;
  private long lastUid;
  private long reservedUpTo;

  public FileTaskStore(Path dir, long capacity) {
    this(dir, capacity, Clock.systemUTC());
  }

  FileTaskStore(Path dir, long capacity, Clock clock) {
    this.dir = dir.toAbsolutePath();
    this.capacity = capacity;
    this.clock = clock;
    try {
      Files.createDirectories(this.dir);
      lockChannel = FileChannel.open(this.dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock acquired;
      try {
        acquired = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        acquired = null;
      }
      if (acquired == null) {
        lockChannel.close();
        throw new IllegalStateException("another router keeps its tasks in " + this.dir);
      }
      lock = acquired;
      long reserved = readReservation();
      long highestInJournal = replay();
      lastUid = Math.max(reserved, Math.max(highestInJournal, TaskUids.clockFloor(clock.instant())));
      reservedUpTo = lastUid;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the task store in " + this.dir, e);
    }
  }

  @Override
  public synchronized long nextUid() {
    long uid = TaskUids.checked(Math.max(lastUid + 1, TaskUids.clockFloor(clock.instant())), this);
    if (uid > reservedUpTo) {
      long upTo = Math.min(TaskUids.MAX_UID, uid + UID_BLOCK - 1);
      writeReservation(upTo);
      reservedUpTo = upTo;
    }
    lastUid = uid;
    return uid;
  }

  @Override
  public synchronized void put(RouterTask task) {
    byte[] line;
    try {
      line = (JSON.writeValueAsString(task) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode router task " + task.uid(), e);
    }
    append(line);
    tasks.put(task.uid(), task);
    while (capacity > 0 && tasks.size() > capacity) {
      tasks.pollFirstEntry();
    }
    compactIfLarge();
  }

  @Override
  public synchronized Optional<RouterTask> get(long uid) {
    return Optional.ofNullable(tasks.get(uid));
  }

  @Override
  public synchronized List<RouterTask> listDescending(long fromUid, int max) {
    List<RouterTask> result = new ArrayList<>();
    for (RouterTask task : tasks.headMap(fromUid, true).descendingMap().values()) {
      if (result.size() >= max) {
        break;
      }
      result.add(task);
    }
    return result;
  }

  @Override
  public synchronized void remove(Collection<Long> uids) {
    if (uids.isEmpty()) {
      return;
    }
    ObjectNode removal = JSON.createObjectNode();
    uids.forEach(removal.putArray("removed")::add);
    append((removal + "\n").getBytes(StandardCharsets.UTF_8));
    uids.forEach(tasks::remove);
  }

  @Override
  public synchronized long size() {
    return tasks.size();
  }

  @Override
  public boolean isBlocking() {
    return true;
  }

  @Override
  public synchronized void close() {
    try {
      if (journal != null) {
        journal.force(false);
        journal.close();
      }
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "FileTaskStore[" + dir + "]";
  }

  /** Replays the journal into memory; returns the highest uid it names. Drops a torn last line. */
  private long replay() throws IOException {
    Path file = dir.resolve(JOURNAL);
    long highest = 0;
    long goodBytes = 0;
    if (Files.exists(file)) {
      byte[] content = Files.readAllBytes(file);
      int start = 0;
      for (int i = 0; i < content.length; i++) {
        if (content[i] != '\n') {
          continue;
        }
        String line = new String(content, start, i - start, StandardCharsets.UTF_8);
        start = i + 1;
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          break; // torn by a crash: nothing after it was acknowledged
        }
        goodBytes = start;
        journalLines++;
        if (node.has("removed")) {
          node.get("removed").forEach(uid -> tasks.remove(uid.asLong()));
        } else {
          RouterTask task = JSON.treeToValue(node, RouterTask.class);
          tasks.put(task.uid(), task);
          highest = Math.max(highest, task.uid());
        }
      }
    }
    while (capacity > 0 && tasks.size() > capacity) {
      tasks.pollFirstEntry();
    }
    journal = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    // A torn tail (or a line without its newline) is cut, so the next line does not join it.
    journal.truncate(goodBytes);
    journal.position(goodBytes);
    return highest;
  }

  private void append(byte[] bytes) {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        journal.write(buffer);
      }
      journalLines++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the task journal in " + dir, e);
    }
  }

  /** Rewrites the journal as one line per live task once most of its lines are stale. */
  private void compactIfLarge() {
    if (journalLines < 1000 || journalLines <= 2L * tasks.size()) {
      return;
    }
    Path file = dir.resolve(JOURNAL);
    Path tmp = dir.resolve(JOURNAL + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (RouterTask task : tasks.values()) {
        ByteBuffer buffer = ByteBuffer.wrap((JSON.writeValueAsString(task) + "\n").getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
      out.force(true);
      journal.close();
      move(tmp, file);
      forceDirectory();
      journal = FileChannel.open(file, StandardOpenOption.WRITE);
      journal.position(journal.size());
      journalLines = tasks.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compact the task journal in " + dir, e);
    }
  }

  private long readReservation() throws IOException {
    Path file = dir.resolve(RESERVATION);
    if (!Files.exists(file)) {
      return 0;
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(file + " holds `" + text + "`, not a uid; refusing to guess where uids resume");
    }
  }

  private void writeReservation(long upTo) {
    Path tmp = dir.resolve(RESERVATION + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(ByteBuffer.wrap((upTo + "\n").getBytes(StandardCharsets.US_ASCII)));
      out.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve task uids in " + dir, e);
    }
    try {
      move(tmp, dir.resolve(RESERVATION));
      forceDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve task uids in " + dir, e);
    }
  }

  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot fsync a directory; the rename is still atomic there.
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** For tests: the uids held, lowest first. */
  synchronized List<Long> uids() {
    return List.copyOf(tasks.keySet());
  }
}
