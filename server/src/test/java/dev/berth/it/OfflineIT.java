package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpStatus;
import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images pre-pulled for two platforms are served to skopeo and ctr for each platform when every
 * upstream is down, and when Berth is configured {@code offline: true}, in which case it makes no
 * upstream request at all and a miss says that it is offline.
 */
class OfflineIT {
  private static final String CONTAINERD = "/var/run/docker/containerd/containerd.sock";
  @TempDir static Path dir;
  static Registry upstream;
  static Relay relay;
  static TestImages.Index index;

  @BeforeAll
  static void start() {
    upstream = Registry.start();
    relay = new Relay(upstream.url());
    index = TestImages.pushMultiArch(upstream.client(), "library/off", "1");
  }

  @AfterAll
  static void stop() {
    relay.close();
    upstream.close();
  }

  private static String config(String extra) {
    return extra
        + """
        upstreams:
          - name: docker.io
          - name: registry.test
            endpoints: ["%s"]
            tagTtl: 0s
            credentials: {source: none}
        """
            .formatted(relay.url());
  }

  private static void prePull(Path data) {
    try (Berth online = Berth.start(data, config(""))) {
      Cmd.run(
              BerthProcess.command(
                  List.of(),
                  List.of(
                      "prefetch",
                      "--berth",
                      online.address(),
                      "--platform",
                      "linux/amd64,linux/arm64",
                      "registry.test/library/off:1")))
          .ok();
    }
  }

  /** skopeo and ctr pull each pre-pulled platform from {@code berth}; digests as upstream. */
  private static void pullEachPlatform(Berth berth, Path work) throws Exception {
    String ref = berth.address() + "/registry.test/library/off:1";
    for (int i = 0; i < 2; i++) {
      String arch = i == 0 ? "amd64" : "arm64";
      Path out = work.resolve("skopeo-" + arch);
      Cmd.run(
              List.of(
                  "skopeo",
                  "--override-arch",
                  arch,
                  "copy",
                  "--src-tls-verify=false",
                  "docker://" + ref,
                  "dir:" + out))
          .ok();
      assertThat(Digests.sha256(Files.readAllBytes(out.resolve("manifest.json"))))
          .isEqualTo(index.images().get(i).digest());
      List<String> ctr = new ArrayList<>(List.of("ctr", "-a", CONTAINERD, "-n", "berth-offline"));
      try {
        List<String> pull = new ArrayList<>(ctr);
        pull.addAll(List.of("images", "pull", "--plain-http", "--platform", "linux/" + arch, ref));
        Cmd.run(pull).ok();
        List<String> list = new ArrayList<>(ctr);
        list.addAll(List.of("images", "ls", "-q"));
        assertThat(Cmd.run(list).ok().out()).contains(ref);
        List<String> check = new ArrayList<>(ctr);
        check.addAll(List.of("content", "ls", "-q"));
        String held = Cmd.run(check).ok().out();
        assertThat(held).contains(index.images().get(i).digest());
        assertThat(held).contains(index.images().get(i).layers().get(0));
      } finally {
        List<String> rm = new ArrayList<>(ctr);
        rm.addAll(List.of("images", "rm", ref));
        Cmd.run(rm);
        List<String> prune = new ArrayList<>(ctr);
        prune.addAll(List.of("content", "prune", "references"));
        Cmd.run(prune);
      }
    }
  }

  @Test
  void prePulledPlatformsAreServedWithEveryUpstreamDown(@TempDir Path work) throws Exception {
    Path data = dir.resolve("down");
    prePull(data);
    try (Berth berth = Berth.start(data, config(""))) {
      relay.failWith(HttpStatus.SERVICE_UNAVAILABLE); // Past the tag TTL (0 s), Berth asks.
      pullEachPlatform(berth, work);
    } finally {
      relay.reset();
    }
  }

  @Test
  void offlineBerthMakesNoUpstreamRequestAndSaysSoOnAMiss(@TempDir Path work) throws Exception {
    Path data = dir.resolve("offline");
    prePull(data);
    relay.reset();
    try (Berth berth = Berth.start(data, config("offline: true\n"))) {
      pullEachPlatform(berth, work);
      Cmd.Result miss =
          Cmd.run(
              List.of(
                  "skopeo",
                  "inspect",
                  "--raw",
                  "--tls-verify=false",
                  "docker://" + berth.address() + "/registry.test/library/never:1"));
      assertThat(miss.exit()).isNotZero();
      assertThat(miss.err()).contains("manifest unknown").contains("Berth is offline");
      assertThat(relay.requests()).as("requests that reached the upstream").isEmpty();
      String body =
          new String(
              berth.client().get("/v2/registry.test/library/never/manifests/1").body(),
              StandardCharsets.UTF_8);
      assertThat(body).contains("offline: true");
    }
  }
}
