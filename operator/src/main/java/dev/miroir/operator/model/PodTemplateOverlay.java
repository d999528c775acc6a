package dev.miroir.operator.model;

import dev.miroir.operator.crd.PodTemplateOverride;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lays a user's {@link PodTemplateOverride} over the pod the operator built. Pure; the rules are
 * the ones documented on the CRD: the operator's labels and the zone pin always survive, everything
 * else the user names wins.
 */
public final class PodTemplateOverlay {

  private PodTemplateOverlay() {}

  /**
   * @param zonePin the node affinity requirement that pins a node to its zone, null when not pinned
   */
  public static void apply(PodTemplateOverride override, ObjectMeta meta, PodSpec pod, String mainContainer,
      NodeSelectorRequirement zonePin) {
    if (override == null) {
      return;
    }
    if (override.getMetadata() != null) {
      meta.setLabels(merged(override.getMetadata().getLabels(), meta.getLabels()));
      Map<String, String> annotations = merged(meta.getAnnotations(), override.getMetadata().getAnnotations());
      meta.setAnnotations(annotations.isEmpty() ? null : annotations);
    }
    PodTemplateOverride.Spec spec = override.getSpec();
    if (spec == null) {
      return;
    }
    if (spec.getNodeSelector() != null) {
      pod.setNodeSelector(new TreeMap<>(spec.getNodeSelector()));
    }
    if (spec.getTolerations() != null) {
      pod.setTolerations(copy(spec.getTolerations()));
    }
    if (spec.getAffinity() != null) {
      Affinity affinity = Serialization.clone(spec.getAffinity());
      if (zonePin != null) {
        pinZone(affinity, zonePin);
      }
      pod.setAffinity(affinity);
    }
    if (spec.getPriorityClassName() != null) {
      pod.setPriorityClassName(spec.getPriorityClassName());
    }
    if (spec.getImagePullSecrets() != null) {
      pod.setImagePullSecrets(copy(spec.getImagePullSecrets()));
    }
    if (spec.getTopologySpreadConstraints() != null) {
      pod.setTopologySpreadConstraints(copy(spec.getTopologySpreadConstraints()));
    }
    if (spec.getSecurityContext() != null) {
      pod.setSecurityContext(Serialization.clone(spec.getSecurityContext()));
    }
    if (spec.getTerminationGracePeriodSeconds() != null) {
      pod.setTerminationGracePeriodSeconds(spec.getTerminationGracePeriodSeconds());
    }
    if (spec.getContainers() != null) {
      List<Container> containers = new ArrayList<>(pod.getContainers());
      for (Container c : spec.getContainers()) {
        Container main = containers.stream().filter(x -> x.getName().equals(c.getName())).findFirst().orElse(null);
        if (main != null) {
          overrideContainer(main, c);
        } else {
          containers.add(Serialization.clone(c));
        }
      }
      pod.setContainers(containers);
    }
    if (spec.getInitContainers() != null) {
      List<Container> init = new ArrayList<>(pod.getInitContainers() == null ? List.of() : pod.getInitContainers());
      init.addAll(copy(spec.getInitContainers()));
      pod.setInitContainers(init);
    }
    if (spec.getVolumes() != null) {
      List<io.fabric8.kubernetes.api.model.Volume> volumes =
          new ArrayList<>(pod.getVolumes() == null ? List.of() : pod.getVolumes());
      volumes.addAll(copy(spec.getVolumes()));
      pod.setVolumes(volumes);
    }
  }

  /** Non-empty fields replace; env and volume mounts are appended (a same-named variable replaced). */
  private static void overrideContainer(Container main, Container o) {
    if (o.getImage() != null) {
      main.setImage(o.getImage());
    }
    if (o.getImagePullPolicy() != null) {
      main.setImagePullPolicy(o.getImagePullPolicy());
    }
    if (o.getResources() != null) {
      main.setResources(Serialization.clone(o.getResources()));
    }
    if (o.getSecurityContext() != null) {
      main.setSecurityContext(Serialization.clone(o.getSecurityContext()));
    }
    if (o.getReadinessProbe() != null) {
      main.setReadinessProbe(Serialization.clone(o.getReadinessProbe()));
    }
    if (o.getLivenessProbe() != null) {
      main.setLivenessProbe(Serialization.clone(o.getLivenessProbe()));
    }
    if (o.getStartupProbe() != null) {
      main.setStartupProbe(Serialization.clone(o.getStartupProbe()));
    }
    if (o.getEnv() != null && !o.getEnv().isEmpty()) {
      List<EnvVar> env = new ArrayList<>(main.getEnv());
      for (EnvVar var : o.getEnv()) {
        env.removeIf(e -> e.getName().equals(var.getName()));
        env.add(Serialization.clone(var));
      }
      main.setEnv(env);
    }
    if (o.getVolumeMounts() != null && !o.getVolumeMounts().isEmpty()) {
      List<VolumeMount> mounts = new ArrayList<>(main.getVolumeMounts());
      mounts.addAll(copy(o.getVolumeMounts()));
      main.setVolumeMounts(mounts);
    }
  }

  /** The zone requirement is ANDed into every required term, so no override can unpin a node. */
  private static void pinZone(Affinity affinity, NodeSelectorRequirement zonePin) {
    if (affinity.getNodeAffinity() == null) {
      affinity.setNodeAffinity(new io.fabric8.kubernetes.api.model.NodeAffinity());
    }
    var required = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null || required.getNodeSelectorTerms() == null || required.getNodeSelectorTerms().isEmpty()) {
      affinity.getNodeAffinity().setRequiredDuringSchedulingIgnoredDuringExecution(
          new io.fabric8.kubernetes.api.model.NodeSelectorBuilder()
              .addNewNodeSelectorTerm().withMatchExpressions(zonePin).endNodeSelectorTerm().build());
      return;
    }
    for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
      List<NodeSelectorRequirement> expressions =
          new ArrayList<>(term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions());
      expressions.add(zonePin);
      term.setMatchExpressions(expressions);
    }
  }

  private static Map<String, String> merged(Map<String, String> base, Map<String, String> winning) {
    Map<String, String> out = new TreeMap<>();
    if (base != null) {
      out.putAll(base);
    }
    if (winning != null) {
      out.putAll(winning);
    }
    return out;
  }

  private static <T> List<T> copy(List<T> list) {
    return list.stream().map(Serialization::clone).toList();
  }
}
