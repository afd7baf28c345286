package dev.berth.bench;

import java.util.List;

/** Runs scenarios with the systems in alternation, so that drift on the machine hits each alike. */
final class Runner {
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
        s.check(system);
      }
      for (int run = 1; run <= runs; run++) {
        for (String system : s.systems()) {
          progress.run("run " + run + "/" + runs + " on " + system);
          s.run(system, results);
        }
      }
    }
  }
}
