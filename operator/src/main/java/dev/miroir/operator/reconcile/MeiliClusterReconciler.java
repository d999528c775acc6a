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
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
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
 * masterKey -> apiKeysSecret -> placement -> nodes -> nodeServices -> disruptionBudget
 *   -> router (and the task store several routers share) -> topology -> apiKeysOnNodes -> nodeStatuses
 *   -> clusterStatus
 * </pre>
 *
 * Every object is built by {@link ClusterModel}; the safety rule for placement changes lives in
 * {@link PlacementDecision}; status in {@link ClusterStatusAggregator}. This class only wires facts
 * from the API server and the nodes into them.
 */
public final class MeiliClusterReconciler implements Reconciler<MeiliCluster> {

  private static final Logger LOG = LoggerFactory.getLogger(MeiliClusterReconciler.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OperatorSettings settings;
  private final Clock clock;

  public MeiliClusterReconciler(OperatorSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
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
    boolean converged = true;
    /** The published topology cannot be trusted: publish nothing, delete nothing (PlacementDecision.guard). */
    boolean hold;
    /** The mover owns the topology while its journal exists (operator/.../rebalance). */
    boolean rebalancing;
    dev.miroir.operator.rebalance.RebalanceCoordinator.Observed rebalance;

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
  public UpdateControl<MeiliCluster> reconcile(MeiliCluster cluster, Context<MeiliCluster> context) {
    ClusterModel model = new ClusterModel(cluster, settings.routerImage());
    Run run = new Run(cluster, model, context.getClient(),
        new ClusterStatusAggregator(cluster.getStatus(), cluster.getMetadata().getGeneration(), clock.instant()));

    masterKey(run);
    apiKeysSecret(run);
    placement(run);
    nodes(run);
    nodeServices(run);
    disruptionBudget(run);
    router(run);
    apiKeysOnNodes(run);
    topology(run);
    rebalanceJob(run);
    nodeStatuses(run);
    return clusterStatus(run);
  }

  /** The master key, generated once when the user did not bring one. */
  private void masterKey(Run run) {
    SecretKeyRef ref = run.model.masterKeyRef();
    if (run.model.generatesMasterKey()) {
      run.applier.createIfAbsent(run.model.masterKeySecret(randomKey()));
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
    if (existing == null || !Objects.equals(decoded(existing), decoded(desired))) {
      run.applier.apply(desired);
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
    List<DesiredNode> wanted = run.model.desiredNodes();
    int shards = run.model.spec().getShards();
    int rf = run.model.spec().getReplicationFactor();
    run.change = PlacementDecision.change(run.published, wanted, shards, rf);
    run.rebalance = dev.miroir.operator.rebalance.RebalanceCoordinator.observe(run.client, run.model);
    if (run.rebalance.inProgress() && run.published != null && run.change.plan() != null) {
      run.rebalancing = true;
      run.decision = new PlacementDecision.Decision(PlacementDecision.Verdict.PENDING, "Rebalancing",
          run.rebalance.describe());
      run.status.placement(run.change, run.decision);
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
    List<dev.miroir.core.topology.TopologyNode> target;
    if (run.rebalancing) {
      if (run.rebalance.journal() == null) {
        return;
      }
      target = run.rebalance.journal().nodes();
    } else if (run.decision != null && run.decision.verdict() == PlacementDecision.Verdict.PENDING
        && PlacementDecision.REASON_DATA_MOVE.equals(run.decision.reason())) {
      for (DesiredNode node : run.model.desiredNodes()) {
        MeiliNode meiliNode = run.meiliNodes.get(node.id());
        boolean keyed = Boolean.TRUE.equals(run.keysProvisioned.get(node.id())) || (meiliNode != null
            && meiliNode.getStatus() != null && Boolean.TRUE.equals(meiliNode.getStatus().getApiKeysProvisioned()));
        if (!run.readyNodes.contains(node.id()) || !keyed) {
          return;
        }
      }
      target = run.model.desiredNodes().stream().map(n -> new dev.miroir.core.topology.TopologyNode(n.id(),
          settings.nodeUrls().url(run.namespace(), n.id()), n.placementNode().zone(),
          dev.miroir.core.topology.NodeState.ACTIVE)).toList();
    } else {
      return;
    }
    String image = run.model.routerDeployment().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    int concurrency = run.model.spec().getRebalance() == null || run.model.spec().getRebalance().getMaxConcurrentMoves() == null
        ? 2 : run.model.spec().getRebalance().getMaxConcurrentMoves();
    if (dev.miroir.operator.rebalance.RebalanceCoordinator.ensureJob(run.client, run.model, image, target, concurrency)) {
      run.events.normal(run.cluster, "RebalanceStarted", "mover Job started to move shards to nodes "
          + target.stream().map(dev.miroir.core.topology.TopologyNode::id).toList());
    }
  }

  /** Fail closed: every existing node keeps running and nothing is published (see PlacementDecision.guard). */
  private void hold(Run run, PlacementDecision.Decision decision, Long lastEpoch) {
    run.hold = true;
    run.decision = decision;
    run.converged = false;
    run.status.blocker(decision.reason() + ": " + decision.message());
    run.status.keepEpoch(lastEpoch);
    Map<String, DesiredNode> running = new LinkedHashMap<>();
    for (MeiliNode node : listNodes(run)) {
      String id = node.getSpec().getNodeId();
      running.put(id, new DesiredNode(id, DesiredNode.ordinalOf(run.model.name(), id), null));
    }
    run.model.desiredNodes().forEach(n -> running.putIfAbsent(n.id(), n));
    run.runningNodes = List.copyOf(running.values());
    run.events.warning(run.cluster, decision.reason(), decision.message());
  }

  /** One MeiliNode per running node, its StatefulSet and Service; surplus nodes removed. */
  private void nodes(Run run) {
    Set<String> keep = new HashSet<>();
    for (DesiredNode node : run.runningNodes) {
      keep.add(node.id());
      MeiliNode meiliNode = run.applier.apply(run.model.meiliNode(node)).resource();
      run.meiliNodes.put(node.id(), meiliNode);
      run.applier.apply(run.model.nodeStatefulSet(node, meiliNode));
      run.applier.apply(run.model.nodeService(node, meiliNode));
    }
    // Only nodes outside both the published and the wanted placement reach this point.
    for (MeiliNode stale : listNodes(run)) {
      if (!keep.contains(stale.getSpec().getNodeId())) {
        String id = stale.getSpec().getNodeId();
        run.client.apps().statefulSets().inNamespace(run.namespace()).withName(ClusterNames.nodeResource(id)).delete();
        run.client.services().inNamespace(run.namespace()).withName(ClusterNames.nodeResource(id)).delete();
        run.client.resource(stale).delete();
        run.events.normal(run.cluster, "NodeRemoved", "node " + id + " removed (its volume is retained)");
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
    run.applier.apply(run.model.headlessService());
  }

  private void disruptionBudget(Run run) {
    run.applier.apply(run.model.nodeDisruptionBudget());
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
    run.applier.apply(run.model.routerServiceAccount());
    run.applier.apply(run.model.routerRole());
    run.applier.apply(run.model.routerRoleBinding());
    run.applier.apply(taskStore(run).wire(run.model.routerDeployment()));
    run.applier.apply(run.model.searchService());
    run.status.endpoint(Labels.nodeSelectorString(run.model.name()), run.model.endpoint());
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
    run.applier.apply(run.model.topologyConfigMap(TopologyCodec.encode(next)));
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

  /** Creates the default keys, with their fixed uids, on every ready node that lacks them. */
  private void apiKeysOnNodes(Run run) {
    if (run.masterKey == null) {
      return;
    }
    for (String id : run.readyNodes) {
      MeiliNode node = run.meiliNodes.get(id);
      if (node == null || (node.getStatus() != null && Boolean.TRUE.equals(node.getStatus().getApiKeysProvisioned()))) {
        continue;
      }
      String url = settings.nodeUrls().url(run.namespace(), id);
      boolean all = true;
      for (ApiKeys.KeySpec key : run.model.apiKeys()) {
        all &= settings.nodeAdmin().ensureKey(url, run.masterKey, key);
      }
      if (!all) {
        run.converged = false;
      }
      run.keysProvisioned.put(id, all);
    }
  }

  private void nodeStatuses(Run run) {
    if (run.hold) {
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
      if (!next.equals(node.getStatus())) {
        MeiliNode fresh = new MeiliNode();
        fresh.setMetadata(new ObjectMetaBuilder().withName(node.getMetadata().getName())
            .withNamespace(run.namespace()).build());
        fresh.setStatus(next);
        run.client.resource(fresh).patchStatus();
      }
    }
  }

  private UpdateControl<MeiliCluster> clusterStatus(Run run) {
    MeiliClusterStatus previous = run.cluster.getStatus();
    MeiliClusterStatus next = run.status.build();
    if (!"Ready".equals(next.getPhase())) {
      run.converged = false;
    }
    for (Condition flipped : ClusterStatusAggregator.flipped(previous, next)) {
      boolean bad = ("Degraded".equals(flipped.getType()) && "True".equals(flipped.getStatus()))
          || ("Ready".equals(flipped.getType()) && "False".equals(flipped.getStatus()));
      String message = flipped.getType() + " is " + flipped.getStatus() + ": " + flipped.getMessage();
      if (bad) {
        run.events.warning(run.cluster, flipped.getReason(), message);
      } else {
        run.events.normal(run.cluster, flipped.getReason(), message);
      }
    }
    UpdateControl<MeiliCluster> control;
    if (next.equals(previous)) {
      control = UpdateControl.noUpdate();
    } else {
      MeiliCluster fresh = new MeiliCluster();
      fresh.setMetadata(new ObjectMetaBuilder().withName(run.model.name()).withNamespace(run.namespace()).build());
      fresh.setStatus(next);
      control = UpdateControl.patchStatus(fresh);
    }
    return run.converged ? control : control.rescheduleAfter(settings.requeue());
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
    List<EventSource<?, MeiliCluster>> sources = new ArrayList<>();
    sources.add(informer(context, StatefulSet.class));
    sources.add(informer(context, MeiliNode.class));
    sources.add(informer(context, ConfigMap.class));
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
