package dev.miroir.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miroir.core.topology.TopologyDocument;
import dev.miroir.operator.model.DesiredNode;
import dev.miroir.operator.model.MeilisearchUpgrade;
import dev.miroir.operator.model.PlacementDecision;
import dev.miroir.operator.model.RollingRestart;
import dev.miroir.operator.model.RollingRestart.NodePod;
import dev.miroir.operator.model.TopologyPlanner;
import dev.miroir.operator.model.VolumeResize;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure rules behind rolling restarts, Meilisearch version changes and volume resizes. */
class DayTwoRulesTest {

  private static TopologyDocument topology(int nodes, int rf) {
    var change = PlacementDecision.change(null, DesiredNode.forCount("demo", nodes, List.of()), 16, rf);
    return TopologyPlanner.next("demo", null, change.wanted(), id -> "http://" + id);
  }

  @Test
  void restartsTheFirstOutdatedNodeWhenEveryShardKeepsAReadyCopy() {
    var d = RollingRestart.next(List.of(new NodePod("demo-0", true, true, true), new NodePod("demo-1", true, true, true),
        new NodePod("demo-2", true, true, false)), topology(3, 2), false);
    assertThat(d.restart()).isEqualTo("demo-0");
    assertThat(d.inProgress()).isTrue();
    assertThat(d.updated()).isEqualTo(1);
  }

  @Test
  void waitsWhileAnotherNodeIsNotReadyButRestartsAnOutdatedUnreadyOneFirst() {
    var waiting = RollingRestart.next(List.of(new NodePod("demo-0", true, true, true),
        new NodePod("demo-1", true, false, false), new NodePod("demo-2", true, true, true)), topology(3, 2), true);
    assertThat(waiting.restart()).isNull();
    assertThat(waiting.reason()).isEqualTo(RollingRestart.REASON_WAITING_FOR_READY);
    assertThat(waiting.message()).contains("demo-1");

    var broken = RollingRestart.next(List.of(new NodePod("demo-0", true, true, true),
        new NodePod("demo-1", true, false, true)), topology(2, 2), false);
    assertThat(broken.restart()).isEqualTo("demo-1");
    var missing = RollingRestart.next(List.of(new NodePod("demo-0", true, true, true),
        new NodePod("demo-1", false, false, false)), topology(2, 2), true);
    assertThat(missing.restart()).isNull();
  }

  @Test
  void withReplicationFactorOneARestartNeedsPermissionAndNamesTheShards() {
    List<NodePod> pods = List.of(new NodePod("demo-0", true, true, true), new NodePod("demo-1", true, true, true));
    var refused = RollingRestart.next(pods, topology(2, 1), false);
    assertThat(refused.restart()).isNull();
    assertThat(refused.reason()).isEqualTo(RollingRestart.REASON_AWAITING_PERMISSION);
    assertThat(refused.unreadableShards()).isNotEmpty();
    assertThat(refused.message()).contains("unreadable").contains("allowUnavailableShards");
    var permitted = RollingRestart.next(pods, topology(2, 1), true);
    assertThat(permitted.restart()).isEqualTo("demo-0");
    assertThat(permitted.unreadableShards()).isEqualTo(refused.unreadableShards());
  }

  @Test
  void nothingOutdatedIsUpToDate() {
    var d = RollingRestart.next(List.of(new NodePod("demo-0", true, true, false)), topology(1, 1), false);
    assertThat(d.inProgress()).isFalse();
    assertThat(d.reason()).isEqualTo(RollingRestart.REASON_UP_TO_DATE);
  }

  @Test
  void versionsComeFromImageTags() {
    assertThat(MeilisearchUpgrade.version("getmeili/meilisearch:v1.21.0")).hasValue(new MeilisearchUpgrade.Version(1, 21, 0));
    assertThat(MeilisearchUpgrade.version("registry:5000/getmeili/meilisearch:v1.13")).hasValue(new MeilisearchUpgrade.Version(1, 13, 0));
    assertThat(MeilisearchUpgrade.version("getmeili/meilisearch:1.22.1@sha256:abc")).hasValue(new MeilisearchUpgrade.Version(1, 22, 1));
    assertThat(MeilisearchUpgrade.version("registry:5000/getmeili/meilisearch")).isEmpty();
    assertThat(MeilisearchUpgrade.version("getmeili/meilisearch:latest")).isEmpty();
  }

  @Test
  void upgradesFromOneTwelveOnAreAllowedDowngradesAndOlderUpgradesAreNot() {
    assertThat(MeilisearchUpgrade.check("getmeili/meilisearch:v1.21.0", "getmeili/meilisearch:v1.22.0").allowed()).isTrue();
    assertThat(MeilisearchUpgrade.check("getmeili/meilisearch:v1.12.3", "getmeili/meilisearch:v1.21.0").allowed()).isTrue();
    assertThat(MeilisearchUpgrade.check("getmeili/meilisearch:v1.21.0", "mirror/meilisearch:v1.21.0").allowed()).isTrue();
    assertThat(MeilisearchUpgrade.check(null, "getmeili/meilisearch:v1.21.0").allowed()).isTrue();
    var down = MeilisearchUpgrade.check("getmeili/meilisearch:v1.21.0", "getmeili/meilisearch:v1.20.3");
    assertThat(down.allowed()).isFalse();
    assertThat(down.reason()).isEqualTo(MeilisearchUpgrade.REASON_DOWNGRADE);
    var old = MeilisearchUpgrade.check("getmeili/meilisearch:v1.10.0", "getmeili/meilisearch:v1.21.0");
    assertThat(old.allowed()).isFalse();
    assertThat(old.reason()).isEqualTo(MeilisearchUpgrade.REASON_NEEDS_DUMP);
    assertThat(MeilisearchUpgrade.check("getmeili/meilisearch:v1.10.0", "getmeili/meilisearch:v1.10.2").allowed()).isTrue();
    assertThat(MeilisearchUpgrade.check("getmeili/meilisearch:v1.21.0", "getmeili/meilisearch:latest").allowed()).isTrue();
  }

  @Test
  void volumesGrowWhereTheClassAllowsAndNeverShrink() {
    assertThat(VolumeResize.decide("demo-0", "10Gi", "10240Mi", "std", false).action()).isEqualTo(VolumeResize.Action.NONE);
    assertThat(VolumeResize.decide("demo-0", "10Gi", "20Gi", "std", true).action()).isEqualTo(VolumeResize.Action.EXPAND);
    var fixed = VolumeResize.decide("demo-0", "10Gi", "20Gi", "std", false);
    assertThat(fixed.action()).isEqualTo(VolumeResize.Action.REFUSE);
    assertThat(fixed.reason()).isEqualTo(VolumeResize.REASON_UNSUPPORTED);
    assertThat(fixed.message()).contains("StorageClass std").contains("allowVolumeExpansion");
    var shrink = VolumeResize.decide("demo-0", "20Gi", "10Gi", "std", true);
    assertThat(shrink.action()).isEqualTo(VolumeResize.Action.REFUSE);
    assertThat(shrink.reason()).isEqualTo(VolumeResize.REASON_SHRINK);
  }
}
