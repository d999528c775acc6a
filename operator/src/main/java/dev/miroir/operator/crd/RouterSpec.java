package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The stateless routers behind the search Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouterSpec {

  @Min(1)
  @Max(100)
  @Default("1")
  @JsonPropertyDescription("Router pods.")
  private Integer replicas = 1;

  @JsonPropertyDescription("CPU and memory for each router container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Router image; the operator's default when absent.")
  private String image;

  @JsonPropertyDescription("An external Redis or Valkey shared by the routers (tasks, replica log). Without"
      + " it, the operator runs one (a StatefulSet with a volume) when there is more than one router.")
  private TaskStoreSpec taskStore;

  public TaskStoreSpec getTaskStore() {
    return taskStore;
  }

  public void setTaskStore(TaskStoreSpec taskStore) {
    this.taskStore = taskStore;
  }

  @JsonPropertyDescription("Overrides for the router pods: scheduling, pull secrets, labels, security context.")
  private PodTemplateOverride podTemplate;

  public PodTemplateOverride getPodTemplate() {
    return podTemplate;
  }

  public void setPodTemplate(PodTemplateOverride podTemplate) {
    this.podTemplate = podTemplate;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }
}
