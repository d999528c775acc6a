package dev.miroir.router.http;

import dev.miroir.router.consistency.ConsistencyChecker;
import dev.miroir.router.consistency.ConsistencyMonitor;
import dev.miroir.router.consistency.ShardDigester;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;

/**
 * Anti-entropy over HTTP, master key only like every {@code /_miroir} route:
 * {@code GET /_miroir/indexes/{uid}/consistency} checks an index's replicas now, {@code POST} on the
 * same path repairs its divergent shards, {@code GET /_miroir/consistency} is the last periodic check
 * and {@code POST /_miroir/consistency} runs one now.
 */
public final class ConsistencyRoutes implements RouteModule {

  private final MeterRegistry meters;
  private final Duration interval;
  private ConsistencyMonitor monitor;

  /**
   * @param interval how often to check every index, or null for never (then
   *     {@code GET /_miroir/consistency} says so)
   */
  public ConsistencyRoutes(MeterRegistry meters, Duration interval) {
    this.meters = meters;
    this.interval = interval;
  }

  @Override
  public void mount(Endpoints e, Fleet fleet) {
    // Tuning knobs; the defaults are the measured ones (docs/design/anti-entropy.md).
    ConsistencyChecker checker = ConsistencyChecker.forFleet(fleet,
        ConsistencyMonitor.intSetting(System.getenv(), "MIROIR_CONSISTENCY_PAGE_SIZE", ShardDigester.DEFAULT_PAGE_SIZE),
        ConsistencyMonitor.intSetting(System.getenv(), "MIROIR_CONSISTENCY_PARALLEL_SHARDS",
            ConsistencyChecker.DEFAULT_PARALLEL_SHARDS));
    monitor = new ConsistencyMonitor(fleet, checker, meters, interval);
    e.on(HttpMethod.GET, "/_miroir/indexes/:uid/consistency", "miroir.consistency.verify", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return checker.verify(ctx.pathParam("uid")).map(result -> {
        monitor.record(result);
        return Reply.json(200, result.toJson());
      });
    });
    // Served by the write sequencer (forwarded there from other routers): the fence lives there.
    e.on(HttpMethod.POST, "/_miroir/indexes/:uid/consistency", "miroir.consistency.repair", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return fleet.sequenced(c -> {
        String uid = c.pathParam("uid");
        return checker.repair(uid).compose(report -> checker.verify(uid).map(after -> {
          monitor.record(after);
          var out = report.toJson();
          out.set("after", after.summaryJson());
          return Reply.json(200, out);
        }));
      }).apply(ctx);
    });
    e.on(HttpMethod.GET, "/_miroir/consistency", "miroir.consistency", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return Future.succeededFuture(Reply.json(200, monitor.report()));
    });
    // A full check now, as the periodic one would run (and with its effects: gauge, needsRepair flags).
    e.on(HttpMethod.POST, "/_miroir/consistency", "miroir.consistency.run", ctx -> {
      Endpoints.requireMasterKey(ctx, fleet);
      return monitor.runOnce().map(run -> Reply.json(200, monitor.report()));
    });
    monitor.start();
  }

  /** Stops the periodic check (the router's Vert.x closing cancels its timer anyway). */
  public void stop() {
    if (monitor != null) {
      monitor.stop();
    }
  }
}
