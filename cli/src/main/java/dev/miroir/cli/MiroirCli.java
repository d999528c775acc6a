package dev.miroir.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./miroir}. */
@Command(
    name = "miroir",
    mixinStandardHelpOptions = true,
    version = "miroir 0.1.0",
    description = "Sharded, replicated Meilisearch: placement tools and a local cluster.",
    subcommands = {MapCommand.class, PlanCommand.class, LocalCommand.class, VerifyCommand.class,
        RepairCommand.class})
public final class MiroirCli implements Runnable {

  /** Exit code for bad arguments, as picocli and most Unix tools use. */
  static final int USAGE_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the CLI with the given streams; the tests call this directly. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new MiroirCli());
    cli.setOut(out);
    cli.setErr(err);
    // One clear line and exit 2 for bad arguments: a usage dump buries the actual mistake.
    cli.setParameterExceptionHandler(
        (ex, ignored) -> {
          ex.getCommandLine().getErr().println("miroir: " + ex.getMessage()
              + " (see `miroir " + commandPath(ex.getCommandLine()) + "--help`)");
          return USAGE_ERROR;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof IllegalArgumentException) {
            commandLine.getErr().println("miroir: " + ex.getMessage());
            return USAGE_ERROR;
          }
          if (ex instanceof IllegalStateException) {
            // An operation that could not be carried out (nothing running, a timeout): one line too.
            commandLine.getErr().println("miroir: " + ex.getMessage());
            return 1;
          }
          throw ex;
        });
    return cli.execute(args);
  }

  private static String commandPath(CommandLine commandLine) {
    String qualified = commandLine.getCommandSpec().qualifiedName(" ");
    String path = qualified.startsWith("miroir") ? qualified.substring("miroir".length()).trim() : qualified;
    return path.isEmpty() ? "" : path + " ";
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
