package dev.miroir.operator.reconcile;

import dev.miroir.operator.model.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes desired objects only when they differ from what was last applied. The desired object's hash
 * is stored in an annotation: an unchanged spec causes no write at all, so a restarted operator (or
 * a reconcile triggered by our own write) leaves resourceVersions untouched. Updates are JSON merge
 * patches, so fields the API server fills in (a Service's clusterIP) are left alone.
 */
final class ResourceApplier {

  private final KubernetesClient client;

  ResourceApplier(KubernetesClient client) {
    this.client = client;
  }

  /** Outcome of one apply, for events and logs. */
  enum Outcome { CREATED, UPDATED, UNCHANGED }

  record Applied<T>(T resource, Outcome outcome) {}

  <T extends HasMetadata> Applied<T> apply(T desired) {
    String hash = hash(desired);
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
    Map<String, String> existingAnnotations = existing.getMetadata().getAnnotations();
    if (existingAnnotations != null && hash.equals(existingAnnotations.get(Labels.APPLIED_HASH))) {
      return new Applied<>(existing, Outcome.UNCHANGED);
    }
    T patched = client.resource(desired).patch(PatchContext.of(PatchType.JSON_MERGE));
    return new Applied<>(patched, Outcome.UPDATED);
  }

  /** For generated credentials: created once, never rewritten. */
  <T extends HasMetadata> Applied<T> createIfAbsent(T desired) {
    T existing = client.resource(desired).get();
    if (existing != null) {
      return new Applied<>(existing, Outcome.UNCHANGED);
    }
    return new Applied<>(client.resource(desired).create(), Outcome.CREATED);
  }

  private static String hash(HasMetadata desired) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(Serialization.asJson(desired).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
