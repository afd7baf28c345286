package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Http;
import dev.berth.testing.RawUpload;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes through Berth to a real Distribution registry in token-auth mode whose tokens live 3
 * seconds and go only to the right password (sync mode): when the client's manifest {@code PUT} is
 * answered, the upstream holds the manifest and everything it names.
 */
class ForwardIT {
  private static final String PASSWORD = "push-s3cret";
  @TempDir static Path dir;
  static TokenServer tokens;
  static Registry upstream;
  static Registry source;
  static Relay relay;
  static Berth berth;

  @BeforeAll
  static void start() throws Exception {
    tokens = new TokenServer(dir, 3).requireBasic(("alice:" + PASSWORD)::equals);
    upstream = Registry.startWithTokenAuth(tokens);
    source = Registry.start();
    relay = new Relay(upstream.url());
    Path secret = Files.writeString(dir.resolve("password"), PASSWORD);
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
              - name: registry.test
                endpoints: ["%s"]
                push: true
                credentials:
                  username: alice
                  password: "file:%s"
            """
                .formatted(source.url(), relay.url(), secret));
  }

  @AfterAll
  static void stop() {
    berth.close();
    relay.close();
    source.close();
    upstream.close();
    tokens.close();
  }

  /** The upstream as a client with its own token for {@code repo}. */
  private static RegistryClient upstreamClient(String repo) throws Exception {
    return upstream
        .client()
        .withBearer(tokens.tokenFor("repository:" + repo + ":pull", "alice:" + PASSWORD));
  }

  @Test
  void skopeoCopyOfAMultiArchIndexLandsUpstreamWhenSkopeoReturns() throws Exception {
    TestImages.Index index = TestImages.pushMultiArch(source.client(), "library/demo", "1");
    Cmd.skopeoCopy(
            "docker://127.0.0.1:" + source.port() + "/library/demo:1",
            "docker://" + berth.address() + "/registry.test/team/demo:1")
        .ok();
    RegistryClient up = upstreamClient("team/demo");
    HttpResponse<byte[]> got =
        up.get("/v2/team/demo/manifests/1", Map.of("accept", TestImages.OCI_INDEX));
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("docker-content-digest")).contains(index.digest());
    for (TestImages.Image image : index.images()) {
      assertThat(
              up.get(
                      "/v2/team/demo/manifests/" + image.digest(),
                      Map.of("accept", TestImages.OCI_MANIFEST))
                  .statusCode())
          .isEqualTo(200);
      for (String layer : image.layers()) {
        assertThat(up.send("HEAD", "/v2/team/demo/blobs/" + layer, Map.of()).statusCode())
            .isEqualTo(200);
      }
    }
  }

  @Test
  void aLayerPushedInOneRequestStreamsUpstreamWhileTheClientIsStillSendingIt() throws Exception {
    byte[] layer = new byte[6 << 20];
    new java.util.Random(17).nextBytes(layer);
    String digest = dev.berth.testing.Digests.sha256(layer);
    String repo = "registry.test/team/streamed";
    HttpResponse<String> started =
        Http.send(
            "POST",
            "http://" + berth.address() + "/v2/" + repo + "/blobs/uploads/",
            null,
            Map.of());
    String location = started.headers().firstValue("location").orElseThrow();
    long before = relay.uploadBytesReceived();
    try (RawUpload put = RawUpload.start(location + "?digest=" + digest, layer.length)) {
      put.send(layer, 0, layer.length / 2);
      // Half the layer is with Berth and the client waits: the upstream gets bytes already.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> relay.uploadBytesReceived() - before >= 1 << 20);
      put.send(layer, layer.length / 2, layer.length - layer.length / 2);
      assertThat(put.status()).isEqualTo(201);
    }
    RegistryClient client = berth.client();
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String configDigest = client.pushBlob(repo, config);
    byte[] manifest =
        TestImages.manifest(
            configDigest, config.length, List.of(digest), List.of((long) layer.length));
    client.pushManifest(repo, "1", TestImages.OCI_MANIFEST, manifest);

    RegistryClient up = upstreamClient("team/streamed");
    assertThat(up.send("HEAD", "/v2/team/streamed/blobs/" + digest, Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(relay.requests().stream().filter(r -> r.startsWith("PUT") && r.contains(digest)))
        .as("uploads of the layer to the upstream")
        .hasSize(1);
    assertThat(relay.uploadBytesReceived() - before).isGreaterThanOrEqualTo(layer.length);
  }

  @Test
  void manifestPutAfterTenSecondsOfBuildStillLandsUpstream() throws Exception {
    RegistryClient client = berth.client();
    String repo = "registry.test/team/late";
    byte[] layer = TestImages.gzip("built for a long time".getBytes(StandardCharsets.UTF_8));
    String layerDigest = client.pushBlob(repo, layer);
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String configDigest = client.pushBlob(repo, config);
    int issued = tokens.issued().size();
    // The build goes on after its layers were uploaded; every token minted so far dies meanwhile.
    tokens.awaitEveryTokenExpired();
    byte[] manifest =
        TestImages.manifest(
            configDigest, config.length, List.of(layerDigest), List.of((long) layer.length));
    String digest = client.pushManifest(repo, "1", TestImages.OCI_MANIFEST, manifest);
    assertThat(tokens.issued().size()).as("tokens minted after the wait").isGreaterThan(issued);
    HttpResponse<byte[]> got =
        upstreamClient("team/late")
            .get("/v2/team/late/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST));
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(manifest);
    assertThat(got.headers().firstValue("docker-content-digest")).contains(digest);
  }

  @Test
  void layersTheUpstreamHasNeedNoUploadAndUnknownOnesAreRefused() throws Exception {
    byte[] layer = TestImages.gzip("already upstream".getBytes(StandardCharsets.UTF_8));
    RegistryClient direct =
        upstream
            .client()
            .withBearer(tokens.tokenFor("repository:team/shared:pull,push", "alice:" + PASSWORD));
    String layerDigest = direct.pushBlob("team/shared", layer);
    RegistryClient client = berth.client();
    byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String configDigest = client.pushBlob("registry.test/team/shared", config);
    byte[] manifest =
        TestImages.manifest(
            configDigest, config.length, List.of(layerDigest), List.of((long) layer.length));
    // The layer was never uploaded to Berth: a client skips it after a HEAD found it upstream.
    client.pushManifest("registry.test/team/shared", "1", TestImages.OCI_MANIFEST, manifest);
    assertThat(
            upstreamClient("team/shared")
                .get("/v2/team/shared/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST))
                .body())
        .isEqualTo(manifest);

    String nowhere = dev.berth.testing.Digests.sha256("nowhere".getBytes(StandardCharsets.UTF_8));
    byte[] broken = TestImages.manifest(configDigest, config.length, List.of(nowhere), List.of(7L));
    HttpResponse<String> put =
        Http.send(
            "PUT",
            "http://" + berth.address() + "/v2/registry.test/team/shared/manifests/2",
            broken,
            Map.of("content-type", TestImages.OCI_MANIFEST));
    assertThat(put.statusCode()).isEqualTo(404);
    assertThat(put.body()).contains("MANIFEST_BLOB_UNKNOWN").contains(nowhere);
    assertThat(
            upstreamClient("team/shared")
                .get("/v2/team/shared/manifests/2", Map.of("accept", TestImages.OCI_MANIFEST))
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void dockerPushAndCtrPushLandUpstream(@TempDir Path work) throws Exception {
    // An image in dockerd from a tarball, as no image can be pulled here.
    Path rootfs = Files.createDirectories(work.resolve("rootfs"));
    Files.writeString(rootfs.resolve("hello.txt"), "pushed by docker");
    Path tar = work.resolve("rootfs.tar");
    Cmd.run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).ok();
    String ref = berth.address() + "/registry.test/team/docker:1";
    Cmd.run(List.of("docker", "import", tar.toString(), ref)).ok();
    try {
      String out = Cmd.run(List.of("docker", "push", ref)).ok().out();
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("digest: (sha256:[0-9a-f]{64})").matcher(out);
      assertThat(m.find()).as(out).isTrue();
      HttpResponse<byte[]> got =
          upstreamClient("team/docker")
              .get(
                  "/v2/team/docker/manifests/1",
                  Map.of("accept", "application/vnd.docker.distribution.manifest.v2+json"));
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.headers().firstValue("docker-content-digest")).contains(m.group(1));
    } finally {
      Cmd.run(List.of("docker", "image", "rm", ref));
    }

    String containerd = "/var/run/docker/containerd/containerd.sock";
    List<String> ctr = List.of("ctr", "-a", containerd, "-n", "berth-test");
    TestImages.Index index = TestImages.pushMultiArch(source.client(), "library/ctr", "1");
    String from = "127.0.0.1:" + source.port() + "/library/ctr:1";
    String to = berth.address() + "/registry.test/team/ctr:1";
    Cmd.run(concat(ctr, "images", "pull", "--plain-http", "--all-platforms", from)).ok();
    try {
      Cmd.run(concat(ctr, "images", "tag", "--force", from, to)).ok();
      Cmd.run(concat(ctr, "images", "push", "--plain-http", to)).ok();
      HttpResponse<byte[]> got =
          upstreamClient("team/ctr")
              .get("/v2/team/ctr/manifests/1", Map.of("accept", TestImages.OCI_INDEX));
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.headers().firstValue("docker-content-digest")).contains(index.digest());
    } finally {
      Cmd.run(concat(ctr, "images", "rm", from, to));
    }
  }

  @Test
  void buildKitRegistryCacheRoundTripsThroughTheUpstreamByteExact() throws Exception {
    RegistryClient client = berth.client();
    String repo = "registry.test/team/cache";
    byte[] cacheConfig = "{\"layers\":[],\"records\":[]}".getBytes(StandardCharsets.UTF_8);
    String configDigest = client.pushBlob(repo, cacheConfig);
    byte[] layer = TestImages.gzip("cached layer".getBytes(StandardCharsets.UTF_8));
    String layerDigest = client.pushBlob(repo, layer);
    byte[] image =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.buildkit.cacheconfig.v0\","
                + "\"digest\":\"%s\",\"size\":%d},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%d}]}")
            .formatted(configDigest, cacheConfig.length, layerDigest, layer.length)
            .getBytes(StandardCharsets.UTF_8);
    // The index form (mode=max with image-manifest=false): entries are blobs, not manifests.
    byte[] index =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"%s\",\"size\":%d},{\"mediaType\":"
                + "\"application/vnd.buildkit.cacheconfig.v0\",\"digest\":\"%s\",\"size\":%d}]}")
            .formatted(layerDigest, layer.length, configDigest, cacheConfig.length)
            .getBytes(StandardCharsets.UTF_8);
    String imageDigest = client.pushManifest(repo, "cache", TestImages.OCI_MANIFEST, image);
    String indexDigest = client.pushManifest(repo, "cache-index", TestImages.OCI_INDEX, index);

    RegistryClient up = upstreamClient("team/cache");
    assertThat(
            up.get("/v2/team/cache/manifests/cache", Map.of("accept", TestImages.OCI_MANIFEST))
                .body())
        .isEqualTo(image);
    assertThat(
            up.get("/v2/team/cache/manifests/cache-index", Map.of("accept", TestImages.OCI_INDEX))
                .body())
        .isEqualTo(index);
    assertThat(up.send("HEAD", "/v2/team/cache/blobs/" + configDigest, Map.of()).statusCode())
        .isEqualTo(200);

    // Pulled back through a fresh Berth, which has only the upstream to ask.
    try (Berth fresh =
        Berth.start(
            dir.resolve("fresh"),
            """
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
              - name: registry.test
                endpoints: ["%s"]
                credentials:
                  username: alice
                  password: "%s"
            """
                .formatted(source.url(), relay.url(), PASSWORD))) {
      HttpResponse<byte[]> gotImage =
          fresh
              .client()
              .get(
                  "/v2/registry.test/team/cache/manifests/cache",
                  Map.of("accept", TestImages.OCI_MANIFEST));
      assertThat(gotImage.body()).isEqualTo(image);
      assertThat(gotImage.headers().firstValue("docker-content-digest")).contains(imageDigest);
      HttpResponse<byte[]> gotIndex =
          fresh
              .client()
              .get(
                  "/v2/registry.test/team/cache/manifests/cache-index",
                  Map.of("accept", TestImages.OCI_INDEX));
      assertThat(gotIndex.body()).isEqualTo(index);
      assertThat(gotIndex.headers().firstValue("docker-content-digest")).contains(indexDigest);
      assertThat(fresh.client().get("/v2/registry.test/team/cache/blobs/" + layerDigest).body())
          .isEqualTo(layer);
    }
  }

  @Test
  void aBlobForwardedToOneRepositoryIsMountedIntoTheNext() throws Exception {
    RegistryClient client = berth.client();
    byte[] layer = TestImages.gzip("shared between repositories".getBytes(StandardCharsets.UTF_8));
    byte[] config = "{\"os\":\"linux\",\"n\":2}".getBytes(StandardCharsets.UTF_8);
    String layerDigest = client.pushBlob("registry.test/team/one", layer);
    String configDigest = client.pushBlob("registry.test/team/one", config);
    byte[] manifest =
        TestImages.manifest(
            configDigest, config.length, List.of(layerDigest), List.of((long) layer.length));
    client.pushManifest("registry.test/team/one", "1", TestImages.OCI_MANIFEST, manifest);
    relay.reset();
    for (String digest : List.of(layerDigest, configDigest)) {
      HttpResponse<String> mounted =
          Http.send(
              "POST",
              "http://"
                  + berth.address()
                  + "/v2/registry.test/team/two/blobs/uploads/?mount="
                  + digest
                  + "&from=registry.test/team/one",
              null,
              Map.of());
      assertThat(mounted.statusCode()).isEqualTo(201);
    }
    client.pushManifest("registry.test/team/two", "1", TestImages.OCI_MANIFEST, manifest);
    assertThat(relay.requests())
        .anyMatch(r -> r.startsWith("POST /v2/team/two/blobs/uploads/?mount=" + layerDigest))
        .noneMatch(r -> r.startsWith("PUT /v2/team/two/blobs/uploads/"));
    assertThat(
            upstreamClient("team/two")
                .get("/v2/team/two/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST))
                .body())
        .isEqualTo(manifest);
  }

  @Test
  void referrersReachAnUpstreamWithoutTheReferrersApiAsItsFallbackTag() throws Exception {
    RegistryClient client = berth.client();
    String repo = "registry.test/team/refs";
    TestImages.Image image = TestImages.pushImage(client, repo, "linux/amd64", "subject");
    client.pushManifest(repo, "1", TestImages.OCI_MANIFEST, image.manifest());
    String empty = client.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8));
    String sbom = artifact(client, repo, "application/vnd.example.sbom", empty, image);
    String sig = artifact(client, repo, "application/vnd.example.sig", empty, image);

    // Distribution 2.8 has no referrers API: Berth keeps the referrers tag schema's index there.
    HttpResponse<byte[]> index =
        upstreamClient("team/refs")
            .get(
                "/v2/team/refs/manifests/" + image.digest().replace(':', '-'),
                Map.of("accept", TestImages.OCI_INDEX));
    assertThat(index.statusCode()).isEqualTo(200);
    var manifests = new com.fasterxml.jackson.databind.ObjectMapper().readTree(index.body());
    assertThat(manifests.path("manifests").findValuesAsText("digest"))
        .containsExactlyInAnyOrder(sbom, sig);
    assertThat(manifests.path("manifests").findValuesAsText("artifactType"))
        .containsExactlyInAnyOrder("application/vnd.example.sbom", "application/vnd.example.sig");

    // Berth answers the referrers API for the upstream repository from that index.
    HttpResponse<String> all =
        Http.send(
            "GET",
            "http://" + berth.address() + "/v2/" + repo + "/referrers/" + image.digest(),
            null,
            Map.of());
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.body()).contains(sbom).contains(sig);
    HttpResponse<String> filtered =
        Http.send(
            "GET",
            "http://"
                + berth.address()
                + "/v2/"
                + repo
                + "/referrers/"
                + image.digest()
                + "?artifactType=application/vnd.example.sig",
            null,
            Map.of());
    assertThat(filtered.body()).contains(sig).doesNotContain(sbom);
    assertThat(filtered.headers().firstValue("oci-filters-applied")).contains("artifactType");
    HttpResponse<String> none =
        Http.send(
            "GET",
            "http://" + berth.address() + "/v2/" + repo + "/referrers/" + empty,
            null,
            Map.of());
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(none.body()).contains("\"manifests\":[]");
  }

  /** Pushes through Berth an artifact of {@code type} about {@code subject}; returns its digest. */
  private static String artifact(
      RegistryClient client,
      String repo,
      String type,
      String emptyConfig,
      TestImages.Image subject) {
    byte[] manifest = TestImages.artifact(type, emptyConfig, subject);
    String digest = dev.berth.testing.Digests.sha256(manifest);
    client.pushManifest(repo, digest, TestImages.OCI_MANIFEST, manifest);
    return digest;
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new java.util.ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }
}
