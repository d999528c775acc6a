package dev.miroir.cli.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * What {@code local up} leaves in the data directory so that {@code local down} and {@code local
 * status}, run from another shell, can find the cluster. It holds no secret: the master key, when
 * generated, lives in its own owner-only file ({@link LocalLayout#masterKeyFile()}).
 *
 * @param pid the process running the cluster (router and node supervisor)
 * @param router router base URL
 * @param shards shard count the data directory was created with (fixed for its life)
 * @param replicationFactor replication factor it was created with
 * @param nodes the nodes, in id order
 */
public record LocalClusterState(
    long pid, String router, int shards, int replicationFactor, List<LocalNode> nodes) {

  /**
   * A node of a local cluster.
   *
   * @param pid its Meilisearch process when last started or adopted (0 if unknown), so that a later
   *     {@code up} can adopt it after the supervisor died, and {@code kill-node} can find it
   */
  public record LocalNode(String id, String url, int port, long pid) {
    public LocalNode(String id, String url, int port) {
      this(id, url, port, 0);
    }

    public LocalNode withPid(long newPid) {
      return new LocalNode(id, url, port, newPid);
    }
  }

  /** The node with this id. */
  public Optional<LocalNode> node(String id) {
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
  }

  public LocalClusterState withNode(LocalNode changed) {
    return new LocalClusterState(pid, router, shards, replicationFactor,
        nodes.stream().map(n -> n.id().equals(changed.id()) ? changed : n).toList());
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static Optional<LocalClusterState> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(MAPPER.readValue(file.toFile(), LocalClusterState.class));
  }

  /** Written to a temporary file and moved, so a reader never sees half a file. */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    MAPPER.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
