package dev.miroir.operator.model;

/**
 * Every name the operator derives from a cluster name, in one place, so that a reader (and the
 * router, the chart and the docs) can find what {@code demo} turns into.
 */
public final class ClusterNames {

  /** Port of Meilisearch on every node and of the search Service (clients keep their habits). */
  public static final int HTTP_PORT = 7700;

  public static final String MASTER_KEY_SECRET_KEY = "masterKey";
  public static final String SEARCH_KEY = "searchKey";
  public static final String ADMIN_KEY = "adminKey";
  public static final String SEARCH_KEY_UID = "searchKeyUid";
  public static final String ADMIN_KEY_UID = "adminKeyUid";

  private ClusterNames() {}

  /** Node ids are ordinals under the cluster name; placement hashes them, so they never change. */
  public static String nodeId(String cluster, int ordinal) {
    return cluster + "-" + ordinal;
  }

  /** MeiliNode, StatefulSet and per-node Service all carry the node id. */
  public static String nodeResource(String nodeId) {
    return nodeId;
  }

  /** The single pod of a node's StatefulSet. */
  public static String nodePod(String nodeId) {
    return nodeId + "-0";
  }

  public static String headlessService(String cluster) {
    return cluster + "-nodes";
  }

  /** The search Service: named after the cluster so that {@code http://demo:7700} just works. */
  public static String searchService(String cluster) {
    return cluster;
  }

  public static String masterKeySecret(String cluster) {
    return cluster + "-master-key";
  }

  public static String apiKeysSecret(String cluster) {
    return cluster + "-api-keys";
  }

  public static String topologyConfigMap(String cluster) {
    return cluster + "-topology";
  }

  public static String router(String cluster) {
    return cluster + "-router";
  }

  public static String routerServiceAccount(String cluster) {
    return cluster + "-router";
  }

  public static String nodesDisruptionBudget(String cluster) {
    return cluster + "-nodes";
  }

  public static String routerDisruptionBudget(String cluster) {
    return cluster + "-router";
  }

  /** The data volume of a node's single pod, as its StatefulSet names it. */
  public static String nodeClaim(String nodeId) {
    return "data-" + nodePod(nodeId);
  }

  public static String nodeUrl(String nodeId, String namespace) {
    return "http://" + nodeResource(nodeId) + "." + namespace + ".svc:" + HTTP_PORT;
  }

  public static String searchEndpoint(String cluster, String namespace) {
    return "http://" + searchService(cluster) + "." + namespace + ".svc:" + HTTP_PORT;
  }

  /** The Redis the operator runs for the routers' shared tasks: StatefulSet, Service and Secret. */
  public static String taskStore(String cluster) {
    return cluster + "-task-store";
  }
}
