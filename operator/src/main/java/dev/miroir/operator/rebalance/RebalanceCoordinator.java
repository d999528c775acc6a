package dev.miroir.operator.rebalance;

import dev.miroir.core.move.JournalCodec;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.move.RebalanceProgress;
import dev.miroir.core.topology.TopologyNode;
import dev.miroir.operator.model.ClusterModel;
import dev.miroir.operator.model.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * The reconciler's rebalance step: what the mover's journal says, and the Job that runs the mover.
 * While a journal exists the mover owns the topology ConfigMap (the reconciler publishes nothing and
 * deletes no node); once the mover has finished, the published placement equals the wanted one and
 * the ordinary steps remove the nodes that left, whose shards were verified elsewhere by then.
 */
public final class RebalanceCoordinator {

  private RebalanceCoordinator() {}

  /**
   * @param journal the mover's journal, null when no rebalance is in progress
   * @param unreadable why the journal ConfigMap cannot be read, or null
   * @param failedJob a mover Job that gave up (its backoff exhausted), or null
   */
  public record Observed(RebalanceJournal journal, String unreadable, String failedJob) {
    public boolean inProgress() {
      return journal != null || unreadable != null;
    }

    /** For the Rebalancing condition: moves done/total, documents, current step, what blocks. */
    public String describe() {
      if (unreadable != null) {
        return "the rebalance journal is unreadable (" + unreadable + "): nothing is published or deleted";
      }
      RebalanceProgress p = journal.progress();
      StringBuilder s = new StringBuilder("moving shards: ").append(p.movesDone()).append('/').append(p.movesTotal())
          .append(" moves done, ").append(p.documentsCopied()).append(" documents copied");
      if (!p.current().isEmpty()) {
        s.append("; ").append(String.join(", ", p.current().subList(0, Math.min(3, p.current().size()))));
      }
      if (p.blocking() != null) {
        s.append("; blocked: ").append(p.blocking());
      }
      if (failedJob != null) {
        s.append("; mover Job ").append(failedJob).append(" failed, see its logs");
      }
      return s.toString();
    }
  }

  public static Observed observe(KubernetesClient client, ClusterModel model) {
    ConfigMap cm = client.configMaps().inNamespace(model.namespace())
        .withName(RebalanceJobModel.journalConfigMap(model.name())).get();
    RebalanceJournal journal = null;
    String unreadable = null;
    if (cm != null && cm.getData() != null && cm.getData().get(JournalCodec.DATA_KEY) != null) {
      try {
        journal = JournalCodec.decode(cm.getData().get(JournalCodec.DATA_KEY));
      } catch (IllegalArgumentException e) {
        unreadable = e.getMessage();
      }
    }
    String failed = null;
    for (Job job : client.batch().v1().jobs().inNamespace(model.namespace())
        .withLabels(Labels.of(model.name(), RebalanceJobModel.COMPONENT)).list().getItems()) {
      if (job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
          .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))) {
        failed = job.getMetadata().getName();
      }
    }
    return new Observed(journal, unreadable, failed);
  }

  /** Creates the mover Job for {@code target} (and what it runs as) unless it exists. */
  public static boolean ensureJob(KubernetesClient client, ClusterModel model, String image, List<TopologyNode> target,
      int maxConcurrentMoves) {
    return ensureJob(client, model, image, target, maxConcurrentMoves, java.util.Set.of());
  }

  /**
   * Nodes that came back empty (a lost volume): ready, named in the published placement, and without
   * the fixed-uid keys every node is given (asked before the key step gives them back). A node that
   * could not be asked is not judged. See {@code RefillPlanner} and docs/design/rebalance.md.
   */
  public static java.util.Set<String> cameBackEmpty(dev.miroir.core.topology.TopologyDocument published,
      java.util.Collection<String> readyNodes, java.util.function.Function<String, java.util.Optional<Boolean>> marker) {
    java.util.Map<String, Boolean> present = new java.util.HashMap<>();
    for (String id : readyNodes) {
      marker.apply(id).ifPresent(p -> present.put(id, p));
    }
    return dev.miroir.core.move.RefillPlanner.cameBackEmpty(published, present);
  }

  /**
   * Creates the mover Job (and what it runs as) unless one for {@code target} exists; with {@code
   * refill}, the Job refills those nodes instead of scaling.
   */
  public static boolean ensureJob(KubernetesClient client, ClusterModel model, String image, List<TopologyNode> target,
      int maxConcurrentMoves, java.util.Set<String> refill) {
    String ns = model.namespace();
    client.serviceAccounts().inNamespace(ns).resource(RebalanceJobModel.serviceAccount(model)).createOr(e -> e.update());
    client.rbac().roles().inNamespace(ns).resource(RebalanceJobModel.role(model)).createOr(e -> e.update());
    client.rbac().roleBindings().inNamespace(ns).resource(RebalanceJobModel.roleBinding(model)).createOr(e -> e.update());
    Job job = RebalanceJobModel.job(model, image, target, maxConcurrentMoves, refill);
    if (client.batch().v1().jobs().inNamespace(ns).withName(job.getMetadata().getName()).get() != null) {
      return false;
    }
    client.batch().v1().jobs().inNamespace(ns).resource(job).create();
    return true;
  }
}
