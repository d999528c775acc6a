package dev.miroir.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
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
    name = "Epoch", jsonPath = ".status.topologyEpoch", type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
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
