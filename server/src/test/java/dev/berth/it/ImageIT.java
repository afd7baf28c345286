package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testing.Cmd;
import dev.berth.testing.Ports;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth's container image, built from {@code deploy/docker/Dockerfile} on a Java base made from
 * Debian packages ({@code .ci/setup}; no image is pulled), run with host networking: it turns
 * healthy, serves a pull-through of a multi-arch image to skopeo, keeps its data on a volume across
 * a restart, and runs as its own unprivileged user.
 */
class ImageIT {
  /** The base {@code .ci/setup} makes with debootstrap: Debian's OpenJDK 17. */
  private static final String BASE = "berth-ci/java17:bookworm";

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static String docker() {
    // Debian's client: its BuildKit needs no buildx plugin.
    return Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
  }

  private static Cmd.Result docker(String... args) {
    List<String> cmd = new ArrayList<>(List.of(docker()));
    cmd.addAll(List.of(args));
    return Cmd.run(cmd, Map.of("DOCKER_BUILDKIT", "1"), 1500);
  }

  @Test
  void theImageServesAPullThroughFromItsVolumeAcrossARestart(@TempDir Path dir) throws Exception {
    docker(
            "build",
            "--network",
            "host",
            "-f",
            ROOT.resolve("deploy/docker/Dockerfile").toString(),
            "--build-arg",
            "BUILD_IMAGE=" + BASE,
            "--build-arg",
            "RUNTIME_IMAGE=" + BASE,
            "-t",
            "berth:it",
            ROOT.toString())
        .ok();
    assertThat(docker("image", "inspect", "--format", "{{.Config.User}}", "berth:it").ok().out())
        .contains("10001");

    try (Registry upstream = Registry.start();
        Relay relay = new Relay(upstream.url())) {
      TestImages.Index index = TestImages.pushMultiArch(upstream.client(), "library/boxed", "1");
      int port = Ports.free();
      Path config = dir.resolve("berth.yaml");
      Files.writeString(
          config,
          """
          listen: 127.0.0.1:%d
          dataDir: /data
          upstreams:
            - name: docker.io
              endpoints: ["%s"]
          """
              .formatted(port, relay.url()));
      config.toFile().setReadable(true, false);
      String volume = "berth-it-" + port;
      String name = "berth-it-" + port;
      try {
        docker(
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "host",
                "-e",
                "BERTH_HEALTH_PORT=" + port,
                "-v",
                volume + ":/data",
                "-v",
                config + ":/etc/berth/berth.yaml:ro",
                "berth:it")
            .ok();
        awaitHealthy(name);
        Path first = dir.resolve("first");
        Cmd.skopeoCopyAll("127.0.0.1:" + port, "library/boxed:1", first);
        assertThat(Files.readString(first.resolve("index.json")))
            .as("the OCI layout names the upstream's index")
            .contains(index.digest());
        for (TestImages.Image image : index.images()) {
          assertThat(first.resolve("blobs/sha256/" + image.digest().substring(7))).exists();
        }
        long fetched = relay.blobGets();
        assertThat(fetched).isPositive();

        Cmd.Result stop = docker("stop", "-t", "40", name).ok();
        assertThat(docker("inspect", "--format", "{{.State.ExitCode}}", name).ok().out().trim())
            .as("SIGTERM drains, then Berth exits 0 (%s)", stop.out())
            .isEqualTo("0");
        docker("start", name).ok();
        awaitHealthy(name);
        Path second = dir.resolve("second");
        Cmd.skopeoCopyAll("127.0.0.1:" + port, "library/boxed:1", second);
        assertThat(Files.readString(second.resolve("index.json"))).contains(index.digest());
        assertThat(relay.blobGets()).as("blobs came from the volume").isEqualTo(fetched);
        assertThat(docker("exec", name, "id", "-u").ok().out().trim()).isEqualTo("10001");
      } finally {
        Cmd.Result logs = docker("logs", name);
        System.out.println(logs.out() + logs.err());
        docker("rm", "-f", name);
        docker("volume", "rm", "-f", volume);
      }
    }
  }

  private static void awaitHealthy(String name) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                docker("inspect", "--format", "{{.State.Health.Status}}", name)
                    .out()
                    .trim()
                    .equals("healthy"));
  }
}
