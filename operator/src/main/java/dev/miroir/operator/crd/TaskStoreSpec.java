package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/**
 * An external Redis (or Valkey) for the routers' shared task store and replica log, named by a Secret
 * because its URL may carry a password. Without it the operator runs its own when there are several
 * routers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TaskStoreSpec {

  @Required
  @JsonPropertyDescription("Secret in the cluster's namespace holding the redis:// (or rediss://) URL.")
  private String secretName;

  @Default("url")
  @JsonPropertyDescription("Key of the URL inside the Secret.")
  private String key = "url";

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
