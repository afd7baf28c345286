package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpStatus;
import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.SharedBackends;
import dev.berth.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth prefetch} against a running Berth whose upstream, a real Distribution registry, sits
 * behind a fault-injecting relay: only the wanted platforms are fetched, an unchanged image costs a
 * {@code HEAD}, unknown images fail at once, outages are retried, and what was pre-pulled is served
 * by real clients when the upstream is gone.
 */
class PrefetchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Registry upstream;
  static Relay relay;
  static Berth berth;
  static TestImages.Index demo;

  @BeforeAll
  static void start() {
    upstream = Registry.start();
    relay = new Relay(upstream.url());
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            upstreams:
              - name: docker.io
              - name: registry.test
                endpoints: ["%s"]
                tagTtl: 1s
                credentials: {source: none}
            """
                .formatted(relay.url()));
    demo = TestImages.pushMultiArch(upstream.client(), "library/demo", "1");
  }

  @AfterAll
  static void stop() {
    berth.close();
    relay.close();
    upstream.close();
  }

  @BeforeEach
  void lift() {
    relay.reset();
  }

  private static Cmd.Result prefetch(String... args) {
    List<String> cli = new ArrayList<>(List.of("prefetch", "--berth", berth.address()));
    cli.addAll(List.of(args));
    return Cmd.run(BerthProcess.command(List.of(), cli), 200);
  }

  private static int blobStatus(String digest) {
    return Http.send(
            "HEAD",
            "http://" + berth.address() + "/v2/registry.test/library/demo/blobs/" + digest,
            null,
            Map.of())
        .statusCode();
  }

  @Test
  void onlyTheWantedPlatformIsFetchedAndTheIndexIsTheUpstreams() throws Exception {
    TestImages.Index index = TestImages.pushMultiArch(upstream.client(), "library/arm", "1");
    Cmd.Result run = prefetch("--platform", "linux/arm64", "--json", "registry.test/library/arm:1");
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    JsonNode result = JSON.readTree(run.out()).path("results").path(0);
    assertThat(result.path("ok").asBoolean()).isTrue();
    assertThat(result.path("digest").asText()).isEqualTo(index.digest());
    assertThat(result.path("platforms").toString()).isEqualTo("[\"linux/arm64\"]");

    relay.failWith(HttpStatus.SERVICE_UNAVAILABLE); // Only what Berth holds can be served now.
    TestImages.Image amd64 = index.images().get(0);
    TestImages.Image arm64 = index.images().get(1);
    String base = "http://" + berth.address() + "/v2/registry.test/library/arm";
    for (String layer : arm64.layers()) {
      assertThat(Http.send("HEAD", base + "/blobs/" + layer, null, Map.of()).statusCode())
          .isEqualTo(200);
      // Pinned: the disk budget never evicts what was pre-pulled.
      assertThat(SharedBackends.pinned(dir.resolve("data"), layer)).as("%s pinned", layer).isTrue();
    }
    for (String layer : amd64.layers()) {
      assertThat(Http.send("HEAD", base + "/blobs/" + layer, null, Map.of()).statusCode())
          .isNotEqualTo(200);
    }
    var got = Http.send("GET", base + "/manifests/1", null, Map.of("accept", TestImages.OCI_INDEX));
    assertThat(Digests.sha256(got.body().getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(index.digest());
  }

  @Test
  void pullingOnePlatformWarmsTheOtherForWhenTheUpstreamIsGone(@TempDir Path work)
      throws Exception {
    TestImages.Index index = TestImages.pushMultiArch(upstream.client(), "library/twin", "1");
    String ref = "docker://" + berth.address() + "/registry.test/library/twin:1";
    Cmd.run(
            List.of(
                "skopeo",
                "--override-arch",
                "amd64",
                "copy",
                "--src-tls-verify=false",
                ref,
                "dir:" + work.resolve("amd64")))
        .ok();
    String arm64Layer = index.images().get(1).layers().get(0).substring("sha256:".length());
    Path held = dir.resolve("data/blobs/sha256/" + arm64Layer.substring(0, 2) + "/" + arm64Layer);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(held).as("the arm64 layer, fetched in the background").exists());

    relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
    Cmd.run(
            List.of(
                "skopeo",
                "--override-arch",
                "arm64",
                "copy",
                "--src-tls-verify=false",
                ref,
                "dir:" + work.resolve("arm64")))
        .ok();
    assertThat(Digests.sha256(Files.readAllBytes(work.resolve("arm64/manifest.json"))))
        .isEqualTo(index.images().get(1).digest());
  }

  @Test
  void bodiesCutMidwayAreResumedNotRestarted() throws Exception {
    List<String> refs = new ArrayList<>();
    long total = 0;
    int big = 0;
    for (int i = 0; i < 4; i++) {
      String repo = "library/cut" + i;
      List<String> layers = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      for (int j = 0; j < 2; j++) {
        byte[] layer = new byte[1 << 20];
        new java.util.Random(100 * i + j).nextBytes(layer);
        layers.add(upstream.client().pushBlob(repo, layer));
        sizes.add((long) layer.length);
        total += layer.length;
        big++;
      }
      byte[] config = ("{\"os\":\"linux\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
      String configDigest = upstream.client().pushBlob(repo, config);
      total += config.length;
      upstream
          .client()
          .pushManifest(
              repo,
              "1",
              TestImages.OCI_MANIFEST,
              TestImages.manifest(configDigest, config.length, layers, sizes));
      refs.add("registry.test/" + repo + ":1");
    }
    relay.cutEveryNthBlob(3, 600 << 10); // About 30% of blob bodies end after 600 KiB.
    List<String> args = new ArrayList<>(List.of("--json"));
    args.addAll(refs);
    Cmd.Result run = prefetch(args.toArray(String[]::new));
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    for (JsonNode r : JSON.readTree(run.out()).path("results")) {
      assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue();
      assertThat(r.path("blobs").asInt()).isEqualTo(3);
    }
    assertThat(relay.cuts()).as("bodies cut").isGreaterThanOrEqualTo(big / 3);
    // Resumed with Range from where each cut ended: restarts would resend 600 KiB per cut.
    assertThat(relay.blobBytesSent() - total)
        .as("bytes sent beyond the blobs' sizes, for %d cuts", relay.cuts())
        .isLessThan(relay.cuts() * (128 << 10));
  }

  @Test
  void prefetchLeavesTheLastPullsOfARateLimitToBuilds() throws Exception {
    TestImages.pushMultiArch(upstream.client(), "library/limited", "1");
    TestImages.pushMultiArch(upstream.client(), "library/later", "1");
    relay.rateLimit("100;w=21600", "50;w=21600");
    assertThat(prefetch("registry.test/library/limited:1").exit()).isZero();
    String metrics =
        Http.send("GET", "http://" + berth.address() + "/metrics", null, Map.of()).body();
    assertThat(metrics)
        .contains("berth_upstream_ratelimit_limit{upstream=\"registry.test\"} 100.0")
        .contains("berth_upstream_ratelimit_remaining{upstream=\"registry.test\"} 50.0");

    relay.rateLimit("100;w=21600", "4;w=21600");
    // A held image is confirmed with a HEAD (free, and it brings the new count) ...
    assertThat(prefetch("registry.test/library/limited:1").exit()).isZero();
    // ... and one not held waits for the next run rather than take one of the last pulls.
    Cmd.Result run = prefetch("registry.test/library/later:1");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("paused").contains("4 of 100 pulls left");
    assertThat(relay.count(r -> r.contains("/library/later/"))).isZero();

    // The window renews: the next answer says so, and the other tests may pull again.
    relay.rateLimit("100;w=21600", "100;w=21600");
    assertThat(prefetch("registry.test/library/limited:1").exit()).isZero();
  }

  @Test
  void serveRunsTheConfiguredPrefetchAtStart() throws Exception {
    TestImages.Index index = TestImages.pushMultiArch(upstream.client(), "library/sched", "1");
    Path data = dir.resolve("scheduled");
    String yaml =
        """
        prefetch:
          images: ["registry.test/library/sched:1 linux/arm64"]
          interval: 1h
        upstreams:
          - name: docker.io
          - name: registry.test
            endpoints: ["%s"]
            credentials: {source: none}
        """
            .formatted(relay.url());
    try (Berth scheduled = Berth.start(data, yaml)) {
      String hex = index.images().get(1).layers().get(0).substring("sha256:".length());
      Path layer = data.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(layer).exists());
      // Pinned once fetched, after the layer is in place.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(SharedBackends.pinned(data, hex)).as("%s pinned", hex).isTrue());
      String amd64 = index.images().get(0).layers().get(0).substring("sha256:".length());
      assertThat(data.resolve("blobs/sha256/" + amd64.substring(0, 2) + "/" + amd64))
          .doesNotExist();
    }
  }

  @Test
  void anUnchangedImageCostsOneHeadAndNothingElse() {
    assertThat(prefetch("registry.test/library/demo:1").exit()).isZero();
    relay.reset();
    Cmd.Result again = prefetch("registry.test/library/demo:1");
    assertThat(again.exit()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).contains("unchanged").contains("0 B fetched");
    assertThat(relay.requests()).isNotEmpty().allMatch(r -> r.startsWith("HEAD "));
    assertThat(relay.count(r -> r.contains("/manifests/"))).isEqualTo(1);
  }

  @Test
  void anUnknownImageFailsAtOnceAndTheOthersStillLand() {
    TestImages.pushMultiArch(upstream.client(), "library/other", "2");
    Cmd.Result run = prefetch("registry.test/library/nope:1", "registry.test/library/other:2");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("failed: registry.test/library/nope:1")
        .contains("MANIFEST_UNKNOWN");
    assertThat(run.out()).contains("1 of 2 images present");
    assertThat(relay.count(r -> r.contains("/library/nope/"))).isEqualTo(1);
  }

  @Test
  void anOutageIsRetriedUntilItEnds() throws Exception {
    TestImages.pushMultiArch(upstream.client(), "library/storm", "1");
    relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
    Thread lift =
        new Thread(
            () -> {
              // Three refused requests use up the first attempt's retries; then it recovers.
              try {
                await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> relay.count(r -> r.contains("/library/storm/manifests/")) >= 3);
              } finally {
                relay.failWith(null);
              }
            });
    lift.start();
    Cmd.Result run = prefetch("--json", "registry.test/library/storm:1");
    lift.join();
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(relay.count(r -> r.contains("/library/storm/manifests/"))).isGreaterThan(3);
    assertThat(JSON.readTree(run.out()).path("results").path(0).path("attempts").asInt())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void aDockerfilesBaseImagesArePrePulledAndServedWithTheUpstreamGone(@TempDir Path work)
      throws Exception {
    TestImages.Index base = TestImages.pushMultiArch(upstream.client(), "library/base", "3.20");
    Path dockerfile =
        Files.writeString(
            work.resolve("Dockerfile"),
            """
            ARG BASE=registry.test/library/base:3.19
            FROM ${BASE} AS build
            RUN make
            FROM --platform=$BUILDPLATFORM registry.test/library/demo:1 AS tools
            FROM build
            FROM scratch
            COPY --from=build /out /
            """);
    Cmd.Result run =
        prefetch(
            "--dockerfile",
            dockerfile.toString(),
            "--build-arg",
            "BASE=registry.test/library/base:3.20");
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("registry.test/library/base:3.20")
        .contains("2 of 2 images present");

    // Past the tag TTL, Berth asks the upstream, which fails: it serves what it holds.
    relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                berth
                    .client()
                    .get(
                        "/v2/registry.test/library/base/manifests/3.20",
                        Map.of("accept", TestImages.OCI_INDEX))
                    .headers()
                    .firstValue("berth-cache")
                    .orElse("")
                    .equals("stale"));
    for (String arch : List.of("amd64", "arm64")) {
      Path out = work.resolve("copy-" + arch);
      Cmd.run(
              List.of(
                  "skopeo",
                  "--override-arch",
                  arch,
                  "copy",
                  "--src-tls-verify=false",
                  "docker://" + berth.address() + "/registry.test/library/base:3.20",
                  "dir:" + out))
          .ok();
      String manifest = Files.readString(out.resolve("manifest.json"));
      TestImages.Image image = base.images().get(arch.equals("amd64") ? 0 : 1);
      assertThat(Digests.sha256(manifest.getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(image.digest());
    }
  }
}
