package dev.miroir.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The router's Vert.x runs on Netty's epoll transport where the router ships it (Linux x86-64). */
class NativeTransportTest {

  @Test
  void theRouterUsesEpollOnLinuxX86() {
    assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64"), "the epoll jar is for Linux x86-64");
    Vertx vertx = RouterServer.newVertx();
    try {
      assertThat(vertx.isNativeTransportEnabled())
          .as("epoll failed to load: %s", vertx.unavailableNativeTransportCause()).isTrue();
    } finally {
      vertx.close().await();
    }
  }
}
