package dev.miroir.operator.testing;

import dev.miroir.local.LoopbackPorts;
import dev.miroir.operator.nodes.NodeUrlResolver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test stand-in for node Service DNS: each node id gets a loopback port the first time anyone asks,
 * and the test kubelet starts that node's Meilisearch on exactly that port, so the URL published in
 * the topology is stable from the first epoch.
 */
public final class LoopbackNodeUrls implements NodeUrlResolver {

  private final Map<String, Integer> ports = new ConcurrentHashMap<>();
  private final Map<String, String> routers = new ConcurrentHashMap<>();

  @Override
  public String url(String namespace, String nodeId) {
    return "http://127.0.0.1:" + port(namespace, nodeId);
  }

  /** No router until a test starts one and names it here (the search Service's stand-in). */
  @Override
  public String routerUrl(String namespace, String cluster) {
    return routers.get(namespace + "/" + cluster);
  }

  public void router(String namespace, String cluster, java.net.URI url) {
    routers.put(namespace + "/" + cluster, url.toString());
  }

  public int port(String namespace, String nodeId) {
    return ports.computeIfAbsent(namespace + "/" + nodeId, k -> LoopbackPorts.free());
  }
}
