package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunnerTest {
  private static final Metric WALL = new Metric("x.wall", "x, wall", Metric.Unit.SECONDS);

  /** Fails the first run on each system in {@code failing}, records 1.0 otherwise. */
  private static final class Flaky implements Scenario {
    private final Set<String> failing;
    private final Map<String, Integer> calls = new HashMap<>();
    private final List<String> steps = new java.util.ArrayList<>();

    Flaky(Set<String> failing) {
      this.failing = failing;
    }

    @Override
    public String title() {
      return "x, wall";
    }

    @Override
    public List<String> systems() {
      return List.of(Lab.BERTH, Lab.PROXY);
    }

    @Override
    public void check(String system) {
      steps.add("check " + system);
    }

    @Override
    public void prepare(String system) {
      steps.add("prepare " + system);
    }

    @Override
    public void run(String system, Results results) {
      steps.add("run " + system);
      if (calls.merge(system, 1, Integer::sum) == 1 && failing.contains(system)) {
        throw new BenchException("status 500");
      }
      results.add(WALL, system, 1.0);
    }
  }

  private static Progress quiet() {
    return new Progress(new PrintStream(new ByteArrayOutputStream()));
  }

  @Test
  void aPeersFailedRunIsRepeatedAndReported() {
    Results results = new Results();

    new Runner(3, quiet()).runAll(List.of(new Flaky(Set.of(Lab.PROXY))), results);

    assertThat(results.all().get(WALL).get(Lab.PROXY)).hasSize(3);
    assertThat(results.all().get(WALL).get(Lab.BERTH)).hasSize(3);
    assertThat(results.repeated()).containsExactly("x, wall on " + Lab.PROXY + ": status 500");
  }

  @Test
  void anErrorOfBerthsEndsTheBenchmark() {
    Results results = new Results();

    assertThatThrownBy(
            () -> new Runner(3, quiet()).runAll(List.of(new Flaky(Set.of(Lab.BERTH))), results))
        .isInstanceOf(BenchException.class)
        .hasMessage("status 500");
    assertThat(results.repeated()).isEmpty();
  }

  @Test
  void eachMeasuredRunIsPreparedAndTheSystemsAlternate() {
    Flaky s = new Flaky(Set.of());

    new Runner(2, quiet()).runAll(List.of(s), new Results());

    assertThat(s.steps)
        .containsExactly(
            "check " + Lab.BERTH,
            "check " + Lab.PROXY,
            "prepare " + Lab.BERTH,
            "run " + Lab.BERTH,
            "prepare " + Lab.PROXY,
            "run " + Lab.PROXY,
            "prepare " + Lab.BERTH,
            "run " + Lab.BERTH,
            "prepare " + Lab.PROXY,
            "run " + Lab.PROXY);
  }
}
