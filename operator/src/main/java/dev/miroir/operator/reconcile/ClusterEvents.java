package dev.miroir.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a MeiliCluster for notable transitions; never carries a secret. */
final class ClusterEvents {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);

  private final KubernetesClient client;

  ClusterEvents(KubernetesClient client) {
    this.client = client;
  }

  void normal(HasMetadata about, String reason, String message) {
    emit(about, "Normal", reason, message);
  }

  void warning(HasMetadata about, String reason, String message) {
    emit(about, "Warning", reason, message);
  }

  private void emit(HasMetadata about, String type, String reason, String message) {
    Instant now = Instant.now();
    String name = about.getMetadata().getName() + "."
        + Long.toHexString(now.toEpochMilli()) + Long.toHexString(System.nanoTime() & 0xfff);
    try {
      client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(
          new EventBuilder()
              .withNewMetadata().withName(name.toLowerCase(Locale.ROOT)).endMetadata()
              .withInvolvedObject(new ObjectReferenceBuilder()
                  .withApiVersion(about.getApiVersion())
                  .withKind(about.getKind())
                  .withName(about.getMetadata().getName())
                  .withNamespace(about.getMetadata().getNamespace())
                  .withUid(about.getMetadata().getUid())
                  .build())
              .withType(type)
              .withReason(reason)
              .withMessage(message)
              .withFirstTimestamp(now.toString())
              .withLastTimestamp(now.toString())
              .withCount(1)
              .withNewSource().withComponent("miroir-operator").endSource()
              .build())
          .create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy; failing to record one must not fail the reconcile.
      LOG.debug("could not record event {} on {}: {}", reason, about.getMetadata().getName(), e.getMessage());
    }
    LOG.info("{} {}/{}: {}: {}", type, about.getMetadata().getNamespace(), about.getMetadata().getName(), reason, message);
  }
}
