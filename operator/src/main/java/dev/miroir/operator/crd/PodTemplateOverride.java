package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a user may change in the pods the operator builds, in Kubernetes' own shapes (ECK's
 * {@code podTemplate} is the model). Typed rather than free-form so that the API server validates
 * it. The operator's template is the base; {@code ClusterModel} lays this over it: labels and
 * annotations are added, scheduling fields replace the defaults, a container named like the main
 * one (or the pod security context) overrides field by field, other containers, init containers
 * and volumes are appended.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodTemplateOverride {

  @JsonPropertyDescription("Labels and annotations added to the pods (the operator's own labels win).")
  private Metadata metadata;

  @JsonPropertyDescription("Pod spec fields laid over the operator's defaults.")
  private Spec spec;

  public Metadata getMetadata() {
    return metadata;
  }

  public void setMetadata(Metadata metadata) {
    this.metadata = metadata;
  }

  public Spec getSpec() {
    return spec;
  }

  public void setSpec(Spec spec) {
    this.spec = spec;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodTemplateOverride that && Objects.equals(metadata, that.metadata)
        && Objects.equals(spec, that.spec);
  }

  @Override
  public int hashCode() {
    return Objects.hash(metadata, spec);
  }

  /** Pod labels and annotations. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Metadata {
    private Map<String, String> labels;
    private Map<String, String> annotations;

    public Map<String, String> getLabels() {
      return labels;
    }

    public void setLabels(Map<String, String> labels) {
      this.labels = labels;
    }

    public Map<String, String> getAnnotations() {
      return annotations;
    }

    public void setAnnotations(Map<String, String> annotations) {
      this.annotations = annotations;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Metadata that && Objects.equals(labels, that.labels)
          && Objects.equals(annotations, that.annotations);
    }

    @Override
    public int hashCode() {
      return Objects.hash(labels, annotations);
    }
  }

  /** The pod spec fields that may be set. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Spec {
    @JsonPropertyDescription("Replaces the default nodeSelector.")
    private Map<String, String> nodeSelector;

    @JsonPropertyDescription("Replaces the default tolerations (none).")
    private List<Toleration> tolerations;

    @JsonPropertyDescription(
        "Replaces the default affinity. A zone-pinned node keeps its zone: the zone requirement is"
            + " added to every required node selector term.")
    private Affinity affinity;

    private String priorityClassName;

    private List<LocalObjectReference> imagePullSecrets;

    @JsonPropertyDescription("Replaces the default topology spread constraints.")
    private List<TopologySpreadConstraint> topologySpreadConstraints;

    @JsonPropertyDescription(
        "Replaces the default pod security context (restricted: non-root, RuntimeDefault seccomp).")
    private PodSecurityContext securityContext;

    private Long terminationGracePeriodSeconds;

    @JsonPropertyDescription(
        "A container named like the main one (meilisearch or router) overrides its fields: non-empty"
            + " fields replace, env and volumeMounts are appended. Other containers are added as sidecars.")
    private List<Container> containers;

    private List<Container> initContainers;

    @JsonPropertyDescription("Volumes added to the pod.")
    private List<Volume> volumes;

    public Map<String, String> getNodeSelector() {
      return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
      this.nodeSelector = nodeSelector;
    }

    public List<Toleration> getTolerations() {
      return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
      this.tolerations = tolerations;
    }

    public Affinity getAffinity() {
      return affinity;
    }

    public void setAffinity(Affinity affinity) {
      this.affinity = affinity;
    }

    public String getPriorityClassName() {
      return priorityClassName;
    }

    public void setPriorityClassName(String priorityClassName) {
      this.priorityClassName = priorityClassName;
    }

    public List<LocalObjectReference> getImagePullSecrets() {
      return imagePullSecrets;
    }

    public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
      this.imagePullSecrets = imagePullSecrets;
    }

    public List<TopologySpreadConstraint> getTopologySpreadConstraints() {
      return topologySpreadConstraints;
    }

    public void setTopologySpreadConstraints(List<TopologySpreadConstraint> topologySpreadConstraints) {
      this.topologySpreadConstraints = topologySpreadConstraints;
    }

    public PodSecurityContext getSecurityContext() {
      return securityContext;
    }

    public void setSecurityContext(PodSecurityContext securityContext) {
      this.securityContext = securityContext;
    }

    public Long getTerminationGracePeriodSeconds() {
      return terminationGracePeriodSeconds;
    }

    public void setTerminationGracePeriodSeconds(Long terminationGracePeriodSeconds) {
      this.terminationGracePeriodSeconds = terminationGracePeriodSeconds;
    }

    public List<Container> getContainers() {
      return containers;
    }

    public void setContainers(List<Container> containers) {
      this.containers = containers;
    }

    public List<Container> getInitContainers() {
      return initContainers;
    }

    public void setInitContainers(List<Container> initContainers) {
      this.initContainers = initContainers;
    }

    public List<Volume> getVolumes() {
      return volumes;
    }

    public void setVolumes(List<Volume> volumes) {
      this.volumes = volumes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Spec that && Objects.equals(nodeSelector, that.nodeSelector)
          && Objects.equals(tolerations, that.tolerations) && Objects.equals(affinity, that.affinity)
          && Objects.equals(priorityClassName, that.priorityClassName)
          && Objects.equals(imagePullSecrets, that.imagePullSecrets)
          && Objects.equals(topologySpreadConstraints, that.topologySpreadConstraints)
          && Objects.equals(securityContext, that.securityContext)
          && Objects.equals(terminationGracePeriodSeconds, that.terminationGracePeriodSeconds)
          && Objects.equals(containers, that.containers) && Objects.equals(initContainers, that.initContainers)
          && Objects.equals(volumes, that.volumes);
    }

    @Override
    public int hashCode() {
      return Objects.hash(nodeSelector, priorityClassName, containers);
    }
  }
}
