package dev.miroir.cli.local;

import java.nio.file.Path;

/** Where a local cluster keeps its files under {@code --data-dir}. One home for these names. */
public record LocalLayout(Path root) {

  public Path stateFile() {
    return root.resolve("cluster.json");
  }

  public Path topologyFile() {
    return root.resolve("topology.json");
  }

  public Path masterKeyFile() {
    return root.resolve("master-key");
  }

  public Path logFile() {
    return root.resolve("miroir.log");
  }

  /** The router's tasks (journal and uid reservation), kept across restarts and crashes. */
  public Path tasksDir() {
    return root.resolve("tasks");
  }

  public Path nodeDir(String nodeId) {
    return root.resolve("nodes").resolve(nodeId);
  }

  public static String nodeId(int index) {
    return "n" + index;
  }
}
