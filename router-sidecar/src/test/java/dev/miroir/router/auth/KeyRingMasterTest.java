package dev.miroir.router.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The master-key decision of {@link KeyRing}: the common tokens never reach the hashed node verdicts. */
class KeyRingMasterTest {

  @Test
  void aListedKeyOrTheRoutersKeyIsDecidedWithoutTheNodesVerdicts() {
    AtomicInteger asked = new AtomicInteger();
    assertFalse(KeyRing.isMaster(true, false, true, () -> asked.incrementAndGet() > 0));
    assertFalse(KeyRing.isMaster(true, true, true, () -> asked.incrementAndGet() > 0));
    assertTrue(KeyRing.isMaster(false, true, true, () -> asked.incrementAndGet() < 0));
    assertEquals(0, asked.get());
  }

  @Test
  void anyOtherTokenIsTheMasterKeyOnlyWhenANodeSaidSo() {
    AtomicInteger asked = new AtomicInteger();
    assertTrue(KeyRing.isMaster(false, false, true, () -> asked.incrementAndGet() > 0));
    assertFalse(KeyRing.isMaster(false, false, true, () -> asked.incrementAndGet() < 0));
    // The router's key before the key list is loaded: it could be a listed key, so no shortcut.
    assertFalse(KeyRing.isMaster(false, true, false, () -> asked.incrementAndGet() < 0));
    assertTrue(KeyRing.isMaster(false, true, false, () -> asked.incrementAndGet() > 0));
    assertEquals(4, asked.get());
  }
}
