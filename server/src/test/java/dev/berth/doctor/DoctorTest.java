package dev.berth.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.clients.ClientConfigs;
import dev.berth.prefetch.ImageRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The doctor's file checks on a corpus of Dockerfiles. Each file says the platforms it is built for
 * ({@code # platforms: ...}) and every finding expected ({@code # expect: LINE SEVERITY TEXT}), and
 * gets exactly those.
 */
class DoctorTest {
  private static String corpus(String name) throws IOException {
    try (InputStream in = DoctorTest.class.getResourceAsStream("/doctor/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private record Expected(int line, Finding.Severity severity, String text) {}

  @ParameterizedTest
  @ValueSource(
      strings = {
        "go-cache-no-id.Dockerfile",
        "go-cache-no-platform-given.Dockerfile",
        "single-platform.Dockerfile",
        "apt-and-shared.Dockerfile",
        "unset-variable.Dockerfile",
        "clean.Dockerfile"
      })
  void eachExpectedFindingAndNoOther(String name) throws IOException {
    String text = corpus(name);
    List<String> platforms = List.of();
    List<Expected> expected = new ArrayList<>();
    for (String line : text.lines().toList()) {
      if (line.startsWith("# platforms:")) {
        String p = line.substring("# platforms:".length()).trim();
        platforms = p.isEmpty() ? List.of() : List.of(p.split(","));
      } else if (line.startsWith("# expect: ")) {
        String[] parts = line.substring("# expect: ".length()).split(" ", 3);
        expected.add(
            new Expected(
                Integer.parseInt(parts[0]),
                Finding.Severity.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT)),
                parts[2]));
      }
    }
    List<Finding> found = Doctor.dockerfile(name, text, Map.of(), platforms).findings();
    assertThat(found.stream().map(f -> f.line() + " " + f.severity()))
        .as("findings of %s: %s", name, found)
        .containsExactlyInAnyOrderElementsOf(
            expected.stream().map(e -> e.line() + " " + e.severity()).toList());
    for (Expected e : expected) {
      Finding f =
          found.stream()
              .filter(x -> x.line() == e.line() && x.severity() == e.severity())
              .findFirst()
              .orElseThrow();
      assertThat(f.file()).isEqualTo(name);
      assertThat(f.message() + " fix: " + f.fix()).contains(e.text());
    }
  }

  @Test
  void baseImagesWithoutAMirrorToBerthAndPlainHttpBerthWithoutHttpAreFound() throws IOException {
    String dockerfile =
        "FROM golang:1.22 AS build\nFROM ghcr.io/org/tool:1 AS tool\nFROM quay.io/org/base:2\n";
    List<ImageRequest> images =
        Doctor.dockerfile("Dockerfile", dockerfile, Map.of(), List.of()).images();
    String toml =
        """
        debug = true

        [registry."docker.io"]
          mirrors = ["localhost:5000"]

        [registry."quay.io"]
          mirrors = ["quay-mirror.corp"]
        """;
    List<Finding> found = Doctor.mirrors(images, "buildkitd.toml", toml, "127.0.0.1:5000", true);
    assertThat(found.stream().map(f -> f.severity() + " " + f.where()))
        .containsExactly("error Dockerfile:2", "warning buildkitd.toml:6", "error buildkitd.toml");
    assertThat(found.get(0).message())
        .contains("comes from ghcr.io, which has no mirror in buildkitd.toml");
    assertThat(found.get(0).fix())
        .isEqualTo("add to buildkitd.toml: [registry.\"ghcr.io\"] mirrors = [\"127.0.0.1:5000\"]");
    assertThat(found.get(1).message()).contains("quay-mirror.corp, not to Berth");
    assertThat(found.get(2).message()).contains("serves plain HTTP");

    String localhost =
        "[registry.\"docker.io\"]\n  mirrors = [\"localhost:5000\"]\n"
            + "[registry.\"ghcr.io\"]\n  mirrors = [\"localhost:5000\"]\n"
            + "[registry.\"quay.io\"]\n  mirrors = [\"localhost:5000\"]\n"
            + "[registry.\"localhost:5000\"]\n  http = true\n";
    assertThat(Doctor.mirrors(images, "b.toml", localhost, "127.0.0.1:5000", true))
        .as("localhost and 127.0.0.1 name the same Berth")
        .isEmpty();

    assertThat(Doctor.mirrors(images, "b.toml", "[registry\n", "127.0.0.1:5000", true))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).startsWith("not valid TOML"));
  }

  @Test
  void theGeneratedBuildkitConfigPassesTheDoctor() throws IOException {
    List<ImageRequest> images =
        Doctor.dockerfile("clean.Dockerfile", corpus("clean.Dockerfile"), Map.of(), List.of())
            .images();
    List<ClientConfigs.Upstream> upstreams =
        Stream.of("docker.io", "ghcr.io")
            .map(h -> new ClientConfigs.Upstream(h, URI.create("https://" + h)))
            .toList();
    String toml =
        new ClientConfigs(URI.create("http://127.0.0.1:5000"), upstreams, List.of(), null)
            .buildkit();
    assertThat(Doctor.mirrors(images, "buildkitd.toml", toml, "127.0.0.1:5000", true)).isEmpty();
  }
}
