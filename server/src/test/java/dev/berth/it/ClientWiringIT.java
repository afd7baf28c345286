package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.CapturedLogs;
import dev.berth.testing.Cmd;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files {@code berth client-config} writes, used by real clients: containerd's {@code ctr} with
 * the hosts.toml tree, a second dockerd with the daemon.json (pull and BuildKit build), and podman
 * with the registries.conf. The upstream names ({@code docker.io}, {@code registry.test}) lead
 * nowhere from this machine but through Berth, and every pull is counted in Berth's access log.
 */
class ClientWiringIT {
  private static final String CONTAINERD = "/var/run/docker/containerd/containerd.sock";
  @TempDir static Path dir;
  static Registry upstream;
  static Relay hub;
  static Relay other;
  static Path config;

  @BeforeAll
  static void start() throws IOException {
    upstream = Registry.start();
    hub = new Relay(upstream.url());
    other = new Relay(upstream.url());
    for (String repo : List.of("library/wire", "library/base", "library/podwire", "team/tool")) {
      TestImages.pushMultiArch(upstream.client(), repo, "1");
    }
    config =
        Files.writeString(
            dir.resolve("berth.yaml"),
            """
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
              - name: registry.test
                endpoints: ["%s"]
                push: true
                credentials: {source: none}
            """
                .formatted(hub.url(), other.url()));
  }

  @AfterAll
  static void stop() {
    hub.close();
    other.close();
    upstream.close();
  }

  private static Berth berth(Path data) throws IOException {
    return Berth.start(data, Files.readString(config));
  }

  /** Runs {@code berth ARGS} from the jar, as a user would. */
  private static Cmd.Result cli(String... args) {
    return Cmd.run(BerthProcess.command(List.of(), List.of(args)));
  }

  /**
   * Access-log lines of GET or HEAD requests for {@code path} (whatever query follows) sent by a
   * client whose user agent contains {@code agent}; fails listing the log when there is none.
   */
  private static long served(CapturedLogs logs, String path, String agent) {
    List<String> lines = logs.lines();
    long n =
        lines.stream()
            .filter(
                l ->
                    Stream.of("\"GET ", "\"HEAD ")
                        .anyMatch(m -> l.contains(m + path + " ") || l.contains(m + path + "?")))
            .filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains(agent))
            .count();
    assertThat(n)
        .as(
            "requests for %s by %s in Berth's access log:%n%s",
            path, agent, String.join("\n", lines))
        .isPositive();
    return n;
  }

  @Test
  void ctrPullsBothUpstreamsAndPushesToTheSecondThroughTheGeneratedHostsDir(@TempDir Path work)
      throws Exception {
    Path hosts = work.resolve("certs.d");
    try (CapturedLogs logs = new CapturedLogs();
        Berth berth = berth(work.resolve("data"))) {
      cli(
              "client-config",
              "containerd",
              "--push",
              "--config",
              config.toString(),
              "--berth",
              berth.address(),
              "-o",
              hosts.toString())
          .ok();
      assertThat(hosts.resolve("docker.io/hosts.toml")).exists();
      assertThat(hosts.resolve("registry.test/hosts.toml")).exists();
      List<String> ctr = List.of("ctr", "-a", CONTAINERD, "-n", "berth-wiring");
      try {
        Cmd.run(
                concat(
                    ctr,
                    "images",
                    "pull",
                    "--hosts-dir",
                    hosts.toString(),
                    "docker.io/library/wire:1"))
            .ok();
        Cmd.run(
                concat(
                    ctr,
                    "images",
                    "pull",
                    "--all-platforms",
                    "--hosts-dir",
                    hosts.toString(),
                    "registry.test/team/tool:1"))
            .ok();
        assertThat(served(logs, "/v2/library/wire/manifests/1?ns=docker.io", "containerd"))
            .as("docker.io pulls at Berth's root with ns")
            .isPositive();
        assertThat(served(logs, "/v2/registry.test/team/tool/manifests/1", "containerd"))
            .as("registry.test pulls under its name")
            .isPositive();

        Cmd.run(
                concat(
                    ctr,
                    "images",
                    "tag",
                    "registry.test/team/tool:1",
                    "registry.test/team/pushed:2"))
            .ok();
        long putsBefore = other.count(r -> r.startsWith("PUT /v2/team/pushed/manifests/2"));
        Cmd.run(
                concat(
                    ctr,
                    "images",
                    "push",
                    "--hosts-dir",
                    hosts.toString(),
                    "registry.test/team/pushed:2"))
            .ok();
        assertThat(
                logs.lines().stream()
                    .filter(l -> l.contains("\"PUT /v2/registry.test/team/pushed/manifests/2 "))
                    .filter(l -> l.contains("containerd")))
            .as("the push reached Berth")
            .isNotEmpty();
        assertThat(other.count(r -> r.startsWith("PUT /v2/team/pushed/manifests/2")))
            .as("and Berth forwarded it")
            .isGreaterThan(putsBefore);
        assertThat(
                upstream
                    .client()
                    .get(
                        "/v2/team/pushed/manifests/2",
                        Map.of("accept", TestImages.OCI_INDEX + ", " + TestImages.OCI_MANIFEST))
                    .statusCode())
            .isEqualTo(200);
      } finally {
        for (String ref :
            List.of(
                "docker.io/library/wire:1",
                "registry.test/team/tool:1",
                "registry.test/team/pushed:2")) {
          Cmd.run(concat(ctr, "images", "rm", ref));
        }
        Cmd.run(concat(ctr, "content", "prune", "references"));
      }
    }
  }

  @Test
  void aSecondDockerdPullsAndBuildsThroughBerthWithTheGeneratedDaemonJson() throws Exception {
    Path root = Files.createTempDirectory("bw");
    Path daemonJson = root.resolve("daemon.json");
    Files.writeString(daemonJson, "{\"debug\": false, \"max-concurrent-downloads\": 2}\n");
    try (CapturedLogs logs = new CapturedLogs();
        Berth berth = berth(root.resolve("data"))) {
      Cmd.Result generated =
          cli(
                  "client-config",
                  "docker",
                  "--config",
                  config.toString(),
                  "--berth",
                  berth.address(),
                  "-o",
                  daemonJson.toString())
              .ok();
      assertThat(generated.err()).contains("Docker mirrors only docker.io");
      String merged = Files.readString(daemonJson);
      assertThat(merged).contains("\"max-concurrent-downloads\" : 2").contains(berth.address());
      try (Dockerd docker = Dockerd.start(root, daemonJson)) {
        docker.run("pull", "library/wire:1").ok();
        assertThat(served(logs, "/v2/library/wire/manifests/1", "docker/")).isPositive();

        Path context = Files.createDirectories(root.resolve("context"));
        Files.writeString(context.resolve("note.txt"), "built through Berth\n");
        Files.writeString(
            context.resolve("Dockerfile"), "FROM library/base:1\nCOPY note.txt /note.txt\n");
        docker
            .run(Map.of("DOCKER_BUILDKIT", "1"), "build", "-t", "wired:1", context.toString())
            .ok();
        assertThat(
                logs.lines().stream()
                    .filter(l -> l.contains("/v2/library/base/manifests/1"))
                    .filter(l -> l.contains("\" 200 ")))
            .as("BuildKit resolved the base image through Berth")
            .isNotEmpty();
        assertThat(docker.run("image", "inspect", "wired:1").ok().out()).contains("wired:1");
      }
    } finally {
      deleteTree(root);
    }
  }

  @Test
  void podmanPullsBothUpstreamsThroughTheGeneratedRegistriesConf(@TempDir Path work)
      throws Exception {
    Path conf = work.resolve("registries.conf");
    Path storage = Files.createTempDirectory("bp");
    try (CapturedLogs logs = new CapturedLogs();
        Berth berth = berth(work.resolve("data"))) {
      cli(
              "client-config",
              "podman",
              "--config",
              config.toString(),
              "--berth",
              berth.address(),
              "-o",
              conf.toString())
          .ok();
      Map<String, String> env = Map.of("CONTAINERS_REGISTRIES_CONF", conf.toString());
      List<String> podman = Cmd.podman(storage);
      Cmd.run(concat(podman, "pull", "docker.io/library/podwire:1"), env, 300).ok();
      Cmd.run(concat(podman, "pull", "registry.test/team/tool:1"), env, 300).ok();
      assertThat(served(logs, "/v2/library/podwire/manifests/1", "containers/")).isPositive();
      assertThat(served(logs, "/v2/registry.test/team/tool/manifests/1", "containers/"))
          .isPositive();
      String images =
          Cmd.run(concat(podman, "images", "--format", "{{.Repository}}"), env, 60).ok().out();
      assertThat(images).contains("docker.io/library/podwire").contains("registry.test/team/tool");
    } finally {
      deleteTree(storage);
    }
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> out = new ArrayList<>(head);
    out.addAll(List.of(tail));
    return out;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    // Leftover mounts (an unclean daemon exit) would make the delete fail on busy files.
    Cmd.run(List.of("sh", "-c", "grep -o ' " + root + "[^ ]*' /proc/mounts | xargs -r umount -l"));
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A second Docker daemon with its own data root, exec root and socket. */
  static final class Dockerd implements AutoCloseable {
    private final Process process;
    private final String host;
    private final Path log;

    private Dockerd(Process process, String host, Path log) {
      this.process = process;
      this.host = host;
      this.log = log;
    }

    static Dockerd start(Path root, Path daemonJson) throws IOException, InterruptedException {
      String host = "unix://" + root.resolve("docker.sock");
      Path log = root.resolve("dockerd.log");
      Process p =
          new ProcessBuilder(
                  "dockerd",
                  "--config-file",
                  daemonJson.toString(),
                  "--data-root",
                  root.resolve("data-root").toString(),
                  "--exec-root",
                  root.resolve("exec").toString(),
                  "--pidfile",
                  root.resolve("docker.pid").toString(),
                  "-H",
                  host,
                  "--bridge=none",
                  "--iptables=false")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Dockerd d = new Dockerd(p, host, log);
      try {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> !p.isAlive() || d.run("info").exit() == 0);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // Said below, with dockerd's log.
      }
      if (!p.isAlive() || d.run("info").exit() != 0) {
        String tail = Files.readString(log, StandardCharsets.UTF_8);
        d.close();
        throw new AssertionError("dockerd did not start:\n" + tail);
      }
      return d;
    }

    Cmd.Result run(String... args) {
      return run(Map.of(), args);
    }

    /** The Debian docker client (its BuildKit needs no buildx plugin) against this daemon. */
    Cmd.Result run(Map<String, String> env, String... args) {
      String client = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
      List<String> cmd = new ArrayList<>(List.of(client, "-H", host));
      cmd.addAll(List.of(args));
      return Cmd.run(cmd, env, 300);
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public String toString() {
      return "dockerd at " + host + " (log " + log + ")";
    }
  }
}
