package dev.miroir.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Standard {@code app.kubernetes.io/*} labels plus ours; selectors use the stable subset only. */
public final class Labels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String CLUSTER = "miroir.dev/cluster";
  public static final String NODE = "miroir.dev/node";

  public static final String MANAGER = "miroir-operator";
  public static final String COMPONENT_NODE = "node";
  public static final String COMPONENT_ROUTER = "router";
  public static final String COMPONENT_SEARCH = "search";
  public static final String COMPONENT_TOPOLOGY = "topology";
  public static final String COMPONENT_CREDENTIALS = "credentials";

  /** Only objects carrying this are watched, so the operator never reacts to foreign resources. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGER;

  /** Annotation holding the hash of the desired object last applied; see ResourceApplier. */
  public static final String APPLIED_HASH = "miroir.dev/applied-hash";

  /**
   * Annotation on a node's pod template (and so on its pod): the hash of the template. A pod whose
   * value differs from its StatefulSet's runs an outdated template and waits for its rolling restart.
   */
  public static final String POD_TEMPLATE_HASH = "miroir.dev/pod-template-hash";

  /** Annotation on a MeiliCluster that lets a rolling restart make shards unreadable (RF 1). */
  public static final String ALLOW_UNAVAILABLE_RESTART = "miroir.dev/allow-unavailable-restart";

  /**
   * Annotation on a MeiliNode ({@code "true"}): this node leaves instead of the highest ordinal; its
   * shards move and verify elsewhere before its StatefulSet and volume are deleted (see
   * {@link WantedNodes}).
   */
  public static final String REMOVE_NODE = "miroir.dev/remove-node";

  private Labels() {}

  public static Map<String, String> of(String cluster, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, COMPONENT_ROUTER.equals(component) ? "miroir-router" : "meilisearch");
    labels.put(INSTANCE, cluster);
    labels.put(COMPONENT, component);
    labels.put(PART_OF, "miroir");
    labels.put(MANAGED_BY, MANAGER);
    labels.put(CLUSTER, cluster);
    return labels;
  }

  public static Map<String, String> ofNode(String cluster, String nodeId) {
    Map<String, String> labels = of(cluster, COMPONENT_NODE);
    labels.put(NODE, nodeId);
    return labels;
  }

  /** Selects every node pod of a cluster; also the scale subresource's selector. */
  public static Map<String, String> nodeSelector(String cluster) {
    return sorted(CLUSTER, cluster, COMPONENT, COMPONENT_NODE);
  }

  public static Map<String, String> nodeSelector(String cluster, String nodeId) {
    Map<String, String> selector = sorted(CLUSTER, cluster, COMPONENT, COMPONENT_NODE);
    selector.put(NODE, nodeId);
    return selector;
  }

  public static Map<String, String> routerSelector(String cluster) {
    return sorted(CLUSTER, cluster, COMPONENT, COMPONENT_ROUTER);
  }

  /**
   * Selectors are sorted maps, never {@code Map.of}: the iteration order of {@code Map.of} changes
   * from one JVM to the next, and the applied hash (and every object we serialize) must not.
   */
  private static Map<String, String> sorted(String k1, String v1, String k2, String v2) {
    Map<String, String> map = new TreeMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return map;
  }

  /** The selector in the string form the scale subresource publishes. */
  public static String nodeSelectorString(String cluster) {
    return CLUSTER + "=" + cluster + "," + COMPONENT + "=" + COMPONENT_NODE;
  }
}
