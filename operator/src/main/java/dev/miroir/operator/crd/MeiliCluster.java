package dev.miroir.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A sharded, replicated Meilisearch cluster. {@code kubectl scale} moves {@code spec.replicas}; the
 * printer columns answer "is it serving and how big is it" without reading status YAML.
 */
@Group(MeiliCluster.GROUP)
@Version(MeiliCluster.VERSION)
@ShortNames("mc")
@AdditionalPrinterColumn(
    name = "Nodes", jsonPath = ".status.nodes", type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "ready/desired nodes")
@AdditionalPrinterColumn(
    name = "RF", jsonPath = ".spec.replicationFactor", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Shards", jsonPath = ".spec.shards", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Moves", jsonPath = ".status.rebalance.moves", type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "shard moves done/total of the rebalance in progress")
@AdditionalPrinterColumn(
    name = "Epoch", jsonPath = ".status.topologyEpoch", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "size(self.metadata.name) <= 40 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message = "metadata.name must be a DNS-1035 label of at most 40 characters (node, pod and Service names"
        + " are derived from it)")
public class MeiliCluster extends CustomResource<MeiliClusterSpec, MeiliClusterStatus>
    implements Namespaced {

  public static final String GROUP = "miroir.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected MeiliClusterSpec initSpec() {
    return new MeiliClusterSpec();
  }

  @Override
  protected MeiliClusterStatus initStatus() {
    return new MeiliClusterStatus();
  }
}
