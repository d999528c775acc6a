package dev.miroir.router.move;

import dev.miroir.core.move.JournalCodec;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.topology.InvalidTopologyException;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** The local-mode stores: the topology file routers poll and the journal next to it. */
public final class FileStores {

  private FileStores() {}

  /** Written to a temporary file and renamed over the old one: a reader never sees half a file. */
  static void replace(Path file, String text) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The topology file, compare-and-set under a lock file. */
  public static final class Topology implements TopologyStore {
    private final Path file;

    public Topology(Path file) {
      this.file = file.toAbsolutePath();
    }

    @Override
    public TopologyDocument read() {
      if (!Files.exists(file)) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_MISSING, "topology file " + file + " is missing");
      }
      try {
        return TopologyCodec.decode(Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException | InvalidTopologyException e) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_UNREADABLE,
            "topology file " + file + " is unreadable: " + e.getMessage(), e);
      }
    }

    @Override
    public void write(TopologyDocument expected, TopologyDocument next) {
      Path lock = file.resolveSibling(file.getFileName() + ".lock");
      try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        TopologyDocument current = read();
        if (!current.equals(expected)) {
          throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_CHANGED,
              "topology file changed under the mover (epoch " + current.epoch() + ", expected " + expected.epoch() + ")");
        }
        replace(file, TopologyCodec.encode(next));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock " + lock, e);
      }
    }
  }

  /** The journal file. */
  public static final class Journal implements JournalStore {
    private final Path file;

    public Journal(Path file) {
      this.file = file.toAbsolutePath();
    }

    @Override
    public Optional<RebalanceJournal> load() {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      try {
        return Optional.of(JournalCodec.decode(Files.readString(file, StandardCharsets.UTF_8)));
      } catch (IOException | IllegalArgumentException e) {
        throw new MoveNotSafeException(MoveNotSafeException.JOURNAL_UNREADABLE,
            "rebalance journal " + file + " is unreadable: " + e.getMessage(), e);
      }
    }

    @Override
    public void save(RebalanceJournal journal) {
      replace(file, JournalCodec.encode(journal));
    }

    @Override
    public void finish(RebalanceJournal journal) {
      replace(file.resolveSibling("rebalance-last.json"), JournalCodec.encode(journal));
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
