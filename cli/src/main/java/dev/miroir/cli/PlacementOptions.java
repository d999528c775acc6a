package dev.miroir.cli;

import picocli.CommandLine.Option;

/** Options every placement command shares (a picocli mixin). */
final class PlacementOptions {

  @Option(names = "--shards", required = true, description = "Logical shard count S.")
  int shards;

  @Option(names = "--rf", defaultValue = "1", description = "Replication factor (default ${DEFAULT-VALUE}).")
  int rf;

  @Option(names = "--output", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
  OutputFormat output;
}
