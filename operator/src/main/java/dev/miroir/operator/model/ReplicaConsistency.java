package dev.miroir.operator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the routers' last periodic replica check said ({@code GET /_miroir/consistency} on a router,
 * router-sidecar {@code consistency/ConsistencyMonitor}), reduced to what the
 * {@code ReplicasConsistent} condition and the divergence gauge show.
 *
 * @param enabled whether the routers check periodically ({@code MIROIR_CONSISTENCY_INTERVAL})
 * @param checkedAt when the last check finished, or null when none has yet
 * @param consistent whether every shard of every index had equal replicas then
 * @param divergentShards how many shards did not
 * @param divergent one entry per index with divergent shards, e.g. {@code movies [3,17]}, or an index
 *     the check could not read
 */
public record ReplicaConsistency(boolean enabled, String checkedAt, boolean consistent, long divergentShards,
    List<String> divergent) {

  public ReplicaConsistency {
    divergent = divergent == null ? List.of() : List.copyOf(divergent);
  }

  /** From the router's report: {@code {enabled, intervalSeconds, lastRun: {finishedAt, consistent, ...}}}. */
  public static ReplicaConsistency fromReport(JsonNode report) {
    boolean enabled = report.path("enabled").asBoolean(false);
    JsonNode last = report.path("lastRun");
    if (!last.isObject()) {
      return new ReplicaConsistency(enabled, null, false, 0, List.of());
    }
    List<String> divergent = new ArrayList<>();
    for (JsonNode index : last.path("indexes")) {
      if (index.path("divergentShards").asLong() > 0) {
        divergent.add(index.path("indexUid").asText() + " " + index.path("divergentShardList"));
      } else if (index.has("error")) {
        divergent.add(index.path("indexUid").asText() + " not checked (" + index.path("error").asText() + ")");
      }
    }
    return new ReplicaConsistency(enabled, last.path("finishedAt").asText(null), last.path("consistent").asBoolean(),
        last.path("divergentShards").asLong(), divergent);
  }
}
