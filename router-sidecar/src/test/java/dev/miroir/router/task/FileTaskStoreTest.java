package dev.miroir.router.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.router.task.RouterTask.DetailsMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local mode's durable task store: tasks and uids survive reopening, a torn line, compaction. */
class FileTaskStoreTest {

  @TempDir Path dir;

  private static RouterTask task(long uid, String index) {
    ObjectNode details = JsonNodeFactory.instance.objectNode().put("receivedDocuments", uid % 7);
    return new RouterTask(uid, index, "documentAdditionOrUpdate", "2026-12-03T10:00:00Z", details,
        DetailsMode.SUM_OVER_REPLICAS, List.of(new NodeTaskRef("n0", "http://127.0.0.1:1", uid + 5, true)), null);
  }

  @Test
  void tasksAndUidsOutliveTheStore() {
    List<Long> uids = new ArrayList<>();
    try (FileTaskStore store = new FileTaskStore(dir, 100)) {
      for (int i = 0; i < 5; i++) {
        long uid = store.nextUid();
        uids.add(uid);
        store.put(task(uid, "idx" + i));
      }
      RouterTask finished = store.get(uids.get(2)).orElseThrow()
          .withFinalView(JsonNodeFactory.instance.objectNode().put("status", "succeeded"));
      store.put(finished);
      store.remove(List.of(uids.get(4)));
    }
    try (FileTaskStore reopened = new FileTaskStore(dir, 100)) {
      for (int i = 0; i < 4; i++) {
        assertThat(reopened.get(uids.get(i)).orElseThrow().indexUid()).isEqualTo("idx" + i);
      }
      assertThat(reopened.get(uids.get(2)).orElseThrow().finalView().path("status").asText()).isEqualTo("succeeded");
      assertThat(reopened.get(uids.get(4))).isEmpty();
      assertThat(reopened.listDescending(Long.MAX_VALUE, 10)).extracting(RouterTask::uid)
          .containsExactly(uids.get(3), uids.get(2), uids.get(1), uids.get(0));
      // Even the removed task's uid is never handed out again.
      long next = reopened.nextUid();
      assertThat(next).isGreaterThan(uids.get(4));
    }
  }

  /** The reservation is on disk before a uid of it is used: even journal lines lost to a crash cannot bring a uid back. */
  @Test
  void uidsAreNotReusedEvenWhenTheJournalLostItsTail() throws Exception {
    Set<Long> seen = new HashSet<>();
    try (FileTaskStore store = new FileTaskStore(dir, 100)) {
      for (int i = 0; i < 3; i++) {
        long uid = store.nextUid();
        seen.add(uid);
        store.put(task(uid, "kept"));
      }
      for (int i = 0; i < 3; i++) {
        seen.add(store.nextUid()); // handed out, but the machine crashed before its task was journaled
      }
    }
    Files.writeString(dir.resolve(FileTaskStore.JOURNAL), "{\"uid\":99999999,\"inde", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    try (FileTaskStore reopened = new FileTaskStore(dir, 100)) {
      assertThat(reopened.size()).isEqualTo(3);
      for (int i = 0; i < 5; i++) {
        long uid = reopened.nextUid();
        assertThat(seen.add(uid)).as("uid %s reused", uid).isTrue();
        reopened.put(task(uid, "after"));
      }
    }
    // The torn line was cut: the journal replays cleanly with the new lines after it.
    try (FileTaskStore again = new FileTaskStore(dir, 100)) {
      assertThat(again.size()).isEqualTo(8);
    }
  }

  @Test
  void compactionKeepsTheLiveTasksAndTheBound() {
    List<Long> uids = new ArrayList<>();
    try (FileTaskStore store = new FileTaskStore(dir, 300)) {
      for (int i = 0; i < 1500; i++) {
        long uid = store.nextUid();
        uids.add(uid);
        store.put(task(uid, "i"));
        store.put(task(uid, "i").withFinalView(JsonNodeFactory.instance.objectNode().put("status", "succeeded")));
      }
      assertThat(store.size()).isEqualTo(300);
    }
    try (FileTaskStore reopened = new FileTaskStore(dir, 300)) {
      assertThat(reopened.uids()).containsExactlyElementsOf(uids.subList(1200, 1500));
      assertThat(reopened.get(uids.get(1499)).orElseThrow().finalView()).isNotNull();
    }
    assertThat(dir.resolve(FileTaskStore.JOURNAL).toFile().length()).isLessThan(300L * 2 * 1000);
  }

  @Test
  void oneRouterPerDirectory() {
    try (FileTaskStore store = new FileTaskStore(dir, 10)) {
      assertThatThrownBy(() -> new FileTaskStore(dir, 10)).hasMessageContaining("another router");
      assertThat(store.nextUid()).isPositive();
    }
  }
}
