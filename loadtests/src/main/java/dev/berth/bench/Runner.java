package dev.berth.bench;

import java.util.List;

/** Runs scenarios with the systems in alternation, so that drift on the machine hits each alike. */
final class Runner {
  private static final int PEER_ATTEMPTS = 5;

  private final int runs;
  private final Progress progress;

  Runner(int runs, Progress progress) {
    this.runs = runs;
    this.progress = progress;
  }

  /** Runs {@code scenarios} in order, recording into {@code results} as it goes. */
  void runAll(List<Scenario> scenarios, Results results) {
    int n = 0;
    for (Scenario s : scenarios) {
      progress.step("(" + ++n + "/" + scenarios.size() + ") " + s.title());
      for (String system : s.systems()) {
        progress.run("check on " + system);
        attempt(s, system, results, () -> s.check(system));
      }
      for (int run = 1; run <= runs; run++) {
        for (String system : s.systems()) {
          progress.run("run " + run + "/" + runs + " on " + system);
          attempt(
              s,
              system,
              results,
              () -> {
                s.prepare(system);
                s.run(system, results);
              });
        }
      }
    }
  }

  /**
   * Runs {@code step}. Any error of Berth's ends the benchmark; a peer's error is the peer's own
   * (Distribution's proxy answers {@code 500} now and then to concurrent requests for a blob it is
   * storing), so its step is repeated, at most four times, and the report lists it.
   */
  private void attempt(Scenario s, String system, Results results, Runnable step) {
    for (int attempt = 1; ; attempt++) {
      try {
        step.run();
        return;
      } catch (BenchException e) {
        if (Lab.isBerth(system) || attempt == PEER_ATTEMPTS) {
          throw e;
        }
        results.repeated(s.title(), system, e.getMessage());
        progress.step("repeating on " + system + " after: " + e.getMessage());
      }
    }
  }
}
