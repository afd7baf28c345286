package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpStatus;
import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Http;
import dev.berth.testing.Ports;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import dev.berth.testing.TokenServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy files checked by the tools that run them: systemd accepts the unit, promtool the
 * rules, and a real Prometheus scraping a running Berth finds every metric the alert rules and the
 * Grafana dashboard use, and evaluates every rule without error.
 */
class DeployIT {
  private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern METRIC = Pattern.compile("\\bberth_[a-z0-9_]+");

  @Test
  void systemdAcceptsTheUnit() {
    Cmd.Result r =
        Cmd.run(
            List.of(
                "systemd-analyze", "verify", DEPLOY.resolve("systemd/berth.service").toString()));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.err()).doesNotContain("Unknown").doesNotContain("berth.service:");
  }

  @Test
  void promtoolAcceptsTheRulesAndTheScrapeConfig() {
    Cmd.Result rules =
        Cmd.run(
                List.of(
                    "promtool",
                    "check",
                    "rules",
                    DEPLOY.resolve("prometheus/berth.rules.yml").toString()))
            .ok();
    assertThat(rules.out() + rules.err()).contains("SUCCESS: 7 rules found");
    Cmd.run(
            List.of(
                "promtool",
                "check",
                "config",
                DEPLOY.resolve("prometheus/prometheus.yml").toString()))
        .ok();
  }

  @Test
  void aRealPrometheusFindsEveryMetricTheRulesAndTheDashboardUse(@TempDir Path dir)
      throws Exception {
    Set<String> used = new TreeSet<>();
    for (String f : List.of("prometheus/berth.rules.yml", "grafana/berth.json")) {
      Matcher m = METRIC.matcher(Files.readString(DEPLOY.resolve(f)));
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertThat(used).hasSizeGreaterThan(12);

    try (TokenServer tokens = new TokenServer(dir, 60);
        Registry upstream = Registry.startWithTokenAuth(tokens);
        Relay relay = new Relay(upstream.url());
        Berth berth =
            Berth.start(
                dir.resolve("data"),
                """
                storage: {diskBudget: 1GiB}
                upstreams:
                  - name: docker.io
                    endpoints: ["%s"]
                    push: true
                    forwarding: async
                """
                    .formatted(relay.url()))) {
      RegistryClient pusher =
          upstream.client().withBearer(tokens.tokenFor("repository:library/seen:pull,push"));
      TestImages.Index index = TestImages.pushMultiArch(pusher, "library/seen", "1");
      // A miss, then a hit, through Berth; each upstream request timed, tokens minted.
      RegistryClient client = berth.client();
      String layer = index.images().get(0).layers().get(0);
      assertThat(client.get("/v2/library/seen/blobs/" + layer).statusCode()).isEqualTo(200);
      assertThat(client.get("/v2/library/seen/blobs/" + layer).statusCode()).isEqualTo(200);
      // A push forwarded once the upstream stops failing: a failure, then bytes forwarded.
      relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
      TestImages.pushImage(client, "library/pushed", "linux/amd64", "pushed through Berth");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> metrics(berth).contains("berth_forward_failures_total{"));
      relay.reset();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> metrics(berth).matches("(?s).*berth_forward_bytes_total\\{[^}]*} [1-9].*"));

      Path config = dir.resolve("prometheus.yml");
      Files.writeString(
          config,
          """
          global: {scrape_interval: 1s, evaluation_interval: 1s}
          rule_files: ["%s"]
          scrape_configs:
            - job_name: berth
              metrics_path: /metrics
              static_configs: [{targets: ["%s"]}]
          """
              .formatted(DEPLOY.resolve("prometheus/berth.rules.yml"), berth.address()));
      int port = Ports.free();
      Process prometheus =
          new ProcessBuilder(
                  "prometheus",
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + port)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      try {
        String api = "http://127.0.0.1:" + port + "/api/v1/";
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> query(api, "up{job=\"berth\"}").contains("\"1\""));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> names(api).contains("berth_forward_failures_total"));
        Set<String> scraped = names(api);
        List<String> missing = new ArrayList<>(used);
        missing.removeAll(scraped);
        assertThat(missing).as("metrics used but not scraped; scraped: %s", scraped).isEmpty();

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  JsonNode groups = get(api + "rules").path("data").path("groups");
                  List<String> health = new ArrayList<>();
                  groups.forEach(
                      g ->
                          g.path("rules")
                              .forEach(
                                  r ->
                                      health.add(
                                          r.path("name").asText()
                                              + " "
                                              + r.path("health").asText()
                                              + " "
                                              + r.path("lastError").asText())));
                  assertThat(health).hasSize(7).allMatch(h -> h.contains(" ok "));
                });
      } finally {
        prometheus.destroy();
        prometheus.waitFor();
      }
    }
  }

  private static String metrics(Berth berth) {
    return Http.send("GET", "http://" + berth.address() + "/metrics", null, Map.of()).body();
  }

  private static String query(String api, String q) throws Exception {
    return get(api + "query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)).toString();
  }

  private static Set<String> names(String api) throws Exception {
    Set<String> out = new TreeSet<>();
    get(api + "label/__name__/values").path("data").forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode get(String url) throws Exception {
    return JSON.readTree(Http.send("GET", url, null, Map.of()).body());
  }
}
