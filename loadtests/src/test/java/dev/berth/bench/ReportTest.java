package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final Metric WALL = new Metric("x.wall", "x, wall", Metric.Unit.SECONDS);
  private static final Metric RSS = new Metric("x.rss", "x, peak RSS", Metric.Unit.MIB);
  private static final Map<String, String> MACHINE = Map.of();

  private static Report report(Results results) {
    return new Report(results, Plan.smoke(), MACHINE, List.of());
  }

  private static void add(Results r, Metric m, String system, double... values) {
    for (double v : values) {
      r.add(m, system, v);
    }
  }

  @Test
  void runsAgreeWhenEachMedianLiesInsideTheOthersRange() {
    assertThat(Stats.agree(List.of(1.0, 2.0, 3.0), List.of(1.5, 2.5, 3.5))).isTrue();
    assertThat(Stats.agree(List.of(1.0, 2.0, 3.0), List.of(2.5, 4.0, 9.0)))
        .as("one median outside the other's range")
        .isFalse();
    assertThat(Stats.agree(List.of(270.0, 273.0), List.of(243.0, 247.0)))
        .as("two tight ranges apart")
        .isFalse();
  }

  @Test
  void withABaselineEachRowSaysWhetherBerthAgreesAndTheSummaryCountsThem() {
    Results r = new Results();
    add(r, WALL, Lab.BERTH, 1.0, 1.1, 1.2);
    add(r, WALL, Lab.BASELINE, 1.05, 1.15, 1.3);
    add(r, WALL, Lab.PROXY, 2.0, 2.0, 2.0);
    add(r, RSS, Lab.BERTH, 240, 243, 247);
    add(r, RSS, Lab.BASELINE, 270, 273, 275);

    Report report = report(r);
    String md = report.markdown();

    assertThat(md).contains("| Berth | Berth baseline | nginx |").contains("agrees with baseline");
    assertThat(md).containsPattern("\\| x, wall \\|.*\\| yes \\|\\n");
    assertThat(md).containsPattern("\\| x, peak RSS \\|.*\\| \\*\\*no\\*\\* \\|\\n");
    assertThat(md).contains("on 1 of 2 rows.");
    assertThat(report.disagreements()).containsExactly("x.rss");
    assertThat(report.json()).contains("\"agreesWithBaseline\" : false");
  }

  @Test
  void withoutABaselineTheTableHasNoBaselineColumns() {
    Results r = new Results();
    add(r, WALL, Lab.BERTH, 1.0);
    add(r, WALL, Lab.PROXY, 2.0);

    Report report = report(r);

    assertThat(report.markdown()).doesNotContain("baseline");
    assertThat(report.disagreements()).isEmpty();
    assertThat(report.json()).doesNotContain("agreesWithBaseline");
  }
}
