package dev.miroir.operator.reconcile;

import dev.miroir.operator.model.CanonicalHash;
import dev.miroir.operator.model.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes desired objects the way {@code kubectl apply --server-side --force-conflicts} would leave
 * them, without needing server-side apply (the tests' API server has none):
 *
 * <ul>
 *   <li>An object is written only when the hash of the desired object (canonical JSON, sorted keys,
 *       see {@link CanonicalHash}) differs from the one recorded on it, so an unchanged spec causes
 *       no write at all, in this JVM or the next.
 *   <li>A write is a full update (PUT) of the desired object at the resourceVersion just read: a
 *       field the spec no longer sets disappears from the child, which a JSON merge patch would
 *       leave behind. Fields the API server or other controllers own are carried over from the live
 *       object (a Service's cluster IPs, a ServiceAccount's token Secrets, foreign labels,
 *       annotations and finalizers). A concurrent writer makes the PUT fail with 409; the reconcile
 *       is retried on fresh state.
 *   <li>An existing object that is not controlled by the owner named in the desired object is never
 *       written: the outcome is {@link Outcome#CONFLICT} and the caller reports it.
 * </ul>
 */
final class ResourceApplier {

  private final KubernetesClient client;

  ResourceApplier(KubernetesClient client) {
    this.client = client;
  }

  /** Outcome of one apply, for events and logs. */
  enum Outcome { CREATED, UPDATED, UNCHANGED, CONFLICT }

  /**
   * @param resource the object as stored (the live foreign object on a conflict)
   */
  record Applied<T>(T resource, Outcome outcome) {
    boolean conflict() {
      return outcome == Outcome.CONFLICT;
    }
  }

  <T extends HasMetadata> Applied<T> apply(T desired) {
    String hash = CanonicalHash.of(desired);
    Map<String, String> annotations = new LinkedHashMap<>();
    if (desired.getMetadata().getAnnotations() != null) {
      annotations.putAll(desired.getMetadata().getAnnotations());
    }
    annotations.put(Labels.APPLIED_HASH, hash);
    desired.getMetadata().setAnnotations(annotations);

    T existing = client.resource(desired).get();
    if (existing == null) {
      return new Applied<>(client.resource(desired).create(), Outcome.CREATED);
    }
    if (!controlledBySameOwner(desired, existing)) {
      return new Applied<>(existing, Outcome.CONFLICT);
    }
    Map<String, String> existingAnnotations = existing.getMetadata().getAnnotations();
    if (existingAnnotations != null && hash.equals(existingAnnotations.get(Labels.APPLIED_HASH))) {
      return new Applied<>(existing, Outcome.UNCHANGED);
    }
    keepWhatOthersOwn(desired, existing);
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    return new Applied<>(client.resource(desired).update(), Outcome.UPDATED);
  }

  /**
   * For generated credentials: created once, never rewritten. An existing object that another
   * owner controls is reported as a conflict, like {@link #apply}.
   */
  <T extends HasMetadata> Applied<T> createIfAbsent(T desired) {
    T existing = client.resource(desired).get();
    if (existing != null) {
      return new Applied<>(existing, controlledBySameOwner(desired, existing) ? Outcome.UNCHANGED : Outcome.CONFLICT);
    }
    return new Applied<>(client.resource(desired).create(), Outcome.CREATED);
  }

  /**
   * An object is ours when its controller reference names the same owner uid as the desired one.
   * A Service or Secret that merely has the right name belongs to someone else and is left alone.
   */
  static boolean controlledBySameOwner(HasMetadata desired, HasMetadata existing) {
    OwnerReference want = controller(desired);
    OwnerReference have = controller(existing);
    return want != null && have != null && Objects.equals(want.getUid(), have.getUid());
  }

  private static OwnerReference controller(HasMetadata object) {
    List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
    if (refs == null) {
      return null;
    }
    return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst().orElse(null);
  }

  /** Fields a full update must carry over because the server or other controllers set them. */
  private static void keepWhatOthersOwn(HasMetadata desired, HasMetadata existing) {
    desired.getMetadata().setLabels(union(existing.getMetadata().getLabels(), desired.getMetadata().getLabels()));
    desired.getMetadata().setAnnotations(
        union(existing.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations()));
    if (desired.getMetadata().getFinalizers() == null || desired.getMetadata().getFinalizers().isEmpty()) {
      desired.getMetadata().setFinalizers(existing.getMetadata().getFinalizers());
    }
    if (desired instanceof Service want && existing instanceof Service have && have.getSpec() != null) {
      // Allocated by the API server and immutable: an update without them is rejected.
      want.getSpec().setClusterIP(have.getSpec().getClusterIP());
      want.getSpec().setClusterIPs(have.getSpec().getClusterIPs());
      if (want.getSpec().getIpFamilies() == null || want.getSpec().getIpFamilies().isEmpty()) {
        want.getSpec().setIpFamilies(have.getSpec().getIpFamilies());
      }
      if (want.getSpec().getIpFamilyPolicy() == null) {
        want.getSpec().setIpFamilyPolicy(have.getSpec().getIpFamilyPolicy());
      }
    }
    if (desired instanceof ServiceAccount want && existing instanceof ServiceAccount have
        && (want.getSecrets() == null || want.getSecrets().isEmpty())) {
      want.setSecrets(have.getSecrets());
    }
  }

  /** Others' keys kept, ours (the desired ones) win. */
  private static Map<String, String> union(Map<String, String> live, Map<String, String> desired) {
    Map<String, String> merged = new LinkedHashMap<>();
    if (live != null) {
      merged.putAll(live);
    }
    if (desired != null) {
      merged.putAll(desired);
    }
    return merged;
  }
}
