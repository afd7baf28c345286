package dev.berth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.berth.cli.Main;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every file under {@code deploy/} parses, and agrees with Berth: the configurations load, ports,
 * data paths and probe URLs are Berth's, and every {@code berth} command line in them parses with
 * Berth's own command line.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ConfigLoader LOADER = new ConfigLoader(Map.<String, String>of()::get);

  private static JsonNode yaml(String file) throws IOException {
    return YAML.readTree(DEPLOY.resolve(file).toFile());
  }

  private static BerthConfig config(String name, String text) {
    return LOADER.parse(name, new StringReader(text));
  }

  /** Parses {@code args} as {@code berth ARGS}; throws when a command or option is unknown. */
  private static void parses(List<String> args) {
    try {
      new CommandLine(new Main())
          .setCaseInsensitiveEnumValuesAllowed(true)
          .parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError("berth " + String.join(" ", args) + ": " + e.getMessage(), e);
    }
  }

  @Test
  void everyYamlAndJsonFileParses() throws IOException {
    List<Path> files;
    try (Stream<Path> all = Files.walk(DEPLOY)) {
      files = all.filter(Files::isRegularFile).toList();
    }
    int checked = 0;
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        assertThat(YAML.readTree(f.toFile())).as(f.toString()).isNotNull();
        checked++;
      } else if (name.endsWith(".json")) {
        assertThat(new ObjectMapper().readTree(f.toFile())).as(f.toString()).isNotNull();
        checked++;
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(15);
  }

  @Test
  void everyBerthConfigurationLoadsAndListensWhereTheFilesAroundItSay() throws IOException {
    for (String f :
        List.of(
            "docker/berth.yaml",
            "systemd/berth.yaml",
            "compose/berth.yaml",
            "cloudbuild/berth.yaml")) {
      BerthConfig cfg = config(f, Files.readString(DEPLOY.resolve(f)));
      assertThat(cfg.listen().host()).as(f).isEqualTo("0.0.0.0");
      assertThat(cfg.listen().port()).as(f).isEqualTo(5000);
    }
    assertThat(config("d", Files.readString(DEPLOY.resolve("docker/berth.yaml"))).dataDir())
        .isEqualTo(Path.of("/data"));
    assertThat(config("s", Files.readString(DEPLOY.resolve("systemd/berth.yaml"))).dataDir())
        .isEqualTo(Path.of("/var/lib/berth"));
    BerthConfig cloud = config("c", Files.readString(DEPLOY.resolve("cloudbuild/berth.yaml")));
    assertThat(cloud.upstreamFor("us-central1-docker.pkg.dev").orElseThrow().push()).isTrue();
  }

  @Test
  void theImageListensWhereItsHealthCheckAndVolumeSay() throws IOException {
    String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
    assertThat(dockerfile)
        .contains("EXPOSE 5000")
        .contains("VOLUME /data")
        .contains("ENV BERTH_HEALTH_PORT=5000")
        .contains("/dev/tcp/127.0.0.1/$BERTH_HEALTH_PORT")
        .contains("GET /readyz")
        .contains("USER 10001")
        .contains("COPY deploy/docker/berth.yaml /etc/berth/berth.yaml");
    Matcher cmd = Pattern.compile("(?m)^CMD \\[(.*)]$").matcher(dockerfile);
    assertThat(cmd.find()).isTrue();
    parses(jsonStrings(cmd.group(1)));
    for (Matcher copy = Pattern.compile("(?m)^COPY (\\S+) ").matcher(dockerfile); copy.find(); ) {
      if (!copy.group(1).startsWith("--")) {
        assertThat(Path.of("..").resolve(copy.group(1))).as("COPY source").exists();
      }
    }
  }

  @Test
  void kubernetesProbesPortsAndMountsAreBerths() throws IOException {
    JsonNode kustomization = yaml("kubernetes/kustomization.yaml");
    List<String> resources = new ArrayList<>();
    kustomization.path("resources").forEach(r -> resources.add(r.asText()));
    for (String r : resources) {
      assertThat(DEPLOY.resolve("kubernetes").resolve(r)).exists();
    }
    assertThat(resources).hasSize(4);

    BerthConfig cfg =
        config(
            "configmap berth.yaml",
            yaml("kubernetes/configmap.yaml").path("data").path("berth.yaml").asText());
    JsonNode pod = yaml("kubernetes/statefulset.yaml").path("spec").path("template").path("spec");
    JsonNode c = pod.path("containers").get(0);
    assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(cfg.listen().port());
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    List<String> mounts = new ArrayList<>();
    c.path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText()));
    assertThat(mounts).contains(cfg.dataDir().toString(), "/etc/berth/berth.yaml");
    List<String> args = new ArrayList<>();
    c.path("args").forEach(a -> args.add(a.asText()));
    parses(args);
    assertThat(pod.path("terminationGracePeriodSeconds").asLong())
        .as("the grace period outlasts Berth's drain")
        .isGreaterThan(cfg.shutdownGrace().toSeconds());
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(10001);

    JsonNode service = yaml("kubernetes/service.yaml").path("spec").path("ports").get(0);
    assertThat(service.path("port").asInt()).isEqualTo(cfg.listen().port());
    assertThat(service.path("targetPort").asText())
        .isEqualTo(c.path("ports").get(0).path("name").asText());
    assertThat(yaml("kubernetes/poddisruptionbudget.yaml").path("kind").asText())
        .isEqualTo("PodDisruptionBudget");
  }

  @Test
  void composeAndPrometheusScrapeBerthsPortAndPath() throws IOException {
    JsonNode compose = yaml("compose/compose.yaml").path("services");
    JsonNode berth = compose.path("berth");
    assertThat(berth.path("build").path("dockerfile").asText())
        .isEqualTo("deploy/docker/Dockerfile");
    assertThat(berth.path("ports").get(0).asText()).endsWith(":5000:5000");
    List<String> command = new ArrayList<>();
    berth.path("command").forEach(a -> command.add(a.asText()));
    parses(command);
    List<String> volumes = new ArrayList<>();
    berth.path("volumes").forEach(v -> volumes.add(v.asText()));
    assertThat(volumes).contains("berth-data:/data", "./berth.yaml:/etc/berth/berth.yaml:ro");
    compose
        .path("prometheus")
        .path("volumes")
        .forEach(
            v -> {
              String source = v.asText().split(":")[0];
              if (source.startsWith(".")) {
                assertThat(DEPLOY.resolve("compose").resolve(source)).as(v.asText()).exists();
              }
            });
    for (String f : List.of("compose/prometheus.yml", "prometheus/prometheus.yml")) {
      JsonNode job = yaml(f).path("scrape_configs").get(0);
      assertThat(job.path("metrics_path").asText()).as(f).isEqualTo("/metrics");
      assertThat(job.path("static_configs").get(0).path("targets").get(0).asText())
          .as(f)
          .endsWith(":5000");
    }
  }

  @Test
  void theSystemdUnitRunsABerthCommandThatParses() throws IOException {
    String unit = Files.readString(DEPLOY.resolve("systemd/berth.service"));
    Matcher exec = Pattern.compile("(?m)^ExecStart=.* -jar \\S+ (.*)$").matcher(unit);
    assertThat(exec.find()).isTrue();
    parses(List.of(exec.group(1).split("\\s+")));
    assertThat(unit)
        .contains("StateDirectory=berth")
        .contains("--config /etc/berth/berth.yaml")
        .contains("ProtectSystem=strict")
        .contains("NoNewPrivileges=yes")
        .contains("RestartPreventExitStatus=2");
  }

  @Test
  void cloudBuildStepsRunBerthCommandsThatParseAndEndWithAwait() throws IOException {
    JsonNode build = yaml("cloudbuild/cloudbuild.yaml");
    String berthImage = build.path("substitutions").path("_BERTH_IMAGE").asText();
    assertThat(berthImage).endsWith("/berth:latest");
    JsonNode steps = build.path("steps");
    List<List<String>> commands = new ArrayList<>();
    for (JsonNode step : steps) {
      List<String> args = new ArrayList<>();
      step.path("args").forEach(a -> args.add(a.asText()));
      if (step.path("name").asText().equals("${_BERTH_IMAGE}")) {
        commands.add(args);
      }
      String script = String.join(" ", args);
      // "${_BERTH_IMAGE}" followed by a berth command line, up to a shell operator or line end.
      Matcher m =
          Pattern.compile("\"\\$\\{_BERTH_IMAGE}\"\\s*\\\\?\\s*([^&>|\\n]*)").matcher(script);
      while (m.find()) {
        List<String> words = new ArrayList<>();
        for (String w : m.group(1).trim().split("[\\s\\\\]+")) {
          if (!w.isEmpty()) {
            words.add(w);
          }
        }
        commands.add(words);
      }
      Matcher cp = Pattern.compile("docker cp (\\S+) berth:(\\S+)").matcher(script);
      while (cp.find()) {
        assertThat(Path.of("..").resolve(cp.group(1))).exists();
        assertThat(cp.group(2)).isEqualTo("/etc/berth/berth.yaml");
      }
    }
    assertThat(commands.stream().map(c -> c.get(0)))
        .containsExactly("serve", "client-config", "await");
    commands.forEach(DeployFilesTest::parses);
    JsonNode last = steps.get(steps.size() - 1);
    assertThat(last.path("name").asText()).isEqualTo("${_BERTH_IMAGE}");
    assertThat(last.path("args").toString()).contains("\"await\"").contains("\"--all\"");
    assertThat(steps.toString()).contains("network=host").contains("mode=max");
    assertThat(steps.get(0).toString()).contains("--network cloudbuild").contains("-p 5000:5000");
  }

  private static List<String> jsonStrings(String inner) throws IOException {
    List<String> out = new ArrayList<>();
    new ObjectMapper().readTree("[" + inner + "]").forEach(n -> out.add(n.asText()));
    return out;
  }
}
