package dev.miroir.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.plan.MovePlan;
import dev.miroir.core.plan.MovePlanner;
import dev.miroir.core.plan.ShardMove;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What would change if the node set changed? */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Print the shard moves a node-set change needs, and how close that is to the minimum.")
final class PlanCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PlacementOptions options;

  @Option(names = "--from", required = true, converter = NodeListConverter.class, description = "Node ids before.")
  List<String> from;

  @Option(names = "--to", required = true, converter = NodeListConverter.class, description = "Node ids after.")
  List<String> to;

  @Override
  public Integer call() throws Exception {
    MovePlan plan =
        MovePlanner.plan(
            Placement.compute(Nodes.parse(from), options.shards, options.rf), Placement.compute(Nodes.parse(to), options.shards, options.rf));
    PrintWriter out = spec.commandLine().getOut();
    if (options.output == OutputFormat.json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode json = mapper.createObjectNode();
      json.put("shards", options.shards);
      json.put("replicationFactor", options.rf);
      json.put("movedReplicas", plan.replicasMoved());
      json.put("theoreticalMinimum", plan.theoreticalMinimum());
      json.put("ratio", Math.round(plan.overhead() * 1000) / 1000.0);
      ArrayNode moves = json.putArray("moves");
      for (ShardMove move : plan.moves()) {
        ObjectNode m = moves.addObject();
        m.put("shard", move.shard());
        move.losing().forEach(m.putArray("from")::add);
        move.gaining().forEach(m.putArray("to")::add);
      }
      out.println(mapper.writeValueAsString(json));
    } else {
      for (ShardMove move : plan.moves()) {
        out.printf("shard %4d: %s -> %s%n", move.shard(), String.join(",", move.losing()), String.join(",", move.gaining()));
      }
      out.printf(
          Locale.ROOT,
          "%d shards move, %d shard replicas copied; theoretical minimum %d (%.3fx)%n",
          plan.moves().size(), plan.replicasMoved(), plan.theoreticalMinimum(), plan.overhead());
    }
    return 0;
  }
}
