package dev.miroir.operator.nodes;

import dev.miroir.operator.model.ClusterNames;

/**
 * The URL routers (and the operator) use for a node, and the one the operator asks the routers at.
 * In a cluster they are Service DNS names; tests swap in the loopback addresses of the real
 * processes their test kubelet started.
 */
@FunctionalInterface
public interface NodeUrlResolver {

  String url(String namespace, String nodeId);

  /** A router of the cluster (its search Service); null when there is none to ask. */
  default String routerUrl(String namespace, String cluster) {
    return ClusterNames.searchEndpoint(cluster, namespace);
  }

  NodeUrlResolver IN_CLUSTER = (namespace, nodeId) -> ClusterNames.nodeUrl(nodeId, namespace);
}
