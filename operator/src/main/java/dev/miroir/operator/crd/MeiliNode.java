package dev.miroir.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Meilisearch node of a cluster. Created and owned by its MeiliCluster; not edited by users. */
@Group(MeiliCluster.GROUP)
@Version(MeiliCluster.VERSION)
@ShortNames("mn")
@AdditionalPrinterColumn(
    name = "Cluster", jsonPath = ".spec.cluster", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Zone", jsonPath = ".spec.zone", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready", jsonPath = ".status.ready", type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(
    name = "Shards", jsonPath = ".status.shardCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class MeiliNode extends CustomResource<MeiliNodeSpec, MeiliNodeStatus> implements Namespaced {

  @Override
  protected MeiliNodeSpec initSpec() {
    return new MeiliNodeSpec();
  }

  @Override
  protected MeiliNodeStatus initStatus() {
    return new MeiliNodeStatus();
  }
}
