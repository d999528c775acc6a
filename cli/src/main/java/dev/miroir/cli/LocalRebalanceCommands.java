package dev.miroir.cli;

import dev.miroir.cli.local.LocalClusterState;
import dev.miroir.cli.local.LocalLayout;
import dev.miroir.cli.local.LocalRebalance;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.router.move.Mover;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./miroir local scale} and {@code ./miroir local remove-node}: move shards on a running local cluster. */
final class LocalRebalanceCommands {

  private LocalRebalanceCommands() {}

  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "The running cluster's data directory.")
    Path dataDir;

    @Option(names = "--max-concurrent-moves", defaultValue = "2", description = "Shards moved at once (default ${DEFAULT-VALUE}).")
    int maxConcurrentMoves;

    @Option(names = "--master-key", defaultValue = "${env:MIROIR_MASTER_KEY}",
        description = "The cluster's master key (or MIROIR_MASTER_KEY); read from the data directory when absent.")
    String masterKey;

    abstract List<LocalClusterState.LocalNode> target(LocalClusterState state, TopologyDocument current);

    @Override
    public Integer call() throws Exception {
      LocalLayout layout = new LocalLayout(dataDir.toAbsolutePath());
      LocalClusterState state = LocalClusterState.read(layout.stateFile()).orElseThrow(
          () -> new IllegalArgumentException("no local cluster is running from " + layout.root()));
      String key = masterKey != null ? masterKey
          : Files.exists(layout.masterKeyFile()) ? Files.readString(layout.masterKeyFile()).strip() : null;
      if (key == null) {
        throw new IllegalArgumentException("no master key: pass --master-key or set MIROIR_MASTER_KEY");
      }
      TopologyDocument current = TopologyCodec.decode(Files.readString(layout.topologyFile()));
      LocalRebalance.run(layout, key, target(state, current), maxConcurrentMoves, spec.commandLine().getOut(),
          new Mover.Listener() {});
      spec.commandLine().getOut().println("Done. `./miroir local status --data-dir " + layout.root() + "` shows the nodes.");
      return 0;
    }
  }

  @Command(name = "scale", mixinStandardHelpOptions = true,
      description = "Add or remove nodes of a running local cluster, moving shards without losing a write.")
  static final class Scale extends Base {
    @Option(names = "--nodes", required = true, description = "Nodes after scaling.")
    int nodes;

    @Override
    List<LocalClusterState.LocalNode> target(LocalClusterState state, TopologyDocument current) {
      if (nodes < 1) {
        throw new IllegalArgumentException("--nodes must be at least 1");
      }
      return LocalRebalance.scaledTo(state, current, nodes);
    }
  }

  @Command(name = "remove-node", mixinStandardHelpOptions = true,
      description = "Drain one node of a running local cluster: its shards move and verify, then it stops.")
  static final class RemoveNode extends Base {
    @Option(names = "--node", required = true, description = "Node id, e.g. n1.")
    String node;

    @Override
    List<LocalClusterState.LocalNode> target(LocalClusterState state, TopologyDocument current) {
      List<LocalClusterState.LocalNode> all = LocalRebalance.scaledTo(state, current, current.nodes().size());
      if (all.stream().noneMatch(n -> n.id().equals(node))) {
        throw new IllegalArgumentException("node `" + node + "` is not in the cluster");
      }
      return all.stream().filter(n -> !n.id().equals(node)).toList();
    }
  }
}
