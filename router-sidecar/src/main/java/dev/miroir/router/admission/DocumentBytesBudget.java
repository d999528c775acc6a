package dev.miroir.router.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A cap on request-body bytes the router holds at once, across requests. A document body is held
 * once and again as each node's share (RF copies of it, see {@code write/DocumentBatch}), and a JSON
 * body the router reads is parsed into a tree, so the heap a body needs is a multiple of its size; bounding
 * the bytes admitted bounds the heap whatever clients send. A body is counted from admission (its
 * declared length, or the payload limit when chunked, since its length is unknown) until its answer
 * is sent. One body is always admitted when nothing else is in flight, so a cap below the payload
 * limit never refuses a lone upload.
 */
public final class DocumentBytesBudget {

  private final long capacity;
  private final AtomicLong inFlight = new AtomicLong();

  public DocumentBytesBudget(long capacity) {
    this.capacity = capacity;
  }

  public long capacity() {
    return capacity;
  }

  public long inFlight() {
    return inFlight.get();
  }

  /** Takes {@code bytes} if they fit; false (nothing taken) when they do not. */
  public boolean tryAcquire(long bytes) {
    while (true) {
      long current = inFlight.get();
      if (current > 0 && current + bytes > capacity) {
        return false;
      }
      if (inFlight.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    inFlight.addAndGet(-bytes);
  }
}
