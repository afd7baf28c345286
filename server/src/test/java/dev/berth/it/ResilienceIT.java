package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.common.HttpStatus;
import dev.berth.testing.Berth;
import dev.berth.testing.BlobClient;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags revalidated after their TTL, stale serving when the upstream is down, corrupt upstreams. */
class ResilienceIT {
  static Registry registry;
  static RegistryClient upstream;

  @TempDir Path data;
  Relay relay;
  Berth berth;
  RegistryClient client;

  @BeforeAll
  static void startUpstream() {
    registry = Registry.start();
    upstream = registry.client();
  }

  @AfterAll
  static void stopUpstream() {
    registry.close();
  }

  @BeforeEach
  void startBerth() {
    relay = new Relay(registry.url());
    berth =
        Berth.start(
            data,
            """
            cache:
              tagTtl: 1s
              notFoundTtl: 1m
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
                maxAttempts: 2
            """
                .formatted(relay.url()));
    client = berth.client();
  }

  @AfterEach
  void stop() {
    berth.close();
    relay.close();
  }

  @Test
  void tagIsRevalidatedWithHeadAfterItsTtl() {
    TestImages.Image v1 = TestImages.pushImage(upstream, "library/reval", "linux/amd64", "one");
    upstream.pushManifest("library/reval", "latest", TestImages.OCI_MANIFEST, v1.manifest());
    assertThat(digestOf(client.get("/v2/reval/manifests/latest"))).isEqualTo(v1.digest());
    assertThat(client.get("/v2/reval/manifests/latest").headers().firstValue("berth-cache"))
        .hasValue("hit");
    assertThat(manifestGets("reval")).isEqualTo(1);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              client.get("/v2/reval/manifests/latest");
              return relay.count(r -> r.startsWith("HEAD /v2/library/reval/manifests/latest")) > 0;
            });
    assertThat(manifestGets("reval")).as("an unchanged tag is not fetched again").isEqualTo(1);

    TestImages.Image v2 = TestImages.pushImage(upstream, "library/reval", "linux/amd64", "two");
    upstream.pushManifest("library/reval", "latest", TestImages.OCI_MANIFEST, v2.manifest());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> v2.digest().equals(digestOf(client.get("/v2/reval/manifests/latest"))));
  }

  @Test
  void cachedTagIsServedStaleWhenTheUpstreamIsDown() {
    TestImages.Index index = TestImages.pushMultiArch(upstream, "library/stale", "1");
    assertThat(client.get("/v2/stale/manifests/1").statusCode()).isEqualTo(200);
    relay.stop();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              HttpResponse<byte[]> res = client.get("/v2/stale/manifests/1");
              assertThat(res.statusCode()).isEqualTo(200);
              assertThat(res.body()).isEqualTo(index.bytes());
              assertThat(res.headers().firstValue("berth-cache")).hasValue("stale");
              assertThat(res.headers().firstValue("warning"))
                  .hasValueSatisfying(w -> assertThat(w).startsWith("110"));
            });
    String metrics = new String(client.get("/metrics").body(), StandardCharsets.UTF_8);
    assertThat(metrics)
        .containsPattern(
            "berth_cache_requests_total\\{kind=\"manifest\",result=\"stale\"\\} [1-9]");
  }

  @Test
  void uncachedTagFailsFastNamingTheUpstreamWhenItIsDown() {
    relay.stop();
    long start = System.nanoTime();
    HttpResponse<byte[]> res = client.get("/v2/never/manifests/1");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String body = new String(res.body(), StandardCharsets.UTF_8);
    assertThat(res.statusCode()).isEqualTo(503);
    assertThat(body)
        .contains("\"code\":\"UNAVAILABLE\"")
        .contains("docker.io")
        .contains(relay.url().replace("http://", ""))
        .containsIgnoringCase("refused");
    assertThat(took).as("within the retry budget").isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void upstreamThatNeverAnswersGetsAnErrorNotAHang(@TempDir Path other) {
    try (Berth impatient =
        Berth.start(
            other,
            """
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
                maxAttempts: 1
                idleTimeout: 2s
            """
                .formatted(relay.url()))) {
      relay.hang(true);
      for (String path :
          List.of(
              "/v2/silent/manifests/1",
              "/v2/silent/tags/list",
              "/v2/silent/blobs/sha256:" + "5".repeat(64))) {
        HttpResponse<byte[]> res =
            path.contains("/blobs/")
                ? impatient.client().send("HEAD", path, java.util.Map.of())
                : impatient.client().get(path);
        assertThat(res.statusCode()).as(path).isEqualTo(503);
      }
      BlobClient.Download blob =
          new BlobClient("http://" + impatient.address())
              .get("/v2/silent/blobs/sha256:" + "6".repeat(64));
      assertThat(blob.status()).isEqualTo(503);
    }
  }

  @Test
  void upstream404IsRememberedBriefly() {
    HttpResponse<byte[]> first = client.get("/v2/missing/manifests/1");
    assertThat(first.statusCode()).isEqualTo(404);
    assertThat(new String(first.body(), StandardCharsets.UTF_8)).contains("MANIFEST_UNKNOWN");
    assertThat(client.get("/v2/missing/manifests/1").statusCode()).isEqualTo(404);
    assertThat(manifestGets("missing")).isEqualTo(1);
  }

  @Test
  void serverErrorsAreRetriedThenReported() {
    relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
    HttpResponse<byte[]> res = client.get("/v2/flaky/manifests/1");
    assertThat(res.statusCode()).isEqualTo(503);
    assertThat(new String(res.body(), StandardCharsets.UTF_8)).contains("503 Service Unavailable");
    assertThat(manifestGets("flaky")).as("maxAttempts: 2").isEqualTo(2);
  }

  @Test
  void flippedByteIsNeverStoredNorServedWhole() throws Exception {
    String digest = TestImages.pushRandomBlob(upstream, "library/flip", data, 4 << 20, 7);
    relay.flipBlobByte(true);
    BlobClient blobs = new BlobClient("http://" + berth.address());
    BlobClient.Download d = blobs.get("/v2/flip/blobs/" + digest);
    assertThat(d.error()).as("the client sees an error, not wrong bytes").isNotNull();
    assertThat(d.bytes()).isLessThan(4 << 20);
    try (Stream<Path> files = Files.walk(data)) {
      // The upstream did answer for library/flip: that membership record is not content.
      assertThat(
              files
                  .filter(f -> f.toString().contains(digest.substring(7)))
                  .filter(f -> !f.startsWith(data.resolve("members"))))
          .isEmpty();
    }
    relay.flipBlobByte(false);
    assertThat(blobs.get("/v2/flip/blobs/" + digest).digest()).isEqualTo(digest);
  }

  @Test
  void aRangeDuringAColdFetchGetsOnlyVerifiedBytes(@TempDir Path scratch) throws Exception {
    long size = 4 << 20;
    String digest = TestImages.pushRandomBlob(upstream, "library/ranged", scratch, size, 11);
    byte[] first =
        java.util.Arrays.copyOf(
            Files.readAllBytes(TestImages.randomFile(scratch, size, 11)), 65536);
    relay.flipBlobByte(true);
    HttpResponse<byte[]> flipped =
        client.get("/v2/ranged/blobs/" + digest, java.util.Map.of("range", "bytes=0-65535"));
    assertThat(flipped.statusCode()).as("byte 1000 was wrong: no 206 of it").isEqualTo(502);
    assertThat(new String(flipped.body(), StandardCharsets.UTF_8)).contains("DIGEST_INVALID");
    relay.flipBlobByte(false);
    relay.reset();
    relay.throttleBlobs(8 << 20);
    BlobClient blobs = new BlobClient("http://" + berth.address());
    java.util.concurrent.CompletableFuture<BlobClient.Download> whole =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> blobs.get("/v2/ranged/blobs/" + digest));
    await().until(() -> relay.blobGets() == 1);
    HttpResponse<byte[]> ranged =
        client.get("/v2/ranged/blobs/" + digest, java.util.Map.of("range", "bytes=0-65535"));
    assertThat(ranged.statusCode()).isEqualTo(206);
    assertThat(ranged.body()).isEqualTo(first);
    assertThat(whole.get().digest()).isEqualTo(digest);
    assertThat(relay.blobGets()).as("one upstream fetch for both").isEqualTo(1);
  }

  @Test
  void nextEndpointServesWhenTheFirstIsDown(@TempDir Path other) {
    TestImages.Index index = TestImages.pushMultiArch(upstream, "library/chain", "1");
    try (Relay down = new Relay(registry.url());
        Berth chained =
            Berth.start(
                other,
                """
                upstreams:
                  - name: docker.io
                    endpoints: ["%s", "%s"]
                    maxAttempts: 1
                """
                    .formatted(down.url(), relay.url()))) {
      down.stop();
      HttpResponse<byte[]> res =
          chained
              .client()
              .get("/v2/chain/manifests/1", java.util.Map.of("accept", TestImages.OCI_INDEX));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).isEqualTo(index.bytes());
      assertThat(manifestGets("chain")).isEqualTo(1);
    }
  }

  @Test
  void aDeadMirrorIsNoLongerAskedOnceItsBreakerOpens(@TempDir Path other) throws Exception {
    // Each request names a repository not asked before, so no answer comes from the cache.
    for (int i = 0; i < 40; i++) {
      TestImages.pushMultiArch(upstream, "library/breaker" + i, "1");
    }
    try (Relay mirror = new Relay(registry.url());
        Berth chained =
            Berth.start(
                other,
                """
                upstreams:
                  - name: docker.io
                    endpoints: ["%s", "%s"]
                """
                    .formatted(mirror.url(), relay.url()))) {
      mirror.failWith(com.linecorp.armeria.common.HttpStatus.SERVICE_UNAVAILABLE);
      for (int i = 0; i < 4; i++) {
        assertThat(chained.client().get("/v2/breaker" + i + "/manifests/1").statusCode())
            .isEqualTo(200);
      }
      long asked = mirror.requests().size();
      assertThat(asked).as("the dead mirror was tried first").isGreaterThanOrEqualTo(3);
      // The breaker counts failures every 500 ms: it opens once a request skips the mirror.
      int[] next = {4};
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> next[0] > 30 || opened(chained, mirror, next[0]++));
      assertThat(next[0]).as("the breaker opened within 26 requests").isLessThanOrEqualTo(31);
      long before = mirror.requests().size();
      for (int i = next[0]; i < next[0] + 8; i++) {
        assertThat(chained.client().get("/v2/breaker" + i + "/manifests/1").statusCode())
            .isEqualTo(200);
      }
      assertThat(mirror.requests().size() - before)
          .as("requests to the dead mirror after its breaker opened")
          .isZero();
    }
  }

  /** Whether a request for a repository not asked before skipped the mirror. */
  private static boolean opened(Berth chained, Relay mirror, int repository) {
    long seen = mirror.requests().size();
    int status = chained.client().get("/v2/breaker" + repository + "/manifests/1").statusCode();
    assertThat(status).isEqualTo(200);
    return mirror.requests().size() == seen;
  }

  @Test
  void aBodyThatStallsIsResumedWithRangeAfterTheIdleTimeout(@TempDir Path other) throws Exception {
    byte[] blob = new byte[3 << 20];
    new java.util.Random(9).nextBytes(blob);
    String digest = dev.berth.testing.Digests.sha256(blob);
    new dev.berth.testing.RegistryClient(registry.url()).pushBlob("library/stall", blob);
    try (Relay stalling = new Relay(registry.url());
        Berth berth =
            Berth.start(
                other,
                """
                upstreams:
                  - name: docker.io
                    endpoints: ["%s"]
                    idleTimeout: 2s
                """
                    .formatted(stalling.url()))) {
      stalling.stallBlobsAfter(1 << 20);
      var pull =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () ->
                  new dev.berth.testing.BlobClient("http://" + berth.address())
                      .get("/v2/stall/blobs/" + digest));
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> stalling.blobGets() >= 1);
      stalling.stallBlobsAfter(-1);
      var got = pull.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(got.error()).isNull();
      assertThat(got.digest()).isEqualTo(digest);
      // The stalled body is resumed where it stopped, never fetched again from byte 0: the first
      // GET asks for everything, each later one (another stall on a slow machine is allowed) for
      // the rest.
      List<String> blobRanges =
          stalling.ranges().stream()
              .filter(r -> r.startsWith("GET ") && r.contains(digest))
              .map(r -> r.substring(r.indexOf('\t') + 1))
              .toList();
      assertThat(blobRanges).hasSizeGreaterThanOrEqualTo(2);
      assertThat(blobRanges.get(0)).isEmpty();
      assertThat(blobRanges.subList(1, blobRanges.size()))
          .allSatisfy(r -> assertThat(r).matches("bytes=[1-9][0-9]*-"));
    }
  }

  @Test
  void anEndpointThatNeverAnswersIsLeftAfterTheFirstByteTimeout(@TempDir Path other) {
    TestImages.Index index = TestImages.pushMultiArch(upstream, "library/silent", "1");
    try (Relay silent = new Relay(registry.url());
        Berth chained =
            Berth.start(
                other,
                """
                upstreams:
                  - name: docker.io
                    endpoints: ["%s", "%s"]
                    firstByteTimeout: 1s
                    idleTimeout: 60s
                """
                    .formatted(silent.url(), relay.url()))) {
      silent.hang(true);
      long start = System.nanoTime();
      HttpResponse<byte[]> res =
          chained
              .client()
              .get("/v2/silent/manifests/1", java.util.Map.of("accept", TestImages.OCI_INDEX));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).isEqualTo(index.bytes());
      assertThat(silent.requests()).isNotEmpty();
      // Long before the 60 s idle timeout would have given up on the silent endpoint.
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(java.time.Duration.ofSeconds(30));
    }
  }

  @Test
  void manifestOverFourMibIsRefusedAndNotStored() throws Exception {
    byte[] huge = new byte[(4 << 20) + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    huge[0] = '{';
    huge[huge.length - 1] = '}';
    relay.answerManifestsWith(huge);
    HttpResponse<byte[]> res = client.get("/v2/huge/manifests/1");
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(new String(res.body(), StandardCharsets.UTF_8))
        .contains("MANIFEST_INVALID")
        .contains("larger than");
    try (Stream<Path> files = Files.walk(data)) {
      assertThat(files.filter(f -> f.toString().contains("/manifests/"))).isEmpty();
    }
  }

  private long manifestGets(String name) {
    return relay.count(r -> r.startsWith("GET /v2/library/" + name + "/manifests/"));
  }

  private static String digestOf(HttpResponse<byte[]> res) {
    assertThat(res.statusCode()).isEqualTo(200);
    return res.headers().firstValue("docker-content-digest").orElseThrow();
  }
}
