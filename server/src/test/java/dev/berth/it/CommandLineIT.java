package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testing.BerthProcess;
import dev.berth.testing.BlobClient;
import dev.berth.testing.Cmd;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code berth} command as users and scripts see it: output, exit codes, signals. */
class CommandLineIT {
  private static Cmd.Result berth(String... args) {
    return Cmd.run(BerthProcess.command(List.of(), List.of(args)), 60);
  }

  @Test
  void helpAndVersionExitZero() {
    Cmd.Result help = berth("--help").ok();
    assertThat(help.out()).contains("Usage: berth").contains("serve");
    assertThat(berth("serve", "--help").ok().out())
        .contains("--config")
        .contains("--listen")
        .contains("--data");
    assertThat(berth("--version").ok().out()).startsWith("berth 0.");
  }

  @Test
  void usageErrorsExitTwo() {
    Cmd.Result unknown = berth("serve", "--no-such-option");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("--no-such-option");
    Cmd.Result listen = berth("serve", "--listen", "nowhere");
    assertThat(listen.exit()).isEqualTo(2);
    assertThat(listen.err()).contains("--listen: not a listen address").doesNotContain("\tat ");
  }

  @Test
  void configErrorExitsTwoNamingFileLineAndKey(@TempDir Path dir) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("berth.yaml"),
            """
            # upstream with a typo
            upstreams:
              - name: ghcr.io
                endpoints:
                  - htp:/x
            """);
    Cmd.Result r = berth("serve", "--config", config.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "berth: berth.yaml:5: upstreams[0].endpoints[0]: not a URL: \"htp:/x\" "
                + "(expected: http:// or https:// and a host)");
  }

  @Test
  void startFailuresExitOneWithOneLine(@TempDir Path dir) throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String listen = "127.0.0.1:" + taken.getLocalPort();
      Cmd.Result busy = berth("serve", "--listen", listen, "--data", dir.resolve("a").toString());
      assertThat(busy.exit()).isEqualTo(1);
      assertThat(busy.err().strip())
          .startsWith("berth: cannot listen on " + listen + ": ")
          .contains("Address already in use")
          .doesNotContain("\tat ");
    }
    Path newer = Files.createDirectories(dir.resolve("b"));
    Files.writeString(newer.resolve("format-version"), "9\n");
    Cmd.Result format = berth("serve", "--listen", "127.0.0.1:0", "--data", newer.toString());
    assertThat(format.exit()).isEqualTo(1);
    assertThat(format.err()).contains("holds data of format version 9; this Berth reads version 1");
  }

  @Test
  void servesOnTheEmbeddedDefaults(@TempDir Path dir) throws Exception {
    Process p =
        new ProcessBuilder(BerthProcess.command(List.of(), List.of("serve")))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.log").toFile())
            .start();
    try {
      RegistryClient client = new RegistryClient("http://127.0.0.1:5000");
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> client.get("/v2/").statusCode() == 200);
      HttpResponse<byte[]> base = client.get("/v2/");
      assertThat(base.headers().firstValue("docker-distribution-api-version"))
          .hasValue("registry/2.0");
      assertThat(dir.resolve("berth-data/format-version")).hasContent("1");
      assertThat(client.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(client.get("/readyz").statusCode()).isEqualTo(200);
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void sigtermLetsTheTransferInFlightFinishThenExitsZero(@TempDir Path dir) throws Exception {
    try (Registry registry = Registry.start();
        Relay relay = new Relay(registry.url())) {
      long size = 16L << 20;
      String digest = TestImages.pushRandomBlob(registry.client(), "library/drain", dir, size, 21);
      relay.throttleBlobs(4L << 20);
      try (BerthProcess berth =
          BerthProcess.serve(List.of(), config(dir, relay), dir.resolve("data"))) {
        BlobClient client = new BlobClient("http://" + berth.address());
        CompletableFuture<BlobClient.Download> pull =
            CompletableFuture.supplyAsync(() -> client.get("/v2/drain/blobs/" + digest));
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.blobGets() == 1);
        berth.process().destroy();
        BlobClient.Download d = pull.join();
        assertThat(d.error()).as(berth.log()).isNull();
        assertThat(d.digest()).isEqualTo(digest);
        assertThat(berth.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(berth.process().exitValue()).as(berth.log()).isZero();
        assertThat(berth.log()).contains("draining").contains("stopped");
      }
    }
  }

  @Test
  void killedMidDownloadLeavesNothingUnderADigestAndRestartCleansUp(@TempDir Path dir)
      throws Exception {
    try (Registry registry = Registry.start();
        Relay relay = new Relay(registry.url())) {
      long size = 16L << 20;
      String digest = TestImages.pushRandomBlob(registry.client(), "library/crash", dir, size, 22);
      relay.throttleBlobs(2L << 20);
      Path data = dir.resolve("data");
      Path config = config(dir, relay);
      try (BerthProcess berth = BerthProcess.serve(List.of(), config, data)) {
        BlobClient client = new BlobClient("http://" + berth.address());
        CompletableFuture.runAsync(() -> client.get("/v2/crash/blobs/" + digest));
        await().atMost(Duration.ofSeconds(10)).until(() -> !files(data.resolve("tmp")).isEmpty());
        berth.process().destroyForcibly().waitFor();
      }
      assertThat(files(data.resolve("blobs"))).isEmpty();
      relay.throttleBlobs(0);
      try (BerthProcess berth = BerthProcess.serve(List.of(), config, data)) {
        assertThat(files(data.resolve("tmp"))).as("temp files of the crashed run").isEmpty();
        BlobClient client = new BlobClient("http://" + berth.address());
        assertThat(client.get("/v2/crash/blobs/" + digest).digest()).isEqualTo(digest);
      }
    }
  }

  private static Path config(Path dir, Relay relay) throws java.io.IOException {
    return Files.writeString(
        dir.resolve("berth.yaml"),
        """
        upstreams:
          - name: docker.io
            endpoints: ["%s"]
        """
            .formatted(relay.url()));
  }

  private static List<Path> files(Path dir) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
