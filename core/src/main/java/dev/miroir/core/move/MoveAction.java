package dev.miroir.core.move;

import java.util.List;

/**
 * The next thing a move needs done, as {@link MoveMachine#next} decides it. Each action says what it
 * waits for and what it proves once done, so a status line and a reader of the protocol see the same
 * words. The I/O is the mover's ({@code router-sidecar/.../move/Mover}); the decision is here.
 */
public sealed interface MoveAction {

  /** What the action waits for before it counts as done. */
  String waitsFor();

  /** What is true once it is done. */
  String proves();

  /** Publish the topology derived from every move's saved state (an epoch only if it changes). */
  record PublishTopology() implements MoveAction {
    public String waitsFor() {
      return "the topology store to hold the derived document";
    }

    public String proves() {
      return "routers can learn this move's placement";
    }
  }

  /** Wait until every router serves at least {@code epoch}. */
  record AwaitRouters(long epoch) implements MoveAction {
    public String waitsFor() {
      return "every router to report epoch >= " + epoch + " at GET /_miroir/topology";
    }

    public String proves() {
      return "no router routes this shard by an older placement";
    }
  }

  /** Create every index of the source on the gaining nodes with its primary key and settings. */
  record PrepareTargets(List<String> gaining) implements MoveAction {
    public String waitsFor() {
      return "index creation and settings tasks on " + gaining;
    }

    public String proves() {
      return "copied pages and live writes land in the same index shape";
    }
  }

  /** Copy the page at the cursor ({@code index} null: the first index) to the gaining nodes. */
  record CopyPage(String index, long offset, List<String> gaining) implements MoveAction {
    public String waitsFor() {
      return "the page to be enqueued on " + gaining;
    }

    public String proves() {
      return "the cursor can move past this page";
    }
  }

  /** One unfenced diff round: rewrite from the source what differs on the gaining nodes. */
  record CatchUp(List<String> gaining) implements MoveAction {
    public String waitsFor() {
      return "the gaining nodes to apply their tasks, a per-document diff, and its rewrite";
    }

    public String proves() {
      return "little is left for the fenced round to fix (an optimization, not the guarantee)";
    }
  }

  /** Raise the write fence on this shard. */
  record RaiseFence(int shard) implements MoveAction {
    public String waitsFor() {
      return "the fence to resolve: every earlier write to shard " + shard + " enqueued or logged";
    }

    public String proves() {
      return "no write to shard " + shard + " is sequenced until the fence lifts";
    }
  }

  /** Under the fence: drain, diff, rewrite, then compare digests of every index. */
  record ReconcileAndVerify(String fenceId, List<String> gaining) implements MoveAction {
    public String waitsFor() {
      return "source and " + gaining + " caught up to the fence, the rewrite applied, digests computed";
    }

    public String proves() {
      return "every gaining node holds exactly the source's documents and settings";
    }
  }

  /** Lift a fence (this move's, or a stale one left by an earlier run). */
  record LiftFence(String fenceId) implements MoveAction {
    public String waitsFor() {
      return "the fence to be lifted (or found expired)";
    }

    public String proves() {
      return "writes to the shard flow again";
    }
  }

  /** Delete the shard's documents ({@code _miroir_shard = s}) on these nodes, every index. */
  record DropShard(List<String> nodes) implements MoveAction {
    public String waitsFor() {
      return "delete-by-filter tasks on " + nodes;
    }

    public String proves() {
      return "no stale copy of the shard remains on " + nodes;
    }
  }

  /** Nothing left to do. */
  record Finished() implements MoveAction {
    public String waitsFor() {
      return "nothing";
    }

    public String proves() {
      return "the move is over";
    }
  }
}
