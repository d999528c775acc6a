package dev.miroir.router.topology;

import dev.miroir.core.topology.InvalidTopologyException;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology from the ConfigMap the operator publishes, followed through an API watch (an
 * informer, which re-lists and re-watches after disconnects). A mounted ConfigMap volume would do
 * without API access, but kubelet refreshes it only about once a minute, far too slow for a
 * coordinator waiting for every router to switch epochs.
 */
public final class ConfigMapTopologySource implements TopologySource {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigMapTopologySource.class);

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final String namespace;
  private final String name;
  private SharedIndexInformer<ConfigMap> informer;

  public ConfigMapTopologySource(KubernetesClient client, String namespace, String name) {
    this(client, false, namespace, name);
  }

  private ConfigMapTopologySource(KubernetesClient client, boolean ownsClient, String namespace, String name) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.namespace = namespace;
    this.name = name;
  }

  /** With the pod's service account (or the local kubeconfig). */
  public static ConfigMapTopologySource inCluster(String namespace, String name) {
    return new ConfigMapTopologySource(new KubernetesClientBuilder().build(), true, namespace, name);
  }

  @Override
  public void start(Consumer<TopologyDocument> onDocument) {
    ConfigMap current = client.configMaps().inNamespace(namespace).withName(name).get();
    if (current == null) {
      throw new IllegalStateException("ConfigMap " + namespace + "/" + name + " does not exist");
    }
    onDocument.accept(decode(current));
    informer = client.configMaps().inNamespace(namespace).withName(name).inform(handler(onDocument));
  }

  /**
   * What the informer calls: every added or updated ConfigMap is decoded and delivered (the holder
   * keeps only higher epochs); an invalid one is logged and skipped; a deletion keeps the last epoch.
   * Package-private so that its logic is tested without an API server (Fabric8's mock server runs on
   * Vert.x 4, which cannot share this module's classpath with Vert.x 5).
   */
  ResourceEventHandler<ConfigMap> handler(Consumer<TopologyDocument> onDocument) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap cm) {
        deliver(cm, onDocument);
      }

      @Override
      public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
        deliver(newCm, onDocument);
      }

      @Override
      public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
        LOG.warn("topology ConfigMap {}/{} was deleted; still serving the last epoch", namespace, name);
      }
    };
  }

  private void deliver(ConfigMap cm, Consumer<TopologyDocument> onDocument) {
    try {
      onDocument.accept(decode(cm));
    } catch (InvalidTopologyException e) {
      LOG.error("topology ConfigMap {}/{} is invalid, still serving the previous epoch: {}", namespace, name,
          e.getMessage());
    }
  }

  /** The document under {@link TopologyCodec#DATA_KEY}, validated. */
  static TopologyDocument decode(ConfigMap cm) {
    String text = cm.getData() == null ? null : cm.getData().get(TopologyCodec.DATA_KEY);
    if (text == null) {
      throw new InvalidTopologyException(java.util.List.of("ConfigMap has no `" + TopologyCodec.DATA_KEY + "` key"));
    }
    return TopologyCodec.decode(text);
  }

  @Override
  public String describe() {
    return "configmap:" + namespace + "/" + name;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    if (ownsClient) {
      client.close();
    }
  }
}
