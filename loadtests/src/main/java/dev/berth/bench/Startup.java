package dev.berth.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * A new process with an empty data directory, from its start to its readiness endpoint answering
 * 200 ({@code /readyz} for Berth, {@code /v2/} for Distribution), polled every 5 ms.
 */
final class Startup implements Scenario {
  private final Lab lab;
  private final Metric ready =
      new Metric("startup.ready", "start-up to ready, empty data directory", Metric.Unit.SECONDS);
  private int started;

  Startup(Lab lab) {
    this.lab = lab;
  }

  @Override
  public String title() {
    return ready.title();
  }

  @Override
  public List<String> systems() {
    return lab.measured(List.of(Lab.BERTH, Lab.DISTRIBUTION));
  }

  @Override
  public void check(String system) {
    start(system).close();
  }

  @Override
  public void run(String system, Results results) {
    long begin = System.nanoTime();
    Server s = start(system);
    results.add(ready, system, (System.nanoTime() - begin) / 1e9);
    s.close();
  }

  private Server start(String system) {
    Path dir = lab.work.resolve("startup").resolve(system + "-" + ++started);
    return Lab.isBerth(system)
        ? BerthServer.start(
            system + " (start-up)",
            lab.launcher(system),
            dir,
            lab.upstream.url(),
            java.util.Optional.empty())
        : Distribution.upstream("distribution (start-up)", dir);
  }
}
