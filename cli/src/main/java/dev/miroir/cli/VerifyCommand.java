package dev.miroir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./miroir verify}: every replica of every shard digested and compared, through the router's
 * {@code GET /_miroir/indexes/{uid}/consistency}.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Compare every replica of every shard by document count and content digest.",
      "Exit codes: 0 consistent, 1 divergent shards found, 2 usage error,"
          + " 3 could not check everything (a node or the router did not answer)."
    })
final class VerifyCommand implements Callable<Integer> {

  static final int CONSISTENT = 0;
  static final int DIVERGENT = 1;
  static final int INCOMPLETE = 3;

  @Spec CommandSpec spec;

  @Mixin RouterTarget target;

  @Option(names = "--index", description = "Index to check (repeatable; default: every index).")
  List<String> indexes;

  @Option(names = "--output", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
  OutputFormat output;

  Map<String, String> env = System.getenv();

  @Override
  public Integer call() throws Exception {
    return run(false);
  }

  /** Shared with {@link RepairCommand}: the same target, selection, output and exit codes. */
  int run(boolean repair) throws Exception {
    RouterTarget.Resolved router = target.resolve(env);
    ConsistencyClient client = new ConsistencyClient(router);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode json = ConsistencyClient.JSON.createObjectNode();
    json.put("router", router.url());
    ArrayNode results = json.putArray("indexes");
    boolean divergent = false;
    boolean incomplete = false;
    try {
      List<String> uids = indexes == null || indexes.isEmpty() ? client.indexes() : indexes;
      for (String uid : uids) {
        try {
          JsonNode result = repair ? client.repair(uid) : client.verify(uid);
          results.add(result);
          JsonNode summary = repair ? result.path("after") : result;
          divergent |= summary.path("divergentShards").asLong() > 0;
          incomplete |= summary.path("unknownShards").asLong() > 0;
          if (output == OutputFormat.text) {
            if (repair) {
              printRepair(out, uid, result);
            } else {
              printVerify(out, uid, result);
            }
          }
        } catch (ConsistencyClient.RouterError e) {
          incomplete = true;
          results.addObject().put("indexUid", uid).put("error", e.getMessage());
          err.println("miroir: " + uid + ": " + e.getMessage());
        }
      }
    } catch (ConnectException e) {
      err.println("miroir: cannot reach the router at " + router.url());
      return INCOMPLETE;
    } catch (ConsistencyClient.RouterError e) {
      err.println("miroir: " + e.getMessage());
      return INCOMPLETE;
    }
    json.put("consistent", !divergent && !incomplete);
    if (output == OutputFormat.json) {
      out.println(ConsistencyClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    } else if (results.isEmpty()) {
      out.println("no index to check");
    }
    return divergent ? DIVERGENT : incomplete ? INCOMPLETE : CONSISTENT;
  }

  static void printVerify(PrintWriter out, String uid, JsonNode r) {
    out.printf("%s: %s — %d shards: %d consistent, %d divergent, %d unknown; %d documents (%d ms)%n", uid,
        r.path("consistent").asBoolean() ? "consistent" : "NOT consistent", r.path("shards").asInt(),
        r.path("consistentShards").asInt(), r.path("divergentShards").asInt(), r.path("unknownShards").asInt(),
        r.path("documents").asLong(), r.path("durationMs").asLong());
    for (JsonNode s : r.path("results")) {
      if (s.path("status").asText().equals("consistent")) {
        continue;
      }
      out.printf("  shard %d %s (authoritative: %s, %s)%n", s.path("shard").asInt(), s.path("status").asText(),
          s.path("authoritative").asText("none"), s.path("rule").asText());
      for (JsonNode replica : s.path("replicas")) {
        if (replica.has("error")) {
          out.printf("    %-12s unreadable: %s%n", replica.path("nodeId").asText(), replica.path("error").asText());
        } else {
          out.printf("    %-12s %8d docs  %s%s%n", replica.path("nodeId").asText(), replica.path("count").asLong(),
              replica.path("digest").asText().substring(0, 16),
              replica.path("matchesAuthoritative").asBoolean(true) ? "" : "  differs");
        }
      }
    }
  }

  static void printRepair(PrintWriter out, String uid, JsonNode r) {
    out.printf("%s: %d divergent shard(s) before, %d repaired, %d not repaired; now %s%n", uid,
        r.path("divergentShardsBefore").asInt(), r.path("repairedShards").asInt(), r.path("unrepairedShards").asInt(),
        r.path("after").path("consistent").asBoolean() ? "consistent" : "NOT consistent");
    for (JsonNode s : r.path("results")) {
      out.printf("  shard %d from %s:%s%n", s.path("shard").asInt(), s.path("authoritative").asText("none"),
          s.has("problem") ? " " + s.path("problem").asText() : "");
      for (JsonNode replica : s.path("replicas")) {
        out.printf("    %-12s wrote %d, deleted %d%s%n", replica.path("nodeId").asText(), replica.path("written").asInt(),
            replica.path("deleted").asInt(), replica.path("consistent").asBoolean() ? ", now equal"
                : ", NOT equal: " + replica.path("problem").asText());
      }
    }
  }
}
