package dev.miroir.router.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.router.node.NodeReply;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file replica log keeps undelivered copies across a restart, in order, and nothing else. */
class FileLogStoreTest {

  @TempDir
  Path dir;

  private static NodeCopy copy(String node, String body) {
    return new NodeCopy(0, node, "POST", "/indexes/m/documents", body.getBytes(), "application/json",
        "Bearer k", null, "m", 0);
  }

  private static List<List<Promise<NodeReply>>> promises(List<List<NodeCopy>> writes) {
    List<List<Promise<NodeReply>>> out = new ArrayList<>();
    writes.forEach(w -> out.add(w.stream().map(c -> Promise.<NodeReply>promise()).toList()));
    return out;
  }

  private static void append(ReplicaLog log, List<List<NodeCopy>> writes) {
    log.append(writes, promises(writes)).toCompletionStage().toCompletableFuture().join();
  }

  @Test
  void undeliveredCopiesSurviveARestartInSequenceOrder() {
    ReplicaLog log = new ReplicaLog(new FileLogStore(dir, false), 1000, 1 << 20);
    log.load().toCompletionStage().toCompletableFuture().join();
    append(log, List.of(List.of(copy("a", "[1]"), copy("b", "[1]")), List.of(copy("a", "[2]"), copy("b", "[2]"))));
    append(log, List.of(List.of(copy("a", "[3]"))));
    log.delivered("a", log.head("a"), 41).toCompletionStage().toCompletableFuture().join();
    log.markNeedsRepair("b", "test reason");
    log.store().close();

    ReplicaLog reopened = new ReplicaLog(new FileLogStore(dir, false), 1000, 1 << 20);
    reopened.load().toCompletionStage().toCompletableFuture().join();
    assertThat(reopened.status("a").pendingCopies()).isEqualTo(2);
    assertThat(new String(reopened.head("a").copy().body())).isEqualTo("[2]");
    assertThat(reopened.head("a").copy().seq()).isEqualTo(2);
    assertThat(reopened.head("a").copy().authorization()).isEqualTo("Bearer k");
    assertThat(reopened.lastTaskUid("a")).isEqualTo(41);
    assertThat(reopened.status("b").pendingCopies()).isEqualTo(2);
    assertThat(reopened.status("b").needsRepair()).isTrue();
    assertThat(reopened.status("b").reason()).isEqualTo("test reason");
    // New writes continue the order after the old ones.
    append(reopened, List.of(List.of(copy("b", "[4]"))));
    reopened.delivered("b", reopened.head("b"), 1);
    reopened.delivered("b", reopened.head("b"), 2);
    assertThat(reopened.head("b").copy().seq()).isEqualTo(4);
    reopened.store().close();
  }

  @Test
  void aTornLastRecordIsCutOffAndEverythingBeforeItKept() throws IOException {
    ReplicaLog log = new ReplicaLog(new FileLogStore(dir, false), 1000, 1 << 20);
    log.load().toCompletionStage().toCompletableFuture().join();
    append(log, List.of(List.of(copy("a", "[1]"))));
    append(log, List.of(List.of(copy("a", "[2]"))));
    log.store().close();
    Path segment;
    try (var files = Files.list(dir)) {
      segment = files.filter(p -> p.getFileName().toString().startsWith("segment-")).findFirst().orElseThrow();
    }
    long size = Files.size(segment);
    try (var ch = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3);
    }
    ReplicaLog reopened = new ReplicaLog(new FileLogStore(dir, false), 1000, 1 << 20);
    reopened.load().toCompletionStage().toCompletableFuture().join();
    assertThat(reopened.status("a").pendingCopies()).isEqualTo(1);
    assertThat(new String(reopened.head("a").copy().body())).isEqualTo("[1]");
    reopened.store().close();
  }

  @Test
  void overflowGivesUpTheNodesCopiesAndMarksItForRepairNeverSilently() {
    ReplicaLog log = new ReplicaLog(new FileLogStore(dir, false), 2, 1 << 20);
    log.load().toCompletionStage().toCompletableFuture().join();
    append(log, List.of(List.of(copy("a", "[1]"), copy("b", "[1]"))));
    append(log, List.of(List.of(copy("a", "[2]"))));
    log.delivered("b", log.head("b"), 7);
    List<List<NodeCopy>> third = List.of(List.of(copy("a", "[3]")));
    var overflow = log.append(third, promises(third)).toCompletionStage().toCompletableFuture().join();
    assertThat(overflow).hasSize(1);
    assertThat(overflow.get(0).nodeId()).isEqualTo("a");
    assertThat(overflow.get(0).dropped()).hasSize(3);
    assertThat(log.status("a").pendingCopies()).isZero();
    assertThat(log.status("a").needsRepair()).isTrue();
    assertThat(log.status("a").reason()).contains("overflow");
    assertThat(log.status("a").authoritative()).isFalse();
    log.store().close();
    ReplicaLog reopened = new ReplicaLog(new FileLogStore(dir, false), 2, 1 << 20);
    reopened.load().toCompletionStage().toCompletableFuture().join();
    assertThat(reopened.status("a").needsRepair()).isTrue();
    assertThat(reopened.status("a").pendingCopies()).isZero();
    assertThat(reopened.status("b").pendingCopies()).isZero();
    reopened.store().close();
  }

  @Test
  void twoRoutersNeverShareOneFileLog() {
    FileLogStore first = new FileLogStore(dir, false);
    first.load().toCompletionStage().toCompletableFuture().join();
    FileLogStore second = new FileLogStore(dir, false);
    var loaded = second.load();
    assertThat(loaded.failed()).isTrue();
    assertThat(loaded.cause().getMessage()).contains("another router is using this replica log");
    assertThat(WriteOptions.fileLogInUse(dir)).isTrue();
    first.close();
    assertThat(WriteOptions.fileLogInUse(dir)).isFalse();
    second.load().toCompletionStage().toCompletableFuture().join();
    second.close();
  }

  @Test
  void withFsyncAppendsAreAnsweredFromAWorkerAndSurviveARestartInOrder() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      ReplicaLog log = new ReplicaLog(new FileLogStore(dir, true, vertx), 1000, 1 << 20);
      log.load().toCompletionStage().toCompletableFuture().join();
      // Several appends in flight at once, as the sequencer issues them while a sync runs.
      List<java.util.concurrent.CompletableFuture<?>> appends = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        List<List<NodeCopy>> write = List.of(List.of(copy("a", "[" + i + "]")));
        appends.add(log.append(write, promises(write)).toCompletionStage().toCompletableFuture());
      }
      appends.forEach(java.util.concurrent.CompletableFuture::join);
      assertThat(log.status("a").pendingCopies()).isEqualTo(5);
      log.delivered("a", log.head("a"), 7).toCompletionStage().toCompletableFuture().join();
      log.store().close();

      ReplicaLog reopened = new ReplicaLog(new FileLogStore(dir, true, vertx), 1000, 1 << 20);
      reopened.load().toCompletionStage().toCompletableFuture().join();
      assertThat(reopened.status("a").pendingCopies()).isEqualTo(4);
      assertThat(reopened.lastTaskUid("a")).isEqualTo(7);
      for (int i = 2; i <= 5; i++) {
        assertThat(new String(reopened.head("a").copy().body())).isEqualTo("[" + i + "]");
        assertThat(reopened.head("a").copy().seq()).isEqualTo(i);
        reopened.delivered("a", reopened.head("a"), 7 + i).toCompletionStage().toCompletableFuture().join();
      }
      assertThat(reopened.head("a")).isNull();
      reopened.store().close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
