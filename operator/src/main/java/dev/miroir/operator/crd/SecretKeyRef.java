package dev.miroir.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the cluster's namespace. */
public class SecretKeyRef {

  @Required
  @JsonPropertyDescription("Secret name.")
  private String name;

  @Default("masterKey")
  @JsonPropertyDescription("Key inside the Secret.")
  private String key = "masterKey";

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
