package dev.miroir.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MiroirCliTest {

  record Result(int exitCode, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = MiroirCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void mapPrintsTheGoldenShardAsJson() throws Exception {
    Result r = run("map", "--shards", "64", "--nodes", "n0,n1,n2", "--rf", "1", "--doc-id", "user:12345", "--output", "json");
    assertThat(r.exitCode()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("docId").asText()).isEqualTo("user:12345");
    assertThat(json.get("shard").asInt()).isEqualTo(15);
    assertThat(json.get("owners")).hasSize(1);
    assertThat(r.out()).contains("\"shard\":15");
  }

  @Test
  void mapWithRf2ListsTwoDistinctOwners() throws Exception {
    Result r = run("map", "--shards", "64", "--nodes", "n0,n1,n2", "--rf", "2", "--doc-id", "product:abc", "--output", "json");
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("shard").asInt()).isEqualTo(24);
    assertThat(json.get("owners").get(0).asText()).isNotEqualTo(json.get("owners").get(1).asText());
  }

  @Test
  void planReportsMovesWithinTenPercentOfTheMinimum() throws Exception {
    Result r = run("plan", "--shards", "256", "--rf", "2", "--from", "n0,n1,n2,n3,n4", "--to", "n0,n1,n2,n3,n4,n5", "--output", "json");
    assertThat(r.exitCode()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    int moved = json.get("movedReplicas").asInt();
    int minimum = json.get("theoreticalMinimum").asInt();
    assertThat(minimum).isEqualTo(85);
    assertThat((double) moved).isLessThanOrEqualTo(1.1 * minimum);
    assertThat(json.get("moves")).hasSize(moved);
    json.get("moves").forEach(m -> assertThat(m.get("to").get(0).asText()).isEqualTo("n5"));
  }

  @Test
  void planTextSaysHowManyReplicasMove() {
    Result r = run("plan", "--shards", "64", "--rf", "2", "--from", "n0,n1,n2", "--to", "n0,n1,n2,n3");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("\\d+ shard replicas copied; theoretical minimum \\d+");
  }

  @Test
  void badArgumentsGiveOneLineAndExitCode2() {
    for (String[] args :
        new String[][] {
          {"map", "--shards", "x", "--nodes", "a", "--doc-id", "d"},
          {"map", "--nodes", "a", "--doc-id", "d"},
          {"map", "--shards", "0", "--nodes", "a", "--doc-id", "d"},
          {"map", "--shards", "8", "--nodes", "a,,b", "--doc-id", "d"},
          {"map", "--shards", "8", "--nodes", "a,a", "--doc-id", "d"},
          {"map", "--shards", "8", "--nodes", "a", "--rf", "2", "--doc-id", "d"},
          {"plan", "--shards", "8", "--from", "a", "--to", "b", "--output", "yaml"},
          {"frobnicate"},
        }) {
      Result r = run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err().strip().lines()).as(String.join(" ", args)).hasSize(1);
      assertThat(r.err()).startsWith("miroir: ");
      assertThat(r.out()).isEmpty();
    }
  }
}
