package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpStatus;
import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import dev.berth.testing.TokenServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous forwarding to a real Distribution registry: pushes are acknowledged once journaled,
 * workers forward them with retries (through upstream outages, token expiry and {@code kill -9}),
 * {@code GET /_berth/v1/forwarding} shows where each is, and {@code berth await} waits for them.
 */
class AsyncForwardIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Registry upstream;

  @BeforeAll
  static void start() {
    upstream = Registry.start();
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  private static String asyncConfig(String endpoint, String extra) {
    return """
        upstreams:
          - name: docker.io
          - name: registry.test
            endpoints: ["%s"]
            push: true
            forwarding: async
            credentials: {source: none}
        %s
        """
        .formatted(endpoint, extra);
  }

  /** A small image of {@code layerBytes} random bytes pushed to Berth; returns the manifest. */
  private static byte[] pushImage(
      RegistryClient client, String repo, String tag, int layerBytes, long seed) {
    byte[] layer = new byte[layerBytes];
    new Random(seed).nextBytes(layer);
    String layerDigest = client.pushBlob(repo, layer);
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}")
            .getBytes(StandardCharsets.UTF_8);
    String configDigest = client.pushBlob(repo, config);
    byte[] manifest =
        TestImages.manifest(
            configDigest, config.length, List.of(layerDigest), List.of((long) layer.length));
    client.pushManifest(repo, tag, TestImages.OCI_MANIFEST, manifest);
    return manifest;
  }

  private static JsonNode forwarding(String address) throws Exception {
    HttpResponse<String> res =
        Http.send("GET", "http://" + address + "/_berth/v1/forwarding", null, Map.of());
    assertThat(res.statusCode()).isEqualTo(200);
    return JSON.readTree(res.body());
  }

  /** The forward of {@code ref} in the status, or null. */
  private static JsonNode find(JsonNode status, String ref) {
    for (String list : List.of("pending", "inFlight", "done", "failed")) {
      for (JsonNode n : status.path(list)) {
        if (n.path("ref").asText().equals(ref)) {
          return n;
        }
      }
    }
    return null;
  }

  private static Cmd.Result await(String address, String... args) {
    List<String> cli = new ArrayList<>(List.of("await", "--berth", address));
    cli.addAll(List.of(args));
    return Cmd.run(BerthProcess.command(List.of(), cli), 200);
  }

  private static String metrics(String address) throws Exception {
    return Http.send("GET", "http://" + address + "/metrics", null, Map.of()).body();
  }

  private static HttpResponse<byte[]> upstreamManifest(String repo, String ref) {
    return upstream
        .client()
        .get("/v2/" + repo + "/manifests/" + ref, Map.of("accept", TestImages.OCI_MANIFEST));
  }

  @Test
  void pushIsAcknowledgedWhileTheUpstreamFailsAndForwardedOnceItRecovers() throws Exception {
    try (Relay relay = new Relay(upstream.url());
        Berth berth = Berth.start(dir.resolve("outage"), asyncConfig(relay.url(), ""))) {
      relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
      byte[] manifest = pushImage(berth.client(), "registry.test/team/outage", "1", 4096, 1);
      String ref = "registry.test/team/outage:1";

      // Acknowledged with the upstream down; workers keep trying and say why they fail.
      JsonNode job =
          org.awaitility.Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () -> find(forwarding(berth.address()), ref),
                  j -> j != null && j.path("attempts").asInt() >= 2);
      assertThat(job).isNotNull();
      assertThat(job.path("attempts").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(job.path("state").asText()).isIn("pending", "in-flight");
      assertThat(job.path("lastError").asText()).contains("503");
      assertThat(job.path("digest").asText()).isEqualTo(Digests.sha256(manifest));
      assertThat(job.path("size").asLong()).isGreaterThan(4096);
      assertThat(upstreamManifest("team/outage", "1").statusCode()).isEqualTo(404);
      String before = metrics(berth.address());
      assertThat(before)
          .contains("berth_forward_queue_depth{upstream=\"registry.test\"} 1.0")
          .containsPattern(
              "berth_forward_failures_total\\{cause=\"unavailable\",upstream=\"registry.test\"\\}"
                  + " [1-9]");

      relay.reset();
      Cmd.Result waited = await(berth.address(), "--timeout", "90s", berth.address() + "/" + ref);
      assertThat(waited.exit()).as(waited.out() + waited.err()).isZero();
      assertThat(waited.out()).contains("forwarded 1/1");

      HttpResponse<byte[]> got = upstreamManifest("team/outage", "1");
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.body()).isEqualTo(manifest);
      JsonNode done = find(forwarding(berth.address()), ref);
      assertThat(done.path("state").asText()).isEqualTo("done");
      assertThat(done.path("lastError").isNull()).isTrue();
      String after = metrics(berth.address());
      assertThat(after)
          .contains("berth_forward_queue_depth{upstream=\"registry.test\"} 0.0")
          .containsPattern("berth_forward_bytes_total\\{upstream=\"registry.test\"\\} [1-9]");
      // The pushed tag is Berth's too, now that the upstream has it.
      assertThat(
              berth
                  .client()
                  .get(
                      "/v2/registry.test/team/outage/manifests/1",
                      Map.of("accept", TestImages.OCI_MANIFEST))
                  .body())
          .isEqualTo(manifest);
    }
  }

  /**
   * skopeo, docker and ctr push to an async target whose upstream answers 503 to everything: the
   * pushes depend on Berth alone (a blob HEAD answers from what Berth holds for the repository),
   * and forwarding catches up once the upstream is back.
   */
  @Test
  void skopeoDockerAndCtrPushWhileTheUpstreamAnswers503ToEverything(@TempDir Path work)
      throws Exception {
    TestImages.Index index = TestImages.pushMultiArch(upstream.client(), "source/multi", "1");
    String source = "127.0.0.1:" + upstream.port() + "/source/multi:1";
    String containerd = "/var/run/docker/containerd/containerd.sock";
    List<String> ctr = List.of("ctr", "-a", containerd, "-n", "berth-async");
    Path rootfs = Files.createDirectories(work.resolve("rootfs"));
    Files.writeString(rootfs.resolve("hello.txt"), "pushed by docker during an outage");
    Path tar = work.resolve("rootfs.tar");
    Cmd.run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).ok();
    Cmd.run(concat(ctr, "images", "pull", "--plain-http", "--all-platforms", source)).ok();
    try (Relay relay = new Relay(upstream.url());
        Berth berth = Berth.start(dir.resolve("push-outage"), asyncConfig(relay.url(), ""))) {
      relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
      String skopeoRef = berth.address() + "/registry.test/outage/skopeo:1";
      String dockerRef = berth.address() + "/registry.test/outage/docker:1";
      String ctrRef = berth.address() + "/registry.test/outage/ctr:1";
      try {
        Cmd.Result skopeo = Cmd.skopeoCopy("docker://" + source, "docker://" + skopeoRef);
        assertThat(skopeo.exit()).as(skopeo.out() + skopeo.err()).isZero();

        Cmd.run(List.of("docker", "import", tar.toString(), dockerRef)).ok();
        Cmd.Result docker = Cmd.run(List.of("docker", "push", dockerRef));
        assertThat(docker.exit()).as(docker.out() + docker.err()).isZero();

        Cmd.run(concat(ctr, "images", "tag", "--force", source, ctrRef)).ok();
        Cmd.Result pushed = Cmd.run(concat(ctr, "images", "push", "--plain-http", ctrRef));
        assertThat(pushed.exit()).as(pushed.out() + pushed.err()).isZero();
        assertThat(upstreamManifest("outage/skopeo", "1").statusCode()).isEqualTo(404);

        relay.reset();
        Cmd.Result waited = await(berth.address(), "--all", "--timeout", "120s");
        assertThat(waited.exit()).as(waited.out() + waited.err()).isZero();
        Map<String, String> any =
            Map.of(
                "accept",
                String.join(
                    ",",
                    TestImages.OCI_INDEX,
                    TestImages.OCI_MANIFEST,
                    "application/vnd.docker.distribution.manifest.v2+json"));
        for (String repo : List.of("outage/skopeo", "outage/docker", "outage/ctr")) {
          HttpResponse<byte[]> got = upstream.client().get("/v2/" + repo + "/manifests/1", any);
          assertThat(got.statusCode()).as(repo).isEqualTo(200);
          if (!repo.endsWith("docker")) {
            assertThat(got.headers().firstValue("docker-content-digest"))
                .as(repo)
                .contains(index.digest());
          }
        }
      } finally {
        Cmd.run(List.of("docker", "image", "rm", dockerRef));
        Cmd.run(concat(ctr, "images", "rm", source, ctrRef));
      }
    }
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  @Test
  void aRejectedForwardFailsForGoodAndAwaitSaysWhy() throws Exception {
    try (Relay relay = new Relay(upstream.url());
        Berth berth = Berth.start(dir.resolve("rejected"), asyncConfig(relay.url(), ""))) {
      relay.failWith(HttpStatus.BAD_REQUEST);
      pushImage(berth.client(), "registry.test/team/rejected", "1", 1024, 2);
      Cmd.Result waited =
          await(berth.address(), "--timeout", "60s", "registry.test/team/rejected:1");
      assertThat(waited.exit()).as(waited.out() + waited.err()).isEqualTo(1);
      assertThat(waited.err()).contains("failed: registry.test/team/rejected:1").contains("400");
      JsonNode job = find(forwarding(berth.address()), "registry.test/team/rejected:1");
      assertThat(job.path("state").asText()).isEqualTo("failed");
      assertThat(job.path("attempts").asInt()).isEqualTo(1);

      Cmd.Result all = await(berth.address(), "--all", "--timeout", "10s");
      assertThat(all.exit()).isEqualTo(1);
      Cmd.Result unknown = await(berth.address(), "registry.test/team/never:1");
      assertThat(unknown.exit()).isEqualTo(1);
      assertThat(unknown.err()).contains("knows no push of registry.test/team/never:1");
    }
  }

  @Test
  void slowForwardSpanningSeveralTokenLifetimesSucceedsOneStreamAtATime() throws Exception {
    String password = "async-s3cret";
    try (TokenServer tokens =
            new TokenServer(Files.createDirectories(dir.resolve("tokens")), 3)
                .requireBasic(("bob:" + password)::equals);
        Registry secured = Registry.startWithTokenAuth(tokens);
        Relay relay = new Relay(secured.url())) {
      Path secret = Files.writeString(dir.resolve("async-password"), password);
      relay.throttleUploads(256 << 10);
      String yaml =
          """
          forwarding:
            parallelUploads: 1
          upstreams:
            - name: docker.io
            - name: registry.test
              endpoints: ["%s"]
              push: true
              forwarding: async
              credentials:
                username: bob
                password: "file:%s"
          """
              .formatted(relay.url(), secret);
      try (Berth berth = Berth.start(dir.resolve("slow"), yaml)) {
        RegistryClient client = berth.client();
        String repo = "registry.test/team/slow";
        // Blobs start upstream as their uploads to Berth complete: the forward starts here.
        int issued = tokens.issued().size();
        long start = System.nanoTime();
        List<String> layers = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          byte[] layer = new byte[512 << 10];
          new Random(10 + i).nextBytes(layer);
          layers.add(client.pushBlob(repo, layer));
          sizes.add((long) layer.length);
        }
        byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        String configDigest = client.pushBlob(repo, config);
        byte[] manifest = TestImages.manifest(configDigest, config.length, layers, sizes);
        client.pushManifest(repo, "1", TestImages.OCI_MANIFEST, manifest);
        Cmd.Result waited = await(berth.address(), "--timeout", "120s", repo + ":1");
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(waited.exit()).as(waited.out() + waited.err()).isZero();

        // 1.5 MiB at 256 KiB/s, one stream at a time: the forward outlives two 3-second tokens.
        assertThat(took).isGreaterThan(6_000);
        assertThat(relay.maxConcurrentUploads()).isEqualTo(1);
        assertThat(tokens.issued().size() - issued).isGreaterThanOrEqualTo(2);
        HttpResponse<byte[]> got =
            secured
                .client()
                .withBearer(tokens.tokenFor("repository:team/slow:pull", "bob:" + password))
                .get("/v2/team/slow/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(manifest);
      }
    }
  }

  @Test
  void killedAtRandomMomentsItLosesNothingItAcknowledged() throws Exception {
    Path data = dir.resolve("crash");
    try (Relay relay = new Relay(upstream.url())) {
      // Forwards take a while, so kills land in the middle of them as well as of pushes.
      relay.throttleUploads(1 << 20);
      Path config = Files.writeString(dir.resolve("crash.yaml"), asyncConfig(relay.url(), ""));
      Random random = new Random(42);
      Map<String, byte[]> acknowledged = new java.util.LinkedHashMap<>();
      var current =
          new java.util.concurrent.atomic.AtomicReference<>(
              BerthProcess.serve(List.of(), config, data));
      var stop = new java.util.concurrent.atomic.AtomicBoolean();
      var kills = new java.util.concurrent.atomic.AtomicInteger();
      Thread killer =
          new Thread(
              () -> {
                Random r = new Random(7);
                while (!stop.get()) {
                  try {
                    Thread.sleep(500 + r.nextInt(1500));
                    if (stop.get()) {
                      return;
                    }
                    BerthProcess dead = current.get();
                    dead.process().destroyForcibly().waitFor(); // SIGKILL
                    kills.incrementAndGet();
                    current.set(BerthProcess.serve(List.of(), config, data));
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                }
              });
      killer.start();
      try {
        for (int i = 0; i < 20; i++) {
          String tag = "v" + i;
          while (true) {
            try {
              RegistryClient client = new RegistryClient("http://" + current.get().address());
              byte[] manifest =
                  pushImage(client, "registry.test/crash/app", tag, 512 << 10, 100 + i);
              acknowledged.put(tag, manifest);
              break;
            } catch (AssertionError e) {
              Thread.sleep(100); // Berth died under this push: push again, as a client would.
            }
          }
          Thread.sleep(random.nextInt(300));
        }
      } finally {
        stop.set(true);
        killer.join();
      }
      assertThat(kills.get()).as("kill -9s during the pushes").isGreaterThanOrEqualTo(3);
      BerthProcess berth = current.get();
      try {
        Cmd.Result waited = await(berth.address(), "--all", "--timeout", "180s");
        assertThat(waited.exit()).as(waited.out() + waited.err() + berth.log()).isZero();
        for (var e : acknowledged.entrySet()) {
          HttpResponse<byte[]> got = upstreamManifest("crash/app", e.getKey());
          assertThat(got.statusCode()).as(e.getKey()).isEqualTo(200);
          assertThat(got.headers().firstValue("docker-content-digest"))
              .as(e.getKey())
              .contains(Digests.sha256(e.getValue()));
        }
        JsonNode status = forwarding(berth.address());
        assertThat(status.path("failed")).isEmpty();
      } finally {
        berth.process().destroyForcibly().waitFor();
      }
      // No blob is stored under a digest its bytes do not have.
      try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat("sha256:" + f.getFileName())
              .as(f.toString())
              .isEqualTo(Digests.sha256(Files.readAllBytes(f)));
        }
      }
    }
  }
}
