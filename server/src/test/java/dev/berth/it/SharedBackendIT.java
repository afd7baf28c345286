package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.HttpStatus;
import dev.berth.config.StorageConfig;
import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.SharedBackends;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth on the shared backends (a real s3proxy and a real PostgreSQL): what it holds outlives the
 * process and its data directory, and when a backend goes away it serves what it can, refuses the
 * rest with {@code 503 UNAVAILABLE} naming the backend, leaves the load balancer, and comes back by
 * itself.
 */
class SharedBackendIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> ACCEPT =
      Map.of("accept", TestImages.OCI_INDEX + ", " + TestImages.OCI_MANIFEST);

  @TempDir static Path dir;
  static Registry hub;
  static Registry target;

  @BeforeAll
  static void start() {
    hub = Registry.start();
    target = Registry.start();
  }

  @AfterAll
  static void stop() {
    hub.close();
    target.close();
  }

  @AfterEach
  void backendsBack() throws Exception {
    // A failed test must not leave the next one without its backends.
    SharedBackends.postgres().restart();
    if (!SharedBackends.s3().running()) {
      SharedBackends.s3().restart();
    }
  }

  private static String config(String forwardTo, StorageConfig backends) {
    return onDisk(forwardTo) + "storage:\n" + SharedBackends.yaml(backends);
  }

  /** The same Berth on the filesystem backend. */
  private static String onDisk(String forwardTo) {
    return """
        cache:
          tagTtl: 1h
        localPrefixes: [local]
        upstreams:
          - name: docker.io
            endpoints: ["%s"]
          - name: registry.test
            endpoints: ["%s"]
            push: true
            forwarding: async
            credentials: {source: none}
        """
        .formatted(hub.url(), forwardTo);
  }

  /** Every digest an image pull reads: the index, its manifests, their configs and layers. */
  private record Pulled(byte[] index, List<String> manifests, List<String> blobs) {}

  /** Pulls {@code repo:tag} through {@code berth} as a client would; asserts every answer. */
  private static Pulled pull(RegistryClient berth, String repo, String tag) throws Exception {
    HttpResponse<byte[]> index = berth.get("/v2/" + repo + "/manifests/" + tag, ACCEPT);
    assertThat(index.statusCode())
        .as(new String(index.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    List<String> manifests = new ArrayList<>();
    List<String> blobs = new ArrayList<>();
    for (JsonNode m : JSON.readTree(index.body()).path("manifests")) {
      String digest = m.path("digest").asText();
      HttpResponse<byte[]> manifest = berth.get("/v2/" + repo + "/manifests/" + digest, ACCEPT);
      assertThat(manifest.statusCode()).isEqualTo(200);
      assertThat(Digests.sha256(manifest.body())).isEqualTo(digest);
      manifests.add(digest);
      JsonNode json = JSON.readTree(manifest.body());
      blobs.add(json.path("config").path("digest").asText());
      json.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
    }
    for (String blob : blobs) {
      HttpResponse<byte[]> got = berth.get("/v2/" + repo + "/blobs/" + blob);
      assertThat(got.statusCode()).as(blob).isEqualTo(200);
      assertThat(Digests.sha256(got.body())).isEqualTo(blob);
    }
    return new Pulled(index.body(), manifests, blobs);
  }

  private static byte[] pushImage(RegistryClient client, String repo, String tag, long seed) {
    byte[] layer = new byte[64 << 10];
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

  /** The names of the objects in the bucket of {@code backends}. */
  private static List<String> objects(StorageConfig backends) {
    String bucket = java.util.Objects.requireNonNull(backends.objectStore()).bucket();
    try (var s3 = SharedBackends.s3().client()) {
      return s3.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream()
          .map(o -> o.key())
          .toList();
    }
  }

  private static HttpResponse<String> readyz(String address) throws Exception {
    return Http.send("GET", "http://" + address + "/readyz", null, Map.of());
  }

  @Test
  void killedAndStartedOnAnEmptyDiskItServesEverythingWithoutTheUpstreamAndFinishesItsForwards()
      throws Exception {
    TestImages.pushMultiArch(hub.client(), "library/kept", "1");
    StorageConfig backends = SharedBackends.newBackends();
    try (Relay relay = new Relay(target.url())) {
      Path config = Files.writeString(dir.resolve("kill.yaml"), config(relay.url(), backends));
      Pulled first;
      byte[] pushed;
      try (BerthProcess berth = BerthProcess.serve(List.of(), config, dir.resolve("kill-1"))) {
        first = pull(berth.client(), "library/kept", "1");
        // Acknowledged while the target refuses everything: only the journal holds the forward.
        relay.failWith(HttpStatus.SERVICE_UNAVAILABLE);
        pushed = pushImage(berth.client(), "registry.test/team/kept", "1", 7);
        berth.process().destroyForcibly().waitFor();
      }
      assertThat(
              target
                  .client()
                  .get("/v2/team/kept/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST))
                  .statusCode())
          .isEqualTo(404);

      // Another data directory, empty; the upstream of the pulled image no longer answers.
      String hubless =
          Files.readString(config)
              .replace(hub.url(), "http://127.0.0.1:" + dev.berth.testing.Ports.free());
      Files.writeString(config, hubless);
      relay.reset();
      try (BerthProcess berth = BerthProcess.serve(List.of(), config, dir.resolve("kill-2"))) {
        Pulled again = pull(berth.client(), "library/kept", "1");
        assertThat(again.index()).isEqualTo(first.index());
        assertThat(again.blobs()).isEqualTo(first.blobs());

        Cmd.Result waited =
            Cmd.run(
                BerthProcess.command(
                    List.of(),
                    List.of("await", "--berth", berth.address(), "--all", "--timeout", "90s")),
                120);
        assertThat(waited.exit()).as(waited.out() + waited.err() + berth.log()).isZero();
        HttpResponse<byte[]> forwarded =
            target
                .client()
                .get("/v2/team/kept/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST));
        assertThat(forwarded.statusCode()).isEqualTo(200);
        assertThat(forwarded.body()).isEqualTo(pushed);
      }
    }
  }

  @Test
  void aDataDirectoryMigratedIntoTheSharedBackendsIsServedFromThemOnAnEmptyDisk() throws Exception {
    TestImages.pushMultiArch(hub.client(), "library/moved", "1");
    Path data = dir.resolve("migrate-from");
    Pulled pulled;
    byte[] pushed;
    try (Berth berth = Berth.start(data, onDisk(target.url()))) {
      pulled = pull(berth.client(), "library/moved", "1");
      pushed = pushImage(berth.client(), "local/team/moved", "1", 11);
    }
    StorageConfig backends = SharedBackends.newBackends();
    Path into = Files.writeString(dir.resolve("migrate-to.yaml"), config(target.url(), backends));
    List<String> migrate = List.of("migrate", "--to", into.toString(), "--data", data.toString());

    Cmd.Result first = Cmd.run(BerthProcess.command(List.of(), migrate), 120);
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).contains("migrated").contains(backends.objectStore().bucket());
    // Run again (after an interruption, say): nothing is copied twice, nothing fails.
    Cmd.Result again = Cmd.run(BerthProcess.command(List.of(), migrate), 120);
    assertThat(again.exit()).as(again.out() + again.err()).isZero();

    // An empty data directory and no upstream: the shared backends alone serve it all.
    String offline = config(target.url(), backends).replace(hub.url(), "http://127.0.0.1:1");
    try (Berth berth = Berth.start(dir.resolve("migrate-empty"), offline)) {
      Pulled served = pull(berth.client(), "library/moved", "1");
      assertThat(served.index()).isEqualTo(pulled.index());
      assertThat(served.blobs()).isEqualTo(pulled.blobs());
      assertThat(berth.client().get("/v2/local/team/moved/manifests/1", ACCEPT).body())
          .isEqualTo(pushed);
    }

    // A blob whose bytes are not its digest stops the migration, naming it.
    String layer = pulled.blobs().get(pulled.blobs().size() - 1);
    String hex = layer.substring("sha256:".length());
    Path file = data.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
    byte[] bytes = Files.readAllBytes(file);
    bytes[0] ^= 1;
    Files.write(file, bytes);
    Path other =
        Files.writeString(
            dir.resolve("migrate-other.yaml"), config(target.url(), SharedBackends.newBackends()));
    Cmd.Result bad =
        Cmd.run(
            BerthProcess.command(
                List.of(), List.of("migrate", "--to", other.toString(), "--data", data.toString())),
            120);
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains(layer).contains("holds bytes with digest");

    // Into a configuration on the filesystem backend: a usage error.
    Path nowhere = Files.writeString(dir.resolve("migrate-fs.yaml"), onDisk(target.url()));
    Cmd.Result usage =
        Cmd.run(
            BerthProcess.command(
                List.of(),
                List.of("migrate", "--to", nowhere.toString(), "--data", data.toString())),
            60);
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.err()).contains("storage.backend is not shared");
  }

  @Test
  void withTheObjectStoreStoppedItServesItsLocalTierAndRefusesMissesNamingTheObjectStore()
      throws Exception {
    TestImages.pushMultiArch(hub.client(), "library/held", "1");
    TestImages.Index missedImage = TestImages.pushMultiArch(hub.client(), "library/missed", "1");
    StorageConfig backends = SharedBackends.newBackends();
    try (Berth berth = Berth.start(dir.resolve("s3-down"), config(target.url(), backends))) {
      RegistryClient client = berth.client();
      Pulled held = pull(client, "library/held", "1");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> readyz(berth.address()).statusCode() == 200);

      SharedBackends.s3().stop();
      pull(client, "library/held", "1");
      HttpResponse<byte[]> missed = client.get("/v2/library/missed/manifests/1", ACCEPT);
      assertThat(missed.statusCode()).isEqualTo(503);
      assertThat(new String(missed.body(), StandardCharsets.UTF_8))
          .contains("UNAVAILABLE")
          .contains("object store");
      // A blob miss streams from the upstream, verified as it arrives; it cannot be stored.
      String layer = missedImage.images().get(0).layers().get(0);
      HttpResponse<byte[]> streamed = client.get("/v2/library/missed/blobs/" + layer);
      assertThat(streamed.statusCode()).isEqualTo(200);
      assertThat(Digests.sha256(streamed.body())).isEqualTo(layer);
      byte[] blob = "pushed while the object store is away".getBytes(StandardCharsets.UTF_8);
      String blobDigest = Digests.sha256(blob);
      HttpResponse<String> push =
          Http.send(
              "POST",
              client.base() + "/v2/local/team/app/blobs/uploads/?digest=" + blobDigest,
              blob,
              Map.of("content-type", "application/octet-stream"));
      assertThat(push.statusCode()).as(push.body()).isEqualTo(503);
      assertThat(push.body()).contains("UNAVAILABLE").contains("object store");
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                HttpResponse<String> ready = readyz(berth.address());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("object store unavailable");
              });

      SharedBackends.s3().restart();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> readyz(berth.address()).statusCode() == 200);
      assertThat(objects(backends)).noneMatch(name -> name.endsWith(layer.substring(7)));
      pull(client, "library/missed", "1");
      assertThat(objects(backends)).anyMatch(name -> name.endsWith(layer.substring(7)));
      assertThat(held.blobs()).isNotEmpty();
      // The refused push left nothing under its digest.
      assertThat(
              client.send("HEAD", "/v2/local/team/app/blobs/" + blobDigest, Map.of()).statusCode())
          .isEqualTo(404);
      byte[] manifest = pushImage(client, "local/team/app", "1", 3);
      assertThat(client.get("/v2/local/team/app/manifests/1", ACCEPT).body()).isEqualTo(manifest);
    }
  }

  @Test
  void withTheDatabaseStoppedItServesWhatItReadRecentlyAndRefusesTheRestNamingTheDatabase()
      throws Exception {
    TestImages.pushMultiArch(hub.client(), "library/recent", "1");
    TestImages.pushMultiArch(hub.client(), "library/unread", "1");
    try (Berth berth =
        Berth.start(dir.resolve("pg-down"), config(target.url(), SharedBackends.newBackends()))) {
      RegistryClient client = berth.client();
      pull(client, "library/recent", "1");

      SharedBackends.postgres().stop();
      pull(client, "library/recent", "1");
      HttpResponse<byte[]> unread = client.get("/v2/library/unread/manifests/1", ACCEPT);
      assertThat(unread.statusCode()).isEqualTo(503);
      assertThat(new String(unread.body(), StandardCharsets.UTF_8))
          .contains("UNAVAILABLE")
          .contains("database");
      HttpResponse<byte[]> push = client.send("POST", "/v2/local/team/db/blobs/uploads/", Map.of());
      assertThat(push.statusCode()).isEqualTo(503);
      assertThat(new String(push.body(), StandardCharsets.UTF_8)).contains("database");
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                HttpResponse<String> ready = readyz(berth.address());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("database unavailable");
              });

      SharedBackends.postgres().restart();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> readyz(berth.address()).statusCode() == 200);
      pull(client, "library/unread", "1");
      byte[] manifest = pushImage(client, "local/team/db", "1", 5);
      assertThat(client.get("/v2/local/team/db/manifests/1", ACCEPT).body()).isEqualTo(manifest);
    }
  }
}
