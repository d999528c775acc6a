package dev.miroir.router.move;

import dev.miroir.core.move.RebalanceJournal;
import java.util.Optional;

/** Where the rebalance journal is saved before every action: a file locally, a ConfigMap in Kubernetes. */
public interface JournalStore {

  /** @throws MoveNotSafeException when a journal exists but cannot be read */
  Optional<RebalanceJournal> load();

  void save(RebalanceJournal journal);

  /** Keeps a finished rebalance's journal as the last one, out of the way of the next. */
  void finish(RebalanceJournal journal);
}
