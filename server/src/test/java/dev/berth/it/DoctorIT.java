package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Cmd;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import dev.berth.testing.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth doctor} against a running Berth: base images it lacks per platform, a generated
 * buildkitd.toml that passes and a hand-written one that does not, an unreachable Berth, and an
 * upstream whose tokens live seconds; exit 0 without errors, 1 with one.
 */
class DoctorIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static TokenServer tokens;
  static Registry upstream;
  static Relay relay;
  static Path config;
  static Path dockerfile;

  @BeforeAll
  static void start() throws Exception {
    tokens = new TokenServer(dir, 5);
    upstream = Registry.startWithTokenAuth(tokens);
    relay = new Relay(upstream.url());
    var pusher = upstream.client().withBearer(tokens.tokenFor("repository:library/doc:pull,push"));
    TestImages.pushMultiArch(pusher, "library/doc", "1");
    config =
        Files.writeString(
            dir.resolve("berth.yaml"),
            """
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
            """
                .formatted(relay.url()));
    dockerfile =
        Files.writeString(
            dir.resolve("Dockerfile"),
            """
            # syntax=docker/dockerfile:1
            ARG TAG=1
            FROM library/doc:${TAG}
            ARG TARGETPLATFORM
            RUN --mount=type=cache,target=/root/.cache,id=cache-$TARGETPLATFORM true
            """);
  }

  @AfterAll
  static void stop() {
    relay.close();
    upstream.close();
    tokens.close();
  }

  private static Cmd.Result cli(List<String> args) {
    return Cmd.run(BerthProcess.command(List.of(), args));
  }

  private static List<String> doctor(Berth berth, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "doctor",
                "--berth",
                berth.address(),
                "--dockerfile",
                dockerfile.toString(),
                "--platform",
                "linux/amd64,linux/arm64"));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void missingPlatformsAreWarnedUntilPrefetchedAndAGeneratedBuildkitConfigPasses(@TempDir Path work)
      throws Exception {
    try (Berth berth = Berth.start(work.resolve("data"), Files.readString(config))) {
      Cmd.Result before = cli(doctor(berth, "--json"));
      assertThat(before.exit()).as(before.out() + before.err()).isZero();
      JsonNode findings = JSON.readTree(before.out()).path("findings");
      assertThat(findings).hasSize(1);
      assertThat(findings.get(0).path("severity").asText()).isEqualTo("warning");
      assertThat(findings.get(0).path("line").asInt()).isEqualTo(3);
      assertThat(findings.get(0).path("message").asText())
          .contains("library/doc:1 is not in Berth for linux/amd64, linux/arm64");
      assertThat(findings.get(0).path("fix").asText())
          .contains("berth prefetch")
          .contains("--platform linux/amd64,linux/arm64 library/doc:1");

      cli(List.of(
              "prefetch", "--berth", berth.address(), "--platform", "linux/arm64", "library/doc:1"))
          .ok();
      Cmd.Result half = cli(doctor(berth));
      assertThat(half.out())
          .contains(dockerfile + ":3: warning: library/doc:1 is not in Berth for linux/amd64:")
          .doesNotContain("linux/amd64, linux/arm64")
          .contains("0 errors, 1 warning");

      cli(List.of(
              "prefetch",
              "--berth",
              berth.address(),
              "--dockerfile",
              dockerfile.toString(),
              "--platform",
              "linux/amd64"))
          .ok();
      Path toml = work.resolve("buildkitd.toml");
      cli(List.of(
              "client-config",
              "buildkit",
              "--config",
              config.toString(),
              "--berth",
              berth.address(),
              "-o",
              toml.toString()))
          .ok();
      Cmd.Result clean = cli(doctor(berth, "--buildkitd-config", toml.toString()));
      assertThat(clean.exit()).as(clean.out()).isZero();
      assertThat(clean.out()).isEqualTo("0 errors, 0 warnings\n");

      Path handWritten =
          Files.writeString(
              work.resolve("hand.toml"),
              "[registry.\"docker.io\"]\n  mirrors = [\"" + berth.address() + "\"]\n");
      Cmd.Result broken = cli(doctor(berth, "--buildkitd-config", handWritten.toString()));
      assertThat(broken.exit()).isEqualTo(1);
      assertThat(broken.out())
          .contains(handWritten + ": error: Berth at " + berth.address() + " serves plain HTTP")
          .contains(
              "fix: add to " + handWritten + ": [registry.\"" + berth.address() + "\"] http = true")
          .contains("1 error, 0 warnings");
    }
  }

  @Test
  void aMultiPlatformCacheMountWithoutPlatformIdFailsAndAnUnreachableBerthIsAWarning(
      @TempDir Path work) throws Exception {
    Path bad =
        Files.writeString(
            work.resolve("Dockerfile"),
            "FROM library/doc:1\nRUN --mount=type=cache,target=/root/.npm npm ci\n");
    Cmd.Result r =
        cli(
            List.of(
                "doctor",
                "--berth",
                "127.0.0.1:" + dev.berth.testing.Ports.free(),
                "--dockerfile",
                bad.toString(),
                "--platform",
                "linux/amd64,linux/arm64"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            bad + ":2: error: cache mount on /root/.npm has no id, so its id is the target path")
        .contains(
            "fix: use: RUN --mount=type=cache,target=/root/.npm,id=/root/.npm-$TARGETPLATFORM npm ci")
        .contains("berth: warning: cannot reach Berth at http://127.0.0.1:")
        .contains("1 error, 1 warning");
  }

  @Test
  void anUpstreamMintingShortLivedTokensIsWarnedWithTheConfig(@TempDir Path work) throws Exception {
    try (Berth berth = Berth.start(work.resolve("data"), Files.readString(config))) {
      cli(List.of("prefetch", "--berth", berth.address(), "library/doc:1")).ok();
      Cmd.Result r =
          cli(
              List.of(
                  "doctor",
                  "--berth",
                  berth.address(),
                  "--config",
                  config.toString(),
                  "--dockerfile",
                  dockerfile.toString()));
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(r.out())
          .contains(dockerfile + ":3: warning: docker.io mints tokens that live 5 s")
          .contains("0 errors, 1 warning");
      assertThat(tokens.scopes()).contains("repository:library/doc:pull");
    }
  }
}
