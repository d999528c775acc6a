package dev.miroir.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.miroir.core.placement.Placement;
import dev.miroir.core.placement.ShardHash;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Where does this document live? */
@Command(
    name = "map",
    mixinStandardHelpOptions = true,
    description = "Print the shard of a document id and the nodes that own it.")
final class MapCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PlacementOptions options;

  @Option(
      names = "--nodes",
      required = true,
      converter = NodeListConverter.class,
      description = "Comma-separated node ids (id@zone for zone awareness).")
  List<String> nodes;

  @Option(names = "--doc-id", required = true, description = "Primary-key value of the document.")
  String docId;

  @Override
  public Integer call() throws Exception {
    Placement placement = Placement.compute(Nodes.parse(nodes), options.shards, options.rf);
    int shard = ShardHash.shardOf(docId, options.shards);
    List<String> owners = placement.owners(shard);
    if (options.output == OutputFormat.json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode json = mapper.createObjectNode();
      json.put("docId", docId);
      json.put("shard", shard);
      owners.forEach(json.putArray("owners")::add);
      spec.commandLine().getOut().println(mapper.writeValueAsString(json));
    } else {
      spec.commandLine().getOut().printf("document %s -> shard %d -> owners %s%n", docId, shard, String.join(", ", owners));
    }
    return 0;
  }
}
