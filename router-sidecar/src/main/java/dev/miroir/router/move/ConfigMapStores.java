package dev.miroir.router.move;

import dev.miroir.core.move.JournalCodec;
import dev.miroir.core.move.RebalanceJournal;
import dev.miroir.core.topology.InvalidTopologyException;
import dev.miroir.core.topology.TopologyCodec;
import dev.miroir.core.topology.TopologyDocument;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes stores: the topology ConfigMap the operator created (the mover only updates it, with
 * the resourceVersion it read, so a concurrent writer makes the update fail instead of being lost) and
 * a journal ConfigMap beside it.
 */
public final class ConfigMapStores {

  private ConfigMapStores() {}

  public static final class Topology implements TopologyStore {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public Topology(KubernetesClient client, String namespace, String name) {
      this.client = client;
      this.namespace = namespace;
      this.name = name;
    }

    private ConfigMap get() {
      ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
      if (cm == null) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_MISSING,
            "topology ConfigMap " + namespace + "/" + name + " is missing");
      }
      return cm;
    }

    private static TopologyDocument decode(ConfigMap cm) {
      String text = cm.getData() == null ? null : cm.getData().get(TopologyCodec.DATA_KEY);
      if (text == null) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_UNREADABLE,
            "topology ConfigMap has no `" + TopologyCodec.DATA_KEY + "`");
      }
      try {
        return TopologyCodec.decode(text);
      } catch (InvalidTopologyException e) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_UNREADABLE,
            "topology ConfigMap is unreadable: " + e.getMessage(), e);
      }
    }

    @Override
    public TopologyDocument read() {
      return decode(get());
    }

    @Override
    public void write(TopologyDocument expected, TopologyDocument next) {
      ConfigMap cm = get();
      if (!decode(cm).equals(expected)) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_CHANGED,
            "topology ConfigMap changed under the mover");
      }
      ConfigMap updated = new ConfigMapBuilder(cm).withData(Map.of(TopologyCodec.DATA_KEY, TopologyCodec.encode(next)))
          .build();
      try {
        // The resourceVersion read above travels with the object: a concurrent update fails with 409.
        client.configMaps().inNamespace(namespace).resource(updated).update();
      } catch (KubernetesClientException e) {
        throw new MoveNotSafeException(MoveNotSafeException.TOPOLOGY_CHANGED,
            "topology ConfigMap update refused: " + e.getMessage(), e);
      }
    }
  }

  public static final class Journal implements JournalStore {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public Journal(KubernetesClient client, String namespace, String name) {
      this.client = client;
      this.namespace = namespace;
      this.name = name;
    }

    @Override
    public Optional<RebalanceJournal> load() {
      ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
      if (cm == null || cm.getData() == null || cm.getData().get(JournalCodec.DATA_KEY) == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(JournalCodec.decode(cm.getData().get(JournalCodec.DATA_KEY)));
      } catch (IllegalArgumentException e) {
        throw new MoveNotSafeException(MoveNotSafeException.JOURNAL_UNREADABLE, e.getMessage(), e);
      }
    }

    @Override
    public void save(RebalanceJournal journal) {
      put(name, journal);
    }

    @Override
    public void finish(RebalanceJournal journal) {
      put(name + "-last", journal);
      client.configMaps().inNamespace(namespace).withName(name).delete();
    }

    private void put(String cmName, RebalanceJournal journal) {
      ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(cmName).withNamespace(namespace)
          .addToLabels("app.kubernetes.io/managed-by", "miroir-operator").endMetadata()
          .withData(Map.of(JournalCodec.DATA_KEY, JournalCodec.encode(journal))).build();
      client.configMaps().inNamespace(namespace).resource(cm).createOr(existing -> existing.update());
    }
  }
}
