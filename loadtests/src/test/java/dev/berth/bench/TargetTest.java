package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetTest {
  @Test
  void ratiosCompareMediansWithThePeers() {
    Target faster = new Target("m", Target.Kind.RATIO_AT_MOST, 1.05, Lab.NGINX);
    Map<String, List<Double>> runs =
        Map.of(Lab.BERTH, List.of(1.0, 1.04, 9.0), Lab.NGINX, List.of(1.0, 1.0, 1.0));
    assertThat(faster.isMet(runs)).isTrue();
    assertThat(faster.isMet(Map.of(Lab.BERTH, List.of(1.1), Lab.NGINX, List.of(1.0)))).isFalse();

    Target rate = new Target("m", Target.Kind.RATIO_AT_LEAST, 15, Lab.PROXY);
    assertThat(rate.isMet(Map.of(Lab.BERTH, List.of(15_000.0), Lab.PROXY, List.of(1_000.0))))
        .isTrue();
    assertThat(rate.isMet(Map.of(Lab.BERTH, List.of(14_000.0), Lab.PROXY, List.of(1_000.0))))
        .isFalse();
  }

  @Test
  void exactAndPeakTargetsHoldInEveryRun() {
    Target once = new Target("m", Target.Kind.EXACTLY, 1, null);
    assertThat(once.isMet(Map.of(Lab.BERTH, List.of(1.0, 1.0)))).isTrue();
    assertThat(once.isMet(Map.of(Lab.BERTH, List.of(1.0, 2.0, 1.0)))).isFalse();

    Target peak = new Target("m", Target.Kind.MAX_AT_MOST, 400, null);
    assertThat(peak.isMet(Map.of(Lab.BERTH, List.of(100.0, 390.0)))).isTrue();
    assertThat(peak.isMet(Map.of(Lab.BERTH, List.of(100.0, 401.0)))).isFalse();
    assertThat(peak.isMet(Map.of())).as("not measured").isFalse();
  }

  @Test
  void medianOfAnEvenNumberOfRunsIsTheMeanOfTheMiddleTwo() {
    assertThat(Stats.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
    assertThat(Stats.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Stats(2.0, 1.0, 3.0, 3));
  }
}
