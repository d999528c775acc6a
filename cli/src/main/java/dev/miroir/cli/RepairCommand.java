package dev.miroir.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./miroir repair}: rewrites divergent replicas from the authoritative copy through the
 * router's {@code POST /_miroir/indexes/{uid}/consistency} (see docs/design/anti-entropy.md for which
 * copy wins and why).
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      "Rewrite divergent shard replicas from the authoritative copy (caught-up majority at RF >= 3,"
          + " else the shard's primary).",
      "Exit codes: 0 consistent afterwards, 1 divergence remains, 2 usage error, 3 could not check everything."
    })
final class RepairCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin RouterTarget target;

  @Option(names = "--index", description = "Index to repair (repeatable; default: every index).")
  List<String> indexes;

  @Option(names = "--output", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
  OutputFormat output;

  @Override
  public Integer call() throws Exception {
    VerifyCommand shared = new VerifyCommand();
    shared.spec = spec;
    shared.target = target;
    shared.indexes = indexes;
    shared.output = output;
    return shared.run(true);
  }
}
