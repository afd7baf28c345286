package dev.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's smoke plan, run as the published one is (every scenario, every system, small
 * blobs) with the same build as its baseline: it must finish with every answer checked (digests,
 * sizes, statuses), stop every process it started, and Berth's upstream must have sent each cold
 * blob exactly once, however many clients asked. Berth on the shared backends (PostgreSQL and
 * s3proxy) is measured on the warm, cold and push rows.
 */
class BenchSmokeIT {
  private static final List<String> METRICS =
      List.of(
          "warm-1.wall",
          "warm-1.cpu",
          "warm-1.rss",
          "warm-4.wall",
          "warm-4.cpu",
          "warm-4.rss",
          "warm-object-1.wall",
          "warm-object-1.cpu",
          "warm-object-1.rss",
          "cold-1.wall",
          "cold-1.upstream-bytes",
          "fanin-8.wall",
          "fanin-8.upstream-bytes",
          "fanin-8.upstream-requests",
          "fanin-16.wall",
          "fanin-16.upstream-bytes",
          "fanin-16.rss",
          "manifest-digest-get.rate",
          "manifest-digest-head.rate",
          "manifest-tag-get.rate",
          "manifest-tag-head.rate",
          "startup.ready",
          "push-sync.wall",
          "push-async.ack");

  @Test
  void smokePlanChecksEveryAnswerAndEachColdBlobLeavesTheUpstreamOnce(
      @TempDir Path out, @TempDir Path work) throws Exception {
    String launcher = System.getProperty("berth.launcher");
    assertThat(Path.of(launcher).resolveSibling("server/target/berth.jar"))
        .as("the packaged Berth (./mvnw verify builds it)")
        .isRegularFile();

    int exit =
        BenchCommand.run(
            "--smoke",
            "--out",
            out.toString(),
            "--work",
            work.toString(),
            "--berth",
            launcher,
            "--baseline",
            launcher,
            "--s3proxy",
            System.getProperty("berth.s3proxy.jar"));

    assertThat(exit).as("exit code").isZero();
    assertThat(
            ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                // PostgreSQL's cluster lives in a directory of its own, readable by its user.
                .filter(cmd -> cmd.contains(work.toString()) || cmd.contains("berth-bench-pg")))
        .as("processes the benchmark left running")
        .isEmpty();
    Map<String, JsonNode> metrics = metrics(out.resolve("results.json"));
    assertThat(metrics).containsKeys(METRICS.toArray(String[]::new));
    metrics.forEach(
        (id, m) ->
            m.path("systems")
                .forEach(
                    system ->
                        assertThat(system.path("runs"))
                            .as(id + " runs")
                            .hasSize(Plan.smoke().runs())));
    metrics.forEach(
        (id, m) ->
            assertThat(m.path("systems").has(Lab.BASELINE))
                .as(id + " measured on the baseline")
                .isEqualTo(m.path("systems").has(Lab.BERTH)));
    for (String id :
        List.of(
            "warm-1.wall",
            "warm-4.wall",
            "warm-object-1.wall",
            "cold-1.wall",
            "push-sync.wall",
            "push-async.ack")) {
      assertThat(metrics.get(id).path("systems").path(Lab.SHARED).path("runs"))
          .as(id + " on the shared backends")
          .hasSize(Plan.smoke().runs());
    }
    assertThat(metrics.get("cold-1.upstream-bytes").path("systems").path(Lab.SHARED).path("runs"))
        .as("cold-1 on the shared backends")
        .allSatisfy(v -> assertThat(v.asDouble()).isEqualTo(1.0));
    for (String id : List.of("cold-1", "fanin-8", "fanin-16")) {
      for (String berth : List.of(Lab.BERTH, Lab.BASELINE)) {
        assertThat(metrics.get(id + ".upstream-bytes").path("systems").path(berth).path("runs"))
            .as(id + " on " + berth)
            .allSatisfy(v -> assertThat(v.asDouble()).isEqualTo(1.0));
      }
    }
    // Each measured run of the RSS scenarios (2 warm, 3 cold) is on a Berth started for it.
    assertThat(work.resolve("berth/log." + 5 * Plan.smoke().runs())).isRegularFile();
    assertThat(work.resolve(Lab.BASELINE + "/log." + 5 * Plan.smoke().runs())).isRegularFile();
    assertThat(
            metrics
                .get("fanin-8.upstream-requests")
                .path("systems")
                .path(Lab.BERTH)
                .path("max")
                .asDouble())
        .as("upstream requests of Berth's 8-client fan-in")
        .isEqualTo(1.0);
    String markdown = Files.readString(out.resolve("results.md"));
    assertThat(markdown)
        .contains("| Berth baseline |")
        .contains("| Berth, shared backends |")
        .contains("Berth and the baseline agree");
    for (JsonNode m : metrics.values()) {
      assertThat(markdown).contains("| " + m.path("title").asText() + " |");
    }
  }

  private static Map<String, JsonNode> metrics(Path json) throws Exception {
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode m : new ObjectMapper().readTree(json.toFile()).path("metrics")) {
      byId.put(m.path("id").asText(), m);
    }
    return byId;
  }
}
