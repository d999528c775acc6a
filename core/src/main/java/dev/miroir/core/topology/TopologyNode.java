package dev.miroir.core.topology;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A node as routers see it.
 *
 * @param id node id, the input to placement
 * @param url base URL of the node's Meilisearch HTTP API
 * @param zone failure zone or null
 * @param state lifecycle state
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TopologyNode(String id, String url, String zone, NodeState state) {}
