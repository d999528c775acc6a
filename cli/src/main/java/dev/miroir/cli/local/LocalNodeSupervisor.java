package dev.miroir.cli.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * How {@code local scale} and {@code local remove-node}, run from another shell, change the node set
 * of the running {@code local up}: they write the desired node list to {@code nodes.json}; the
 * cluster's control loop starts the nodes it lacks and stops the ones no longer listed, as a kubelet
 * keeps pods equal to their specs. The mover takes a node off the list only once no published
 * placement names it (every one of its shards verified elsewhere); only then is it stopped and its
 * data deleted.
 */
public final class LocalNodeSupervisor {

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private LocalNodeSupervisor() {}

  public static Path desiredFile(LocalLayout layout) {
    return layout.root().resolve("nodes.json");
  }

  public static List<LocalClusterState.LocalNode> readDesired(LocalLayout layout) throws IOException {
    return JSON.readValue(desiredFile(layout).toFile(), new TypeReference<List<LocalClusterState.LocalNode>>() {});
  }

  public static void writeDesired(LocalLayout layout, List<LocalClusterState.LocalNode> nodes) throws IOException {
    Path file = desiredFile(layout);
    Path tmp = file.resolveSibling("nodes.json.tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), nodes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** One pass of the control loop: make the running nodes equal to the desired list. */
  static void follow(LocalLayout layout, LocalCluster cluster, PrintWriter log) throws IOException {
    if (!Files.exists(desiredFile(layout))) {
      return;
    }
    List<LocalClusterState.LocalNode> desired = readDesired(layout);
    List<String> wanted = desired.stream().map(LocalClusterState.LocalNode::id).toList();
    for (LocalClusterState.LocalNode node : desired) {
      if (cluster.state().node(node.id()).isEmpty()) {
        cluster.addNode(new LocalClusterState.LocalNode(node.id(), node.url(), node.port()));
        log.printf("miroir: node %s up at %s%n", node.id(), node.url());
        log.flush();
      }
    }
    for (LocalClusterState.LocalNode node : cluster.state().nodes()) {
      if (!wanted.contains(node.id())) {
        cluster.removeNode(node.id());
        deleteRecursively(layout.nodeDir(node.id()));
        log.printf("miroir: node %s drained, stopped and its data deleted%n", node.id());
        log.flush();
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
