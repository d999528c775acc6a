package dev.miroir.router.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeClientTest {

  @Test
  void nodeUrlsAreTakenApartOnceOrLeftWhole() {
    assertThat(NodeClient.Target.of("http://127.0.0.1:7700/"))
        .isEqualTo(new NodeClient.Target("127.0.0.1", 7700, false, ""));
    assertThat(NodeClient.Target.of("HTTPS://meili-0.meili.search.svc/base/"))
        .isEqualTo(new NodeClient.Target("meili-0.meili.search.svc", 443, true, "/base"));
    assertThat(NodeClient.Target.of("http://node-a")).isEqualTo(new NodeClient.Target("node-a", 80, false, ""));
    // Forms the client is given as absolute URLs, as before.
    for (String whole : new String[] {"http://[::1]:7700", "http://user:secret@node:7700", "http://node:7700/?x=1",
        "ftp://node", "not a url", "node:7700"}) {
      assertThat(NodeClient.Target.of(whole).host()).as(whole).isNull();
    }
  }
}
