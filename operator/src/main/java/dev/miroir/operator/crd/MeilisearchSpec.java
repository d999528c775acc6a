package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;

/** How every node runs Meilisearch. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MeilisearchSpec {

  public static final String DEFAULT_IMAGE = "getmeili/meilisearch:v1.21.0";

  @Default(DEFAULT_IMAGE)
  @JsonPropertyDescription(
      "Meilisearch Community Edition image; the operator is tested with v1.21. A change rolls the nodes"
          + " one at a time; a newer version upgrades each database in place (dumpless upgrade, from"
          + " v1.12); an older version than the nodes run is refused.")
  private String image = DEFAULT_IMAGE;

  @JsonPropertyDescription("CPU and memory for each node container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Persistent volume of each node.")
  private StorageSpec storage = new StorageSpec();

  @JsonPropertyDescription("Extra environment for the node container (MEILI_* settings).")
  private List<EnvVar> env = new ArrayList<>();

  @JsonPropertyDescription(
      "Overrides for the node pods: scheduling, pull secrets, labels, security context, sidecars.")
  private PodTemplateOverride podTemplate;

  @JsonPropertyDescription(
      "Secret key holding the master key. When absent the operator generates one in"
          + " <cluster>-master-key and never changes it.")
  private SecretKeyRef masterKeySecretRef;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public PodTemplateOverride getPodTemplate() {
    return podTemplate;
  }

  public void setPodTemplate(PodTemplateOverride podTemplate) {
    this.podTemplate = podTemplate;
  }

  public SecretKeyRef getMasterKeySecretRef() {
    return masterKeySecretRef;
  }

  public void setMasterKeySecretRef(SecretKeyRef masterKeySecretRef) {
    this.masterKeySecretRef = masterKeySecretRef;
  }

  /** Size and class of each node's volume. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StorageSpec {
    @Default("10Gi")
    @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$")
    @JsonPropertyDescription(
        "Requested volume size, e.g. 10Gi. Growing it expands the volumes when the StorageClass allows"
            + " expansion; shrinking is refused.")
    private String size = "10Gi";

    @JsonPropertyDescription("StorageClass; the cluster default when absent. Fixed once a node's volume exists.")
    private String storageClassName;

    public String getSize() {
      return size;
    }

    public void setSize(String size) {
      this.size = size;
    }

    public String getStorageClassName() {
      return storageClassName;
    }

    public void setStorageClassName(String storageClassName) {
      this.storageClassName = storageClassName;
    }
  }
}
