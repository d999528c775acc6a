package dev.miroir.operator.reconcile;

import dev.miroir.operator.nodes.HttpNodeAdmin;
import dev.miroir.operator.nodes.NodeAdmin;
import dev.miroir.operator.nodes.NodeUrlResolver;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Operator configuration, from the environment in production ({@link #fromEnv}) and built directly
 * in tests, where the node seams point at real local processes.
 *
 * @param routerImage router image used when a cluster does not name one
 * @param requeue how soon to look again while a cluster has not converged (nodes not ready, keys
 *     missing, a pending change)
 * @param namespaces namespaces to watch; empty means all
 * @param observe how soon to look again at a converged cluster: what only the nodes and routers
 *     know (a node that lost its keys, the routers' replica check) changes without any Kubernetes event
 */
public record OperatorSettings(
    String routerImage,
    Duration requeue,
    Set<String> namespaces,
    NodeUrlResolver nodeUrls,
    NodeAdmin nodeAdmin,
    Duration observe) {

  public static final Duration DEFAULT_OBSERVE = Duration.ofSeconds(60);

  public OperatorSettings(String routerImage, Duration requeue, Set<String> namespaces, NodeUrlResolver nodeUrls,
      NodeAdmin nodeAdmin) {
    this(routerImage, requeue, namespaces, nodeUrls, nodeAdmin, DEFAULT_OBSERVE);
  }

  public static final String DEFAULT_ROUTER_IMAGE = "ghcr.io/miroir-dev/miroir-router:0.1.0";

  public static OperatorSettings fromEnv(Map<String, String> env) {
    String namespaces = env.getOrDefault("MIROIR_WATCH_NAMESPACES", "").trim();
    return new OperatorSettings(
        env.getOrDefault("MIROIR_ROUTER_IMAGE", DEFAULT_ROUTER_IMAGE),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("MIROIR_REQUEUE_SECONDS", "15"))),
        namespaces.isEmpty() ? Set.of() : Set.of(namespaces.split("\\s*,\\s*")),
        NodeUrlResolver.IN_CLUSTER,
        new HttpNodeAdmin(Duration.ofSeconds(Long.parseLong(env.getOrDefault("MIROIR_NODE_TIMEOUT_SECONDS", "5")))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("MIROIR_OBSERVE_SECONDS", "60"))));
  }
}
