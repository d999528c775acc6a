package dev.miroir.router.move;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalancePlanner;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.core.topology.TopologyNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The operator's rebalance Job: {@code java -cp /app/router.jar dev.miroir.router.move.MoverMain}
 * from the router image. Everything comes from the environment (never a secret on the command line):
 *
 * <ul>
 *   <li>{@code MIROIR_NAMESPACE}, {@code MIROIR_TOPOLOGY_CONFIGMAP} (the topology routers follow),
 *       {@code MIROIR_REBALANCE_CONFIGMAP} (the journal);
 *   <li>{@code MIROIR_TARGET_NODES}: JSON list of the nodes after the rebalance
 *       ({@code [{"id","url","zone"}]}); {@code MIROIR_MAX_CONCURRENT_MOVES} (default 2);
 *   <li>{@code MIROIR_REFILL_NODES} (comma separated): instead of a scale, refill these nodes, which came
 *       back empty, from their peers ({@code RefillPlanner}; the target nodes are the current ones);
 *   <li>{@code MIROIR_ROUTER_URLS} (comma separated) or {@code MIROIR_ROUTER_SELECTOR} (label selector of
 *       the router pods) with {@code MIROIR_ROUTER_PORT}: every router must confirm each epoch;
 *   <li>{@code MIROIR_NODE_API_KEY} (the key routers use for their own node calls, which they also accept
 *       for fences; the operator gives the admin key), or {@code MIROIR_MASTER_KEY}.
 * </ul>
 *
 * Exit codes: 0 done; 1 failed, a rerun resumes (the Job's backoff reruns it); 3 not safe (a missing,
 * unreadable or older topology): the operator reports the rule and nothing is retried blindly.
 */
public final class MoverMain {

  private MoverMain() {}

  public static void main(String[] args) {
    System.exit(run(System.getenv(), null));
  }

  public static int run(Map<String, String> env, KubernetesClient given) {
    KubernetesClient client = given != null ? given : new KubernetesClientBuilder().build();
    try {
      String namespace = require(env, "MIROIR_NAMESPACE");
      TopologyStore topology = new ConfigMapStores.Topology(client, namespace, require(env, "MIROIR_TOPOLOGY_CONFIGMAP"));
      JournalStore journals = new ConfigMapStores.Journal(client, namespace, require(env, "MIROIR_REBALANCE_CONFIGMAP"));
      List<TopologyNode> target = new ObjectMapper().readValue(require(env, "MIROIR_TARGET_NODES"),
          new TypeReference<List<TopologyNode>>() {}).stream()
          .map(n -> new TopologyNode(n.id(), n.url(), n.zone(), dev.miroir.core.topology.NodeState.ACTIVE)).toList();
      int concurrency = Integer.parseInt(env.getOrDefault("MIROIR_MAX_CONCURRENT_MOVES", "2"));
      Supplier<List<String>> routers = routers(env, client, namespace);
      Optional<RebalanceJournal> saved = journals.load();
      RebalanceJournal plan;
      if (saved.isPresent()) {
        plan = saved.get();
        Set<String> ids = target.stream().map(TopologyNode::id).collect(Collectors.toSet());
        if (!plan.nodes().stream().map(TopologyNode::id).collect(Collectors.toSet()).equals(ids)) {
          System.err.println("mover: the saved rebalance goes to other nodes; it must finish first");
          return 1;
        }
      } else if (env.get("MIROIR_REFILL_NODES") != null && !env.get("MIROIR_REFILL_NODES").isBlank()) {
        Set<String> empty = Arrays.stream(env.get("MIROIR_REFILL_NODES").split(",")).map(String::trim)
            .filter(s -> !s.isEmpty()).collect(Collectors.toCollection(java.util.TreeSet::new));
        plan = dev.miroir.core.move.RefillPlanner.plan(topology.read(), empty, concurrency);
      } else {
        TopologyDocument current = topology.read();
        plan = RebalancePlanner.plan(current, target, concurrency, "r" + (current.epoch() + 1));
      }
      // The routers' node key (Kubernetes gives the admin key) is what routers accept for fences.
      String key = env.getOrDefault("MIROIR_NODE_API_KEY", env.get("MIROIR_MASTER_KEY"));
      try (MoverRuntime runtime = new MoverRuntime(key, routers)) {
        RebalanceJournal done = runtime.mover(topology, journals, Mover.Options.defaults(), new Mover.Listener() {
          @Override
          public void saved(RebalanceJournal journal, dev.miroir.core.move.ShardMoveState move) {
            System.out.println("shard " + move.shard() + " " + move.step().wireName()
                + (move.problem() == null ? "" : " (" + move.problem() + ")"));
          }
        }).run(plan);
        System.out.println("mover: " + done.progress().movesDone() + "/" + done.progress().movesTotal()
            + " moves done, " + done.progress().rolledBack() + " rolled back, " + done.progress().documentsCopied()
            + " documents copied");
        return 0;
      }
    } catch (MoveNotSafeException e) {
      System.err.println("mover: not safe (" + e.rule() + "): " + e.getMessage());
      return 3;
    } catch (RebalancePlanner.Refused e) {
      System.err.println("mover: refused (" + e.rule() + "): " + e.getMessage());
      return 3;
    } catch (Exception e) {
      System.err.println("mover: " + e.getMessage());
      return 1;
    } finally {
      if (given == null) {
        client.close();
      }
    }
  }

  private static Supplier<List<String>> routers(Map<String, String> env, KubernetesClient client, String namespace) {
    String urls = env.get("MIROIR_ROUTER_URLS");
    if (urls != null && !urls.isBlank()) {
      List<String> list = Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      return () -> list;
    }
    String selector = require(env, "MIROIR_ROUTER_SELECTOR");
    String port = env.getOrDefault("MIROIR_ROUTER_PORT", "7700");
    // Every ready router pod, listed again at each check so that a restarted router is asked too.
    return () -> client.pods().inNamespace(namespace).withLabelSelector(selector).list().getItems().stream()
        .filter(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
        .map((Pod p) -> "http://" + p.getStatus().getPodIP() + ":" + port).toList();
  }

  private static String require(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }
}
