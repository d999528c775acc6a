package dev.miroir.operator.model;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * Pods that a namespace enforcing the {@code restricted} Pod Security Standard admits, and the
 * requests and limits they get when the spec names none.
 *
 * <p>The official Meilisearch image declares no user (it would run as root) and keeps its data in
 * {@code /meili_data}; we run it as a fixed non-root uid and let {@code fsGroup} make the volume
 * writable, so the image needs no change. The router image's user is named, which
 * {@code runAsNonRoot} cannot verify, so its uid is set numerically too.
 */
public final class PodSecurity {

  public static final long NODE_UID = 1000L;
  public static final long ROUTER_UID = 10001L;

  private PodSecurity() {}

  public static PodSecurityContext restrictedPod(long uid) {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(uid)
        .withRunAsGroup(uid)
        .withFsGroup(uid)
        // Only chown the volume when its root does not match already: a large volume is not walked
        // on every restart.
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /**
   * With a read-only root: Meilisearch writes only to its volume and /tmp, the router only to its
   * replica log directory and /tmp (emptyDirs).
   */
  public static SecurityContext restrictedContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withRunAsNonRoot(true)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /**
   * Burstable, not BestEffort: a node is never the first pod evicted under memory pressure. No CPU
   * limit (throttling an indexing batch helps nobody); memory limited, since Meilisearch's indexer
   * sizes itself from the memory it sees.
   */
  public static ResourceRequirements defaultNodeResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("500m"))
        .addToRequests("memory", new Quantity("1Gi"))
        .addToLimits("memory", new Quantity("2Gi"))
        .build();
  }

  public static ResourceRequirements defaultRouterResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("200m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("512Mi"))
        .build();
  }
}
