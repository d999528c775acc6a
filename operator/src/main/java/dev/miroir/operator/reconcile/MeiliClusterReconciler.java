package dev.miroir.operator.reconcile;

import dev.miroir.core.placement.Placement;
import dev.miroir.core.topology.InvalidTopologyException;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.crd.MeiliCluster;
import dev.miroir.operator.crd.MeiliClusterStatus;
import dev.miroir.operator.crd.MeiliNode;
import dev.miroir.operator.crd.MeiliNodeStatus;
import dev.miroir.operator.crd.SecretKeyRef;
import dev.miroir.operator.model.ApiKeys;
import dev.miroir.operator.model.ClusterModel;
import dev.miroir.operator.model.ClusterNames;
import dev.miroir.operator.model.ClusterStatusAggregator;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.Labels;
import dev.miroir.operator.model.PlacementDecision;
import dev.miroir.operator.model.TaskStoreModel;
import dev.miroir.operator.model.TopologyPlanner;
import dev.miroir.operator.metrics.ClusterMetrics;
import dev.miroir.operator.model.MeilisearchUpgrade;
import dev.miroir.operator.model.RollingRestart;
import dev.miroir.operator.model.VolumeResize;
import dev.miroir.operator.model.WantedNodes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a MeiliCluster as a short chain of named, idempotent steps:
 *
 * <pre>
 * masterKey -> apiKeysSecret -> placement -> upgradePath -> volumes -> nodes -> nodeServices
 *   -> disruptionBudgets -> router (and the task store several routers share) -> apiKeysOnNodes
 *   -> topology -> rebalanceJob -> rollingRestart -> nodeStatuses -> replicaConsistency -> metrics
 *   -> clusterStatus
 * </pre>
 *
 * Every object is built by {@link ClusterModel}; the safety rules live in pure classes
 * ({@link PlacementDecision} for placement changes, {@link MeilisearchUpgrade} for image versions,
 * {@link VolumeResize} for volume sizes, {@link RollingRestart} for which pod may restart);
 * status in {@link ClusterStatusAggregator}. This class only wires facts from the API server and
 * the nodes into them. A step that throws is named in status, Events and the reconcile error
 * metric ({@link #updateErrorStatus}).
 */
public final class MeiliClusterReconciler implements Reconciler<MeiliCluster> {

  private static final Logger LOG = LoggerFactory.getLogger(MeiliClusterReconciler.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OperatorSettings settings;
  private final Clock clock;
  private final ClusterMetrics metrics;

  public MeiliClusterReconciler(OperatorSettings settings, Clock clock) {
    this(settings, clock, new ClusterMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
  }

  public MeiliClusterReconciler(OperatorSettings settings, Clock clock, ClusterMetrics metrics) {
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Facts and results of one reconcile, passed from step to step. */
  private static final class Run {
    final MeiliCluster cluster;
    final ClusterModel model;
    final KubernetesClient client;
    final ResourceApplier applier;
    final ClusterEvents events;
    final ClusterStatusAggregator status;
    String masterKey;
    TopologyDocument published;
    PlacementDecision.Change change;
    PlacementDecision.Decision decision;
    Placement servingPlacement;
    List<DesiredNode> runningNodes = List.of();
    Map<String, MeiliNode> meiliNodes = new LinkedHashMap<>();
    Set<String> readyNodes = new TreeSet<>();
    Map<String, Long> documents = new LinkedHashMap<>();
    Map<String, Boolean> keysProvisioned = new LinkedHashMap<>();
    /** The nodes the spec asks for ({@link WantedNodes}): placement, the mover's target. */
    List<DesiredNode> wanted = List.of();
    /** The routers' last replica check, when a router answered. */
    dev.miroir.operator.model.ReplicaConsistency consistency;
    /** Image for the node template: the spec's, or the current one while an upgrade is refused. */
    String nodeImage;
    /** Node StatefulSets as stored, by node id (after this pass's writes). */
    Map<String, StatefulSet> nodeSets = new LinkedHashMap<>();
    /** Nodes whose StatefulSet is being recreated (orphan deletion) for a volume expansion. */
    Set<String> recreating = new HashSet<>();
    Map<String, String> nodePhases = new LinkedHashMap<>();
    int outdatedPods;
    boolean converged = true;
    /** The published topology cannot be trusted: publish nothing, delete nothing (PlacementDecision.guard). */
    boolean hold;
    /** The mover owns the topology while its journal exists (operator/.../rebalance). */
    boolean rebalancing;
    dev.miroir.operator.rebalance.RebalanceCoordinator.Observed rebalance;
    /** What status shows of the rebalance in progress; null when the mover has no journal. */
    dev.miroir.operator.crd.RebalanceStatus rebalanceReport;

    Run(MeiliCluster cluster, ClusterModel model, KubernetesClient client, ClusterStatusAggregator status) {
      this.cluster = cluster;
      this.model = model;
      this.client = client;
      this.applier = new ResourceApplier(client);
      this.events = new ClusterEvents(client);
      this.status = status;
    }

    String namespace() {
      return model.namespace();
    }
  }

  @Override
  public UpdateControl<MeiliCluster> reconcile(MeiliCluster cached, Context<MeiliCluster> context) {
    // The pass works on the object as the API server has it now: the status written by the previous
    // pass (which steps read back: the last epoch, whether the cluster was serving) may not have
    // reached the informer's copy yet, since the status is written directly (writeStatus).
    MeiliCluster live = context.getClient().resources(MeiliCluster.class)
        .inNamespace(cached.getMetadata().getNamespace()).withName(cached.getMetadata().getName()).get();
    MeiliCluster cluster = live != null ? live : cached;
    ClusterModel model = new ClusterModel(cluster, settings.routerImage());
    Run run = new Run(cluster, model, context.getClient(),
        new ClusterStatusAggregator(cluster.getStatus(), cluster.getMetadata().getGeneration(), clock.instant()));

    step(run, "masterKey", this::masterKey);
    step(run, "apiKeysSecret", this::apiKeysSecret);
    step(run, "placement", this::placement);
    step(run, "upgradePath", this::upgradePath);
    step(run, "volumes", this::volumes);
    step(run, "nodes", this::nodes);
    step(run, "nodeServices", this::nodeServices);
    step(run, "disruptionBudgets", this::disruptionBudgets);
    step(run, "router", this::router);
    step(run, "refill", this::refill);
    step(run, "apiKeysOnNodes", this::apiKeysOnNodes);
    step(run, "topology", this::topology);
    step(run, "rebalanceJob", this::rebalanceJob);
    step(run, "rollingRestart", this::rollingRestart);
    step(run, "nodeStatuses", this::nodeStatuses);
    step(run, "replicaConsistency", this::replicaConsistency);
    step(run, "metrics", this::metrics);
    return clusterStatus(run);
  }

  private static void step(Run run, String name, java.util.function.Consumer<Run> step) {
    try {
      step.accept(run);
    } catch (RuntimeException e) {
      throw new StepFailedException(name, e);
    }
  }

  /**
   * Writes one desired object; an existing object of that name that this cluster does not control
   * is left untouched and reported (Ready=False, reason ResourceConflict).
   *
   * @return the stored object, or null on a conflict
   */
  private static <T extends HasMetadata> T apply(Run run, T desired) {
    ResourceApplier.Applied<T> applied = run.applier.apply(desired);
    if (applied.conflict()) {
      conflict(run, desired);
      return null;
    }
    return applied.resource();
  }

  private static void conflict(Run run, HasMetadata desired) {
    run.converged = false;
    run.status.blocker(ClusterStatusAggregator.REASON_RESOURCE_CONFLICT,
        desired.getKind() + " " + desired.getMetadata().getName() + " already exists and is not controlled by "
            + "this cluster; it is left untouched (delete or rename it to let the operator create its own)");
  }

  /** The master key, generated once when the user did not bring one. */
  private void masterKey(Run run) {
    SecretKeyRef ref = run.model.masterKeyRef();
    if (run.model.generatesMasterKey()) {
      Secret desired = run.model.masterKeySecret(randomKey());
      if (run.applier.createIfAbsent(desired).conflict()) {
        conflict(run, desired);
        return;
      }
    }
    Secret secret = run.client.secrets().inNamespace(run.namespace()).withName(ref.getName()).get();
    run.masterKey = secretValue(secret, ref.getKey());
    if (run.masterKey == null) {
      run.status.blocker("Secret " + ref.getName() + " has no key " + ref.getKey());
      run.converged = false;
    }
  }

  /** Search and admin keys: values derive from the master key, so they can be published first. */
  private void apiKeysSecret(Run run) {
    if (run.masterKey == null) {
      return;
    }
    Secret desired = run.model.apiKeysSecret(run.masterKey);
    Secret existing = run.client.secrets().inNamespace(run.namespace())
        .withName(desired.getMetadata().getName()).get();
    // Compared by value (never logged): a user-supplied master key may be rotated.
    if (existing == null || !Objects.equals(decoded(existing), decoded(desired))
        || !ResourceApplier.controlledBySameOwner(desired, existing)) {
      apply(run, desired);
    }
  }

  /** Which placement to serve: the wanted one, or the published one while a change is pending. */
  private void placement(Run run) {
    PlacementDecision.Reading reading = readPublished(run);
    Long lastEpoch = run.cluster.getStatus() == null ? null : run.cluster.getStatus().getTopologyEpoch();
    var unsafe = PlacementDecision.guard(reading, lastEpoch);
    if (unsafe.isPresent()) {
      hold(run, unsafe.get(), lastEpoch);
      return;
    }
    run.published = reading.document();
    List<DesiredNode> wanted = wantedNodes(run, run.published == null
        ? listNodes(run).stream().map(n -> n.getSpec().getNodeId()).toList()
        : run.published.nodes().stream().map(dev.miroir.core.topology.TopologyNode::id).toList());
    int shards = run.model.spec().getShards();
    int rf = run.model.spec().getReplicationFactor();
    run.wanted = wanted;
    run.change = PlacementDecision.change(run.published, wanted, shards, rf);
    run.rebalance = dev.miroir.operator.rebalance.RebalanceCoordinator.observe(run.client, run.model);
    if (run.rebalance.inProgress() && run.published != null && run.change.plan() != null) {
      run.rebalancing = true;
      run.decision = new PlacementDecision.Decision(PlacementDecision.Verdict.PENDING, "Rebalancing",
          run.rebalance.describe());
      run.status.placement(run.change, run.decision);
      if (run.rebalance.journal() != null) {
        run.rebalanceReport = dev.miroir.operator.model.RebalanceReport.status(run.rebalance.journal(),
            run.rebalance.failedJob());
        run.status.rebalance(run.rebalanceReport);
      }
      keepPublishedNodesRunning(run, wanted);
      if (run.rebalance.journal() != null) {
        // Until the journal is finished, every node it started from keeps its workload.
        Map<String, DesiredNode> running = new LinkedHashMap<>();
        run.runningNodes.forEach(n -> running.put(n.id(), n));
        for (var node : run.rebalance.journal().beforeNodes()) {
          running.putIfAbsent(node.id(), new DesiredNode(node.id(), DesiredNode.ordinalOf(run.model.name(), node.id()),
              node.zone()));
        }
        run.runningNodes = List.copyOf(running.values());
      }
      return;
    }
    OptionalLong documents = run.change.needsDocumentCount()
        ? countDocuments(run, run.change.published())
        : OptionalLong.empty();
    run.decision = PlacementDecision.decide(run.change, documents);
    run.status.placement(run.change, run.decision);

    if (run.decision.verdict() == PlacementDecision.Verdict.PENDING) {
      keepPublishedNodesRunning(run, wanted);
    } else {
      run.servingPlacement = run.change.wanted();
      run.runningNodes = wanted;
    }
  }

  /**
   * The nodes the spec asks for, given those that exist and the ones marked for removal
   * ({@link Labels#REMOVE_NODE}); a refused choice keeps the existing nodes and says why in Ready.
   */
  private List<DesiredNode> wantedNodes(Run run, List<String> existing) {
    Set<String> marked = new TreeSet<>();
    for (MeiliNode node : listNodes(run)) {
      if ("true".equals(annotation(node.getMetadata(), Labels.REMOVE_NODE))) {
        marked.add(node.getSpec().getNodeId());
      }
    }
    WantedNodes.Choice choice = WantedNodes.choose(run.model.name(), run.model.spec().getReplicas(),
        run.model.spec().getReplicationFactor(), DesiredNode.zones(run.model.spec()), existing, marked);
    if (choice.refusal() != null) {
      run.converged = false;
      run.status.blocker(choice.reason(), choice.refusal());
    }
    return choice.nodes();
  }

  /** Keep every published node and start the wanted ones, so data can move when it is allowed to. */
  private void keepPublishedNodesRunning(Run run, List<DesiredNode> wanted) {
    run.converged = false;
    run.servingPlacement = run.change.published();
    Map<String, DesiredNode> running = new LinkedHashMap<>();
    for (var node : run.change.published().nodes()) {
      running.put(node.id(), new DesiredNode(node.id(), DesiredNode.ordinalOf(run.model.name(), node.id()), node.zone()));
    }
    wanted.forEach(n -> running.putIfAbsent(n.id(), n));
    run.runningNodes = List.copyOf(running.values());
  }

  /**
   * Starts the mover Job once a change over documents is pending and every wanted node is ready with
   * its keys (the mover writes to them from its first step); while a journal exists, makes sure its
   * Job exists (a deleted Job is recreated and resumes the journal).
   */
  private void rebalanceJob(Run run) {
    if (run.hold || run.masterKey == null) {
      return;
    }
    rebalanceEvents(run);
    List<dev.miroir.core.topology.TopologyNode> target;
    if (run.rebalancing) {
      if (run.rebalance.journal() == null) {
        return;
      }
      target = run.rebalance.journal().nodes();
    } else if (run.decision != null && run.decision.verdict() == PlacementDecision.Verdict.PENDING
        && PlacementDecision.REASON_DATA_MOVE.equals(run.decision.reason())) {
      for (DesiredNode node : run.wanted) {
        MeiliNode meiliNode = run.meiliNodes.get(node.id());
        boolean keyed = Boolean.TRUE.equals(run.keysProvisioned.get(node.id())) || (meiliNode != null
            && meiliNode.getStatus() != null && Boolean.TRUE.equals(meiliNode.getStatus().getApiKeysProvisioned()));
        if (!run.readyNodes.contains(node.id()) || !keyed) {
          return;
        }
      }
      target = run.wanted.stream().map(n -> new dev.miroir.core.topology.TopologyNode(n.id(),
          settings.nodeUrls().url(run.namespace(), n.id()), n.placementNode().zone(),
          dev.miroir.core.topology.NodeState.ACTIVE)).toList();
    } else {
      return;
    }
    if (dev.miroir.operator.rebalance.RebalanceCoordinator.ensureJob(run.client, run.model, moverImage(run), target,
        maxConcurrentMoves(run))) {
      run.events.normal(run.cluster, "RebalanceStarted", "mover Job started to move shards to nodes "
          + target.stream().map(dev.miroir.core.topology.TopologyNode::id).toList());
    }
  }

  /** The Events of each rebalance phase since the last pass (planned, copying, verified, cut over, drained...). */
  private void rebalanceEvents(Run run) {
    var previous = run.cluster.getStatus() == null ? null : run.cluster.getStatus().getRebalance();
    if (run.rebalanceReport == null && (run.rebalance == null || run.rebalance.inProgress())) {
      return;
    }
    for (var event : dev.miroir.operator.model.RebalanceReport.events(previous, run.rebalanceReport,
        run.rebalance.journal())) {
      if (event.warning()) {
        run.events.warning(run.cluster, event.reason(), event.message());
      } else {
        run.events.normal(run.cluster, event.reason(), event.message());
      }
    }
  }

  /**
   * A published node whose operator keys are gone came back empty (a lost volume): before the key step
   * gives them back, start the mover Job that refills it from its peers (rebalance/RebalanceCoordinator,
   * docs/design/rebalance.md). Not while another rebalance runs: its journal owns the topology.
   */
  private void refill(Run run) {
    if (run.hold || run.rebalancing || run.published == null || run.masterKey == null) {
      return;
    }
    // Only nodes whose status records that they were given their keys: a node never keyed is new, not empty.
    List<String> keyedBefore = run.readyNodes.stream().filter(id -> run.meiliNodes.get(id) != null
        && run.meiliNodes.get(id).getStatus() != null
        && Boolean.TRUE.equals(run.meiliNodes.get(id).getStatus().getApiKeysProvisioned())).toList();
    Set<String> empty = dev.miroir.operator.rebalance.RebalanceCoordinator.cameBackEmpty(run.published,
        keyedBefore, id -> settings.nodeAdmin().keysPresent(settings.nodeUrls().url(run.namespace(), id),
            run.masterKey, run.model.apiKeys()));
    if (empty.isEmpty()) {
      return;
    }
    run.converged = false;
    if (dev.miroir.operator.rebalance.RebalanceCoordinator.ensureJob(run.client, run.model, moverImage(run),
        run.published.nodes(), maxConcurrentMoves(run), empty)) {
      run.events.warning(run.cluster, "NodeCameBackEmpty", "nodes " + empty + " lost their data (their keys are gone):"
          + " mover Job started to refill them from their peers");
    }
  }

  private static String moverImage(Run run) {
    return run.model.routerDeployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static int maxConcurrentMoves(Run run) {
    return run.model.spec().getRebalance() == null || run.model.spec().getRebalance().getMaxConcurrentMoves() == null
        ? 2 : run.model.spec().getRebalance().getMaxConcurrentMoves();
  }

  /** Fail closed: every existing node keeps running and nothing is published (see PlacementDecision.guard). */
  private void hold(Run run, PlacementDecision.Decision decision, Long lastEpoch) {
    run.hold = true;
    run.decision = decision;
    run.converged = false;
    run.status.blocker(decision.reason() + ": " + decision.message());
    run.status.keepEpoch(lastEpoch);
    Map<String, DesiredNode> running = new LinkedHashMap<>();
    List<String> existing = new ArrayList<>();
    for (MeiliNode node : listNodes(run)) {
      String id = node.getSpec().getNodeId();
      existing.add(id);
      running.put(id, new DesiredNode(id, DesiredNode.ordinalOf(run.model.name(), id), null));
    }
    wantedNodes(run, existing).forEach(n -> running.putIfAbsent(n.id(), n));
    run.runningNodes = List.copyOf(running.values());
    run.events.warning(run.cluster, decision.reason(), decision.message());
  }

  /**
   * The image nodes may run. Nodes run what their pods were made from; the highest version among
   * them is what the data on disk may already be written by, so nothing older may follow it.
   */
  private void upgradePath(Run run) {
    String wanted = run.model.nodeImage();
    run.nodeImage = wanted;
    String running = null;
    var newest = java.util.Optional.<MeilisearchUpgrade.Version>empty();
    for (Pod pod : run.client.pods().inNamespace(run.namespace()).withLabels(Labels.nodeSelector(run.model.name()))
        .list().getItems()) {
      String image = mainImage(pod.getSpec().getContainers());
      var version = MeilisearchUpgrade.version(image);
      if (running == null || (version.isPresent() && (newest.isEmpty() || version.get().compareTo(newest.get()) > 0))) {
        running = image;
        newest = version.isPresent() ? version : newest;
      }
    }
    MeilisearchUpgrade.Verdict verdict = MeilisearchUpgrade.check(running, wanted);
    if (!verdict.allowed()) {
      run.status.blocker(verdict.reason(), verdict.message());
      run.converged = false;
      // Keep what the StatefulSets say now: an upgrade in progress carries on, nothing older starts.
      String current = null;
      for (StatefulSet sts : listNodeSets(run)) {
        current = mainImage(sts.getSpec().getTemplate().getSpec().getContainers());
        if (current != null) {
          break;
        }
      }
      run.nodeImage = current == null ? running : current;
    }
  }

  /**
   * Grows node volumes to the spec's size where the StorageClass allows it: each PVC is patched,
   * then the StatefulSet is deleted with orphan propagation (the pod keeps running) and recreated
   * by {@link #nodes} with the new claim template on a later pass. Where expansion is impossible
   * the size stays and Ready says why; nothing is retried in a loop, the next pass decides the same.
   */
  private void volumes(Run run) {
    String wanted = run.model.storageSize();
    for (DesiredNode node : run.runningNodes) {
      StatefulSet sts = run.client.apps().statefulSets().inNamespace(run.namespace())
          .withName(ClusterNames.nodeResource(node.id())).get();
      if (sts == null || sts.getMetadata().getDeletionTimestamp() != null) {
        if (sts != null) {
          run.recreating.add(node.id());
          run.converged = false;
        }
        continue;
      }
      var claimTemplate = sts.getSpec().getVolumeClaimTemplates().stream()
          .filter(c -> ClusterModel.DATA_VOLUME.equals(c.getMetadata().getName())).findFirst().orElse(null);
      if (claimTemplate == null) {
        continue;
      }
      String current = claimTemplate.getSpec().getResources().getRequests().get("storage").toString();
      PersistentVolumeClaim pvc = run.client.persistentVolumeClaims().inNamespace(run.namespace())
          .withName(ClusterNames.nodeClaim(node.id())).get();
      String className = pvc != null && pvc.getSpec().getStorageClassName() != null
          ? pvc.getSpec().getStorageClassName() : claimTemplate.getSpec().getStorageClassName();
      // The StorageClass is only read when the size differs: a steady cluster makes no such call.
      StorageClass storageClass = smaller(new Quantity(current), wanted) ? storageClass(run, className) : null;
      VolumeResize.Decision decision = VolumeResize.decide(node.id(), current, wanted,
          storageClass == null ? className : storageClass.getMetadata().getName(),
          pvc == null || (storageClass != null && Boolean.TRUE.equals(storageClass.getAllowVolumeExpansion())));
      switch (decision.action()) {
        case REFUSE -> run.status.volumeRefused(decision.reason(), decision.message());
        case EXPAND -> {
          if (pvc != null && smaller(pvc.getSpec().getResources().getRequests().get("storage"), wanted)) {
            run.client.persistentVolumeClaims().inNamespace(run.namespace()).withName(pvc.getMetadata().getName())
                .edit(p -> new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder(p)
                    .editSpec().editResources().addToRequests("storage", new Quantity(wanted)).endResources().endSpec()
                    .build());
          }
          run.client.apps().statefulSets().inNamespace(run.namespace()).withName(sts.getMetadata().getName())
              .withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
          run.recreating.add(node.id());
          run.converged = false;
          run.events.normal(run.cluster, "VolumeExpanding", decision.message());
        }
        case NONE -> { }
      }
      if (pvc != null && decision.action() != VolumeResize.Action.REFUSE) {
        Quantity capacity = pvc.getStatus() == null || pvc.getStatus().getCapacity() == null
            ? null : pvc.getStatus().getCapacity().get("storage");
        if (capacity != null && smaller(capacity, wanted)) {
          run.status.volumeExpanding(pvc.getMetadata().getName() + " has " + capacity + ", expanding to " + wanted);
          run.converged = false;
        }
      }
    }
  }

  private static boolean smaller(Quantity have, String wanted) {
    return have == null
        || Quantity.getAmountInBytes(have).compareTo(Quantity.getAmountInBytes(new Quantity(wanted))) < 0;
  }

  /** The named class, or the cluster's default class when none is named. */
  private static StorageClass storageClass(Run run, String name) {
    if (name != null) {
      return run.client.storage().v1().storageClasses().withName(name).get();
    }
    return run.client.storage().v1().storageClasses().list().getItems().stream()
        .filter(c -> c.getMetadata().getAnnotations() != null
            && "true".equals(c.getMetadata().getAnnotations().get("storageclass.kubernetes.io/is-default-class")))
        .findFirst().orElse(null);
  }

  /** One MeiliNode per running node, its StatefulSet and Service; surplus nodes removed. */
  private void nodes(Run run) {
    Set<String> keep = new HashSet<>();
    for (DesiredNode node : run.runningNodes) {
      keep.add(node.id());
      MeiliNode meiliNode = apply(run, run.model.meiliNode(node));
      if (meiliNode == null) {
        continue;
      }
      run.meiliNodes.put(node.id(), meiliNode);
      if (!run.recreating.contains(node.id())) {
        StatefulSet live = run.client.apps().statefulSets().inNamespace(run.namespace())
            .withName(ClusterNames.nodeResource(node.id())).get();
        StatefulSet sts = apply(run, run.model.nodeStatefulSet(node, meiliNode, run.nodeImage,
            live == null ? null : live.getSpec().getVolumeClaimTemplates()));
        if (sts != null) {
          run.nodeSets.put(node.id(), sts);
        }
      }
      apply(run, run.model.nodeService(node, meiliNode));
    }
    // Only nodes outside both the published and the wanted placement reach this point.
    for (MeiliNode stale : listNodes(run)) {
      if (!keep.contains(stale.getSpec().getNodeId())) {
        String id = stale.getSpec().getNodeId();
        // Only nodes outside both placements get here: their shards are verified on other nodes. The
        // MeiliNode goes last: it is what brings the next pass back here, so an operator stopped half way
        // through finishes the removal instead of leaving a volume nobody deletes.
        run.client.apps().statefulSets().inNamespace(run.namespace()).withName(ClusterNames.nodeResource(id)).delete();
        run.client.services().inNamespace(run.namespace()).withName(ClusterNames.nodeResource(id)).delete();
        run.client.persistentVolumeClaims().inNamespace(run.namespace()).withName(ClusterNames.nodeClaim(id)).delete();
        run.client.resource(stale).delete();
        run.events.normal(run.cluster, "NodeDeleted", "node " + id
            + " deleted with its volume: its shards are served by other nodes");
      }
    }
    for (StatefulSet sts : run.client.apps().statefulSets().inNamespace(run.namespace())
        .withLabels(Labels.nodeSelector(run.model.name())).list().getItems()) {
      Integer ready = sts.getStatus() == null ? null : sts.getStatus().getReadyReplicas();
      String id = sts.getMetadata().getLabels().get(Labels.NODE);
      if (ready != null && ready >= 1 && keep.contains(id)) {
        run.readyNodes.add(id);
      }
    }
    run.status.nodes(run.runningNodes.size(), run.model.spec().getReplicas(), run.readyNodes);
    if (run.readyNodes.size() < run.runningNodes.size()) {
      run.converged = false;
    }
  }

  private void nodeServices(Run run) {
    apply(run, run.model.headlessService());
  }

  private void disruptionBudgets(Run run) {
    apply(run, run.model.nodeDisruptionBudget());
    apply(run, run.model.routerDisruptionBudget());
  }

  /**
   * The Redis several routers share (tasks, replica log), when the operator runs it; see
   * {@link TaskStoreModel}. Its password is generated once, like the master key.
   */
  private TaskStoreModel taskStore(Run run) {
    String name = ClusterNames.taskStore(run.model.name());
    boolean exists = run.client.secrets().inNamespace(run.namespace()).withName(name).get() != null;
    TaskStoreModel store = new TaskStoreModel(run.model, exists);
    if (store.runsOwnRedis()) {
      run.applier.createIfAbsent(store.secret(randomKey()));
      run.applier.apply(store.service());
      run.applier.apply(store.statefulSet());
    }
    return store;
  }

  private void router(Run run) {
    apply(run, run.model.routerServiceAccount());
    apply(run, run.model.routerRole());
    apply(run, run.model.routerRoleBinding());
    apply(run, taskStore(run).wire(run.model.routerDeployment()));
    apply(run, run.model.searchService());
    run.status.endpoint(Labels.nodeSelectorString(run.model.name()), run.model.endpoint());
  }

  /**
   * Restarts at most one node pod per pass whose template is outdated, under the rules of
   * {@link RollingRestart}: the node StatefulSets use OnDelete, so this is the only place a
   * template change (image, env, resources, podTemplate) reaches a running node.
   */
  private void rollingRestart(Run run) {
    Map<String, Pod> pods = new LinkedHashMap<>();
    for (Pod pod : run.client.pods().inNamespace(run.namespace()).withLabels(Labels.nodeSelector(run.model.name()))
        .list().getItems()) {
      pods.put(pod.getMetadata().getLabels().get(Labels.NODE), pod);
    }
    List<RollingRestart.NodePod> observed = new ArrayList<>();
    boolean allReady = true;
    for (DesiredNode node : run.runningNodes) {
      StatefulSet sts = run.nodeSets.get(node.id());
      Pod pod = pods.get(node.id());
      if (sts == null) {
        allReady = false;
        continue;
      }
      boolean ready = pod != null && pod.getMetadata().getDeletionTimestamp() == null && isReady(pod);
      allReady &= ready;
      String want = annotation(sts.getSpec().getTemplate().getMetadata(), Labels.POD_TEMPLATE_HASH);
      String have = pod == null ? null : annotation(pod.getMetadata(), Labels.POD_TEMPLATE_HASH);
      observed.add(new RollingRestart.NodePod(node.id(), pod != null, ready, pod != null && !Objects.equals(want, have)));
    }
    var strategy = run.model.spec().getUpdateStrategy();
    boolean permitted = (strategy != null && Boolean.TRUE.equals(strategy.getAllowUnavailableShards()))
        || "true".equals(annotation(run.cluster.getMetadata(), Labels.ALLOW_UNAVAILABLE_RESTART));
    RollingRestart.Decision decision = RollingRestart.next(observed, run.published, permitted);
    run.outdatedPods = (int) observed.stream().filter(RollingRestart.NodePod::outdated).count();
    if (decision.restart() != null) {
      run.client.pods().inNamespace(run.namespace()).withName(ClusterNames.nodePod(decision.restart())).delete();
      run.events.normal(run.cluster, "NodeRestarted", decision.message());
    }
    if (decision.inProgress()) {
      run.converged = false;
    }
    run.status.rolling(decision, allReady);
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String annotation(io.fabric8.kubernetes.api.model.ObjectMeta meta, String key) {
    return meta == null || meta.getAnnotations() == null ? null : meta.getAnnotations().get(key);
  }

  private static String mainImage(List<io.fabric8.kubernetes.api.model.Container> containers) {
    return containers.stream().filter(c -> "meilisearch".equals(c.getName()))
        .map(io.fabric8.kubernetes.api.model.Container::getImage).findFirst().orElse(null);
  }

  private List<StatefulSet> listNodeSets(Run run) {
    return run.client.apps().statefulSets().inNamespace(run.namespace())
        .withLabels(Labels.nodeSelector(run.model.name())).list().getItems();
  }

  /** Domain metrics from what this pass observed; a scrape reads them without any call. */
  private void metrics(Run run) {
    String ns = run.namespace();
    String name = run.model.name();
    if (run.published != null) {
      metrics.topologyEpoch(ns, name, run.published.epoch());
    }
    Map<String, Integer> byPhase = new LinkedHashMap<>();
    run.nodePhases.values().forEach(phase -> byPhase.merge(phase, 1, Integer::sum));
    metrics.nodesByPhase(ns, name, byPhase);
    metrics.nodesReady(ns, name, run.readyNodes.size());
    metrics.nodesOutdated(ns, name, run.outdatedPods);
    shardMoveMetrics(run);
    if (run.consistency != null && run.consistency.checkedAt() != null) {
      metrics.divergentShards(ns, name, run.consistency.divergentShards());
    }
    for (MeiliNode node : run.meiliNodes.values()) {
      String id = node.getSpec().getNodeId();
      Long documents = run.documents.containsKey(id) ? run.documents.get(id)
          : node.getStatus() == null ? null : node.getStatus().getDocuments();
      if (documents != null) {
        metrics.nodeDocuments(ns, name, id, documents);
      }
    }
  }

  /** Shard moves by state: from the mover's journal while it runs, else the pending plan's moves. */
  private void shardMoveMetrics(Run run) {
    long pending = 0;
    long running = 0;
    long done = 0;
    if (run.rebalance != null && run.rebalance.journal() != null) {
      var progress = run.rebalance.journal().progress();
      running = progress.current().size();
      done = progress.movesDone();
      pending = progress.movesTotal() - done - running;
    } else if (run.decision != null && run.decision.verdict() == PlacementDecision.Verdict.PENDING
        && run.change != null && run.change.plan() != null) {
      pending = run.change.plan().moves().size();
    }
    metrics.shardMoves(run.namespace(), run.model.name(), ClusterMetrics.STATE_PENDING, pending);
    metrics.shardMoves(run.namespace(), run.model.name(), ClusterMetrics.STATE_RUNNING, running);
    metrics.shardMoves(run.namespace(), run.model.name(), ClusterMetrics.STATE_DONE, done);
  }

  /**
   * Publishes the serving placement; the epoch moves only if owners, nodes or URLs changed. A node
   * that joins the placement must answer first, with its API keys in place: routers start writing
   * to it the moment they switch, and a write it cannot take fails the client's request.
   */
  private void topology(Run run) {
    if (run.hold) {
      return;
    }
    if (run.rebalancing) {
      // The mover publishes the epochs of a rebalance; a second writer would undo its steps.
      run.status.published(run.published);
      return;
    }
    Placement serving = run.servingPlacement;
    List<String> notServeable = joiningNodesNotServeable(run);
    if (!notServeable.isEmpty()) {
      serving = run.change.published();
      run.converged = false;
      run.status.blocker("waiting for joining node(s) " + String.join(", ", notServeable)
          + " to be ready with their API keys before publishing the new placement");
    }
    Long lastEpoch = run.cluster.getStatus() == null ? null : run.cluster.getStatus().getTopologyEpoch();
    if (lastEpoch != null && lastEpoch > 0 && run.client.configMaps().inNamespace(run.namespace())
        .withName(ClusterNames.topologyConfigMap(run.model.name())).get() == null) {
      // Deleted while this reconcile ran: never re-create it from a read that is now stale; the next
      // reconcile holds (PlacementDecision.guard).
      run.converged = false;
      run.status.published(run.published);
      return;
    }
    TopologyDocument next = TopologyPlanner.next(run.model.name(), run.published, serving,
        id -> settings.nodeUrls().url(run.namespace(), id));
    if (apply(run, run.model.topologyConfigMap(TopologyCodec.encode(next))) == null) {
      return;
    }
    if (run.published == null || next.epoch() != run.published.epoch()) {
      run.events.normal(run.cluster, "TopologyPublished",
          "topology epoch " + next.epoch() + ": " + next.nodes().size() + " nodes, " + next.shards()
              + " shards, RF " + next.replicationFactor() + " (" + run.decision.reason() + ")");
    }
    run.published = next;
    run.status.published(next);
  }

  /** Nodes in the serving placement but not in the published one that cannot take traffic yet. */
  private List<String> joiningNodesNotServeable(Run run) {
    if (run.published == null || run.change.published() == null) {
      return List.of();
    }
    Set<String> published = run.published.nodes().stream().map(n -> n.id()).collect(java.util.stream.Collectors.toSet());
    List<String> waiting = new java.util.ArrayList<>();
    for (var node : run.servingPlacement.nodes()) {
      String id = node.id();
      if (published.contains(id)) {
        continue;
      }
      MeiliNode meiliNode = run.meiliNodes.get(id);
      boolean keyed = Boolean.TRUE.equals(run.keysProvisioned.get(id))
          || (meiliNode != null && meiliNode.getStatus() != null
              && Boolean.TRUE.equals(meiliNode.getStatus().getApiKeysProvisioned()));
      if (!run.readyNodes.contains(id) || !keyed) {
        waiting.add(id);
      }
    }
    return waiting;
  }

  /**
   * One set of keys on every ready node, checked on every pass (one {@code GET /keys} per node), so
   * a node that lost them (a lost volume) gets them back: the cluster's keys and Meilisearch's
   * default keys, each with a fixed uid and so the same value on every node.
   */
  private void apiKeysOnNodes(Run run) {
    if (run.masterKey == null) {
      return;
    }
    for (String id : run.readyNodes) {
      if (!run.meiliNodes.containsKey(id)) {
        continue;
      }
      String url = settings.nodeUrls().url(run.namespace(), id);
      boolean all = settings.nodeAdmin().ensureKeys(url, run.masterKey, run.model.apiKeys());
      if (!all) {
        run.converged = false;
      }
      run.keysProvisioned.put(id, all);
    }
  }

  private void nodeStatuses(Run run) {
    if (run.hold || run.published == null) {
      return;
    }
    Set<String> published = run.published.nodes().stream().map(n -> n.id()).collect(java.util.stream.Collectors.toSet());
    Set<String> wanted = new HashSet<>();
    run.change.wanted().nodes().forEach(n -> wanted.add(n.id()));
    for (MeiliNode node : run.meiliNodes.values()) {
      String id = node.getSpec().getNodeId();
      MeiliNodeStatus prior = node.getStatus() == null ? new MeiliNodeStatus() : node.getStatus();
      MeiliNodeStatus next = new MeiliNodeStatus();
      boolean ready = run.readyNodes.contains(id);
      next.setReady(ready);
      next.setUrl(settings.nodeUrls().url(run.namespace(), id));
      if (published.contains(id) && !wanted.contains(id)) {
        next.setPhase("Draining");
      } else if (published.contains(id) && (ready || "Active".equals(prior.getPhase()))) {
        next.setPhase("Active");
      } else {
        next.setPhase("Joining");
      }
      List<Integer> shards = published.contains(id) ? run.servingPlacement.shardsOf(id) : List.of();
      next.setShards(shards.size() > 256 ? List.of() : shards);
      next.setShardCount(shards.size());
      next.setDocuments(run.documents.getOrDefault(id, prior.getDocuments()));
      next.setApiKeysProvisioned(run.keysProvisioned.getOrDefault(id, prior.getApiKeysProvisioned()));
      run.nodePhases.put(id, next.getPhase());
      if (!next.equals(node.getStatus())) {
        // The whole status at the resourceVersion read (a 409 retries the reconcile): a merge patch
        // would leave list entries behind on servers that merge lists.
        MeiliNode updated = io.fabric8.kubernetes.client.utils.Serialization.clone(node);
        updated.setStatus(next);
        run.client.resource(updated).updateStatus();
      }
    }
  }

  /**
   * The routers' last periodic replica check (every {@link ClusterModel#CONSISTENCY_INTERVAL}), for
   * the {@code ReplicasConsistent} condition and the divergence gauge. Asked of a router with the
   * admin key the routers hold; no answer leaves the condition Unknown.
   */
  private void replicaConsistency(Run run) {
    if (run.masterKey == null) {
      return;
    }
    String router = settings.nodeUrls().routerUrl(run.namespace(), run.model.name());
    if (router == null) {
      return;
    }
    run.model.apiKeys().stream().filter(k -> k.secretKey().equals(ClusterNames.ADMIN_KEY)).findFirst()
        .flatMap(admin -> settings.nodeAdmin().replicaConsistency(router, ApiKeys.value(run.masterKey, admin.uid())))
        .ifPresent(observed -> {
          run.consistency = observed;
          run.status.replicaConsistency(observed);
        });
  }

  private UpdateControl<MeiliCluster> clusterStatus(Run run) {
    MeiliClusterStatus previous = run.cluster.getStatus();
    MeiliClusterStatus next = run.status.build();
    if (!"Ready".equals(next.getPhase())) {
      run.converged = false;
    }
    for (Condition flipped : ClusterStatusAggregator.flipped(previous, next)) {
      boolean bad = ("Degraded".equals(flipped.getType()) && "True".equals(flipped.getStatus()))
          || (ClusterStatusAggregator.REPLICAS_CONSISTENT.equals(flipped.getType()) && "False".equals(flipped.getStatus()))
          || ("Ready".equals(flipped.getType()) && "False".equals(flipped.getStatus()));
      String message = flipped.getType() + " is " + flipped.getStatus() + ": " + flipped.getMessage();
      if (bad) {
        run.events.warning(run.cluster, flipped.getReason(), message);
      } else {
        run.events.normal(run.cluster, flipped.getReason(), message);
      }
    }
    writeStatus(run.client, run.cluster, next);
    // Converged, it still looks again now and then: keys and replica checks change without an event.
    return UpdateControl.<MeiliCluster>noUpdate().rescheduleAfter(run.converged ? settings.observe() : settings.requeue());
  }

  /**
   * Replaces the status of the cluster as the API server has it now, with optimistic locking. Not
   * the framework's status patch: without server-side apply that patch is a JSON Patch computed
   * against the informer's copy, which can be older than the server's (an error status written a
   * moment before), and a stale base left an earlier write's condition next to a newer phase
   * (phase Ready with Ready=False). A conflict reads the live object again.
   */
  private static void writeStatus(KubernetesClient client, MeiliCluster live, MeiliClusterStatus next) {
    MeiliCluster current = live;
    for (int attempt = 0; ; attempt++) {
      if (current == null || next.equals(current.getStatus())) {
        return;
      }
      // A copy: the object may be the informer's (the framework's cache must never be changed).
      current = io.fabric8.kubernetes.client.utils.Serialization.clone(current);
      current.setStatus(next);
      try {
        client.resources(MeiliCluster.class).inNamespace(current.getMetadata().getNamespace()).resource(current)
            .updateStatus();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != java.net.HttpURLConnection.HTTP_CONFLICT || attempt >= 2) {
          throw e;
        }
        current = client.resources(MeiliCluster.class).inNamespace(live.getMetadata().getNamespace())
            .withName(live.getMetadata().getName()).get();
      }
    }
  }

  /**
   * A reconcile that threw: Ready turns False (reason ReconcileError, naming the failed step), a
   * Warning Event is recorded when the message changes, and the step's error counter moves. The
   * framework retries with backoff. The message never carries a Secret's content: for the
   * credentials steps only the exception type is shown.
   */
  @Override
  public ErrorStatusUpdateControl<MeiliCluster> updateErrorStatus(
      MeiliCluster cluster, Context<MeiliCluster> context, Exception e) {
    String step = e instanceof StepFailedException failed ? failed.step() : "reconcile";
    Throwable cause = e instanceof StepFailedException && e.getCause() != null ? e.getCause() : e;
    boolean credentials = step.equals("masterKey") || step.equals("apiKeysSecret");
    String detail = cause.getClass().getSimpleName()
        + (credentials || cause.getMessage() == null ? "" : ": " + abbreviate(cause.getMessage(), 300));
    String message = "step " + step + " failed: " + detail;
    LOG.warn("reconcile of {}/{} failed in step {}: {}", cluster.getMetadata().getNamespace(),
        cluster.getMetadata().getName(), step, detail);
    metrics.reconcileError(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), step);

    MeiliCluster live = context.getClient().resources(MeiliCluster.class)
        .inNamespace(cluster.getMetadata().getNamespace()).withName(cluster.getMetadata().getName()).get();
    MeiliClusterStatus previous = live != null ? live.getStatus() : cluster.getStatus();
    MeiliClusterStatus next = ClusterStatusAggregator.withReconcileError(previous,
        cluster.getMetadata().getGeneration(), clock.instant(), message);
    Condition before = previous == null || previous.getConditions() == null ? null
        : previous.getConditions().stream().filter(c -> ClusterStatusAggregator.READY.equals(c.getType()))
            .findFirst().orElse(null);
    if (before == null || !message.equals(before.getMessage())) {
      new ClusterEvents(context.getClient()).warning(cluster, ClusterStatusAggregator.REASON_RECONCILE_ERROR, message);
    }
    if (live != null) {
      writeStatus(context.getClient(), live, next);
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }

  // ---- observation helpers ----

  private PlacementDecision.Reading readPublished(Run run) {
    ConfigMap cm = run.client.configMaps().inNamespace(run.namespace())
        .withName(ClusterNames.topologyConfigMap(run.model.name())).get();
    if (cm == null) {
      return PlacementDecision.Reading.absent();
    }
    if (cm.getData() == null || cm.getData().get(TopologyCodec.DATA_KEY) == null) {
      return new PlacementDecision.Reading(null, "no `" + TopologyCodec.DATA_KEY + "` key");
    }
    try {
      return new PlacementDecision.Reading(TopologyCodec.decode(cm.getData().get(TopologyCodec.DATA_KEY)), null);
    } catch (InvalidTopologyException e) {
      // Someone edited it by hand: never guess a placement over documents (PlacementDecision.guard).
      LOG.warn("topology ConfigMap of {} is invalid: {}", run.model.name(), e.getMessage());
      return new PlacementDecision.Reading(null, e.getMessage());
    }
  }

  private OptionalLong countDocuments(Run run, Placement published) {
    if (run.masterKey == null) {
      return OptionalLong.empty();
    }
    long total = 0;
    boolean known = true;
    for (var node : published.nodes()) {
      OptionalLong count = settings.nodeAdmin()
          .documentCount(settings.nodeUrls().url(run.namespace(), node.id()), run.masterKey);
      if (count.isPresent()) {
        run.documents.put(node.id(), count.getAsLong());
        total += count.getAsLong();
      } else {
        known = false;
      }
    }
    return known ? OptionalLong.of(total) : OptionalLong.empty();
  }

  private List<MeiliNode> listNodes(Run run) {
    return run.client.resources(MeiliNode.class).inNamespace(run.namespace())
        .withLabel(Labels.CLUSTER, run.model.name()).list().getItems();
  }

  private static String secretValue(Secret secret, String key) {
    if (secret == null) {
      return null;
    }
    if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
      return secret.getStringData().get(key);
    }
    if (secret.getData() != null && secret.getData().get(key) != null) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return null;
  }

  private static Map<String, String> decoded(Secret secret) {
    Map<String, String> values = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      values.putAll(secret.getStringData());
    }
    return values;
  }

  private static String randomKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  // ---- event sources ----

  @Override
  public List<EventSource<?, MeiliCluster>> prepareEventSources(EventSourceContext<MeiliCluster> context) {
    // Every kind the operator creates, so a deleted or edited child is put back at once. Secrets are
    // the exception: watching them needs list/watch on every Secret, which the operator does not
    // hold; a deleted credentials Secret is recreated on the next pass.
    List<EventSource<?, MeiliCluster>> sources = new ArrayList<>();
    sources.add(informer(context, StatefulSet.class));
    sources.add(informer(context, MeiliNode.class));
    sources.add(informer(context, ConfigMap.class));
    sources.add(informer(context, Service.class));
    sources.add(informer(context, Deployment.class));
    sources.add(informer(context, ServiceAccount.class));
    sources.add(informer(context, Role.class));
    sources.add(informer(context, RoleBinding.class));
    sources.add(informer(context, PodDisruptionBudget.class));
    sources.add(informer(context, Pod.class));
    sources.add(informer(context, PersistentVolumeClaim.class));
    return sources;
  }

  /** Secondary resources map to their cluster through the cluster label, whoever owns them. */
  private static <R extends HasMetadata> InformerEventSource<R, MeiliCluster> informer(
      EventSourceContext<MeiliCluster> context, Class<R> type) {
    SecondaryToPrimaryMapper<R> toCluster = resource -> {
      Map<String, String> labels = resource.getMetadata().getLabels();
      String cluster = labels == null ? null : labels.get(Labels.CLUSTER);
      return cluster == null ? Set.of()
          : Set.of(new ResourceID(cluster, resource.getMetadata().getNamespace()));
    };
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, MeiliCluster.class)
            .withName(type.getSimpleName())
            .withLabelSelector(Labels.MANAGED_SELECTOR)
            .withSecondaryToPrimaryMapper(toCluster)
            .build(),
        context);
  }
}
