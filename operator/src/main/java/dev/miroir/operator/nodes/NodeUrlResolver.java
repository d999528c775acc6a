package dev.miroir.operator.nodes;

import dev.miroir.operator.model.ClusterNames;

/**
 * The URL routers (and the operator) use for a node. In a cluster it is the node's Service DNS name;
 * tests swap in the loopback address of the real process their test kubelet started.
 */
@FunctionalInterface
public interface NodeUrlResolver {

  String url(String namespace, String nodeId);

  NodeUrlResolver IN_CLUSTER = (namespace, nodeId) -> ClusterNames.nodeUrl(nodeId, namespace);
}
