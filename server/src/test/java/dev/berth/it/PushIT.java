package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.BlobClient;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes into local-only repositories: real clients (skopeo, and the HTTP forms the OCI conformance
 * suite sends) store content in Berth and pull it back byte-exact.
 */
class PushIT {
  @TempDir static Path dir;
  static Registry registry;
  static Berth berth;
  static String base;

  @BeforeAll
  static void start() {
    registry = Registry.start();
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            localPrefixes: [team]
            storage:
              diskBudget: 1MiB
              allowDelete: true
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
              - name: push.example
                endpoints: ["%s"]
                push: true
            """
                .formatted(registry.url(), registry.url()));
    base = "http://" + berth.address();
  }

  @AfterAll
  static void stop() {
    berth.close();
    registry.close();
  }

  @Test
  void skopeoPushesAMultiArchIndexAndPullsItBackByteExact(@TempDir Path out) throws Exception {
    TestImages.Index index = TestImages.pushMultiArch(registry.client(), "library/demo", "1");
    Cmd.skopeoCopy(
            "docker://127.0.0.1:" + registry.port() + "/library/demo:1",
            "docker://" + berth.address() + "/team/demo:1")
        .ok();
    String raw =
        Cmd.run(
                List.of(
                    "skopeo",
                    "inspect",
                    "--raw",
                    "--tls-verify=false",
                    "docker://" + berth.address() + "/team/demo:1"))
            .ok()
            .out();
    assertThat(Digests.sha256(raw.getBytes(StandardCharsets.UTF_8))).isEqualTo(index.digest());
    Cmd.skopeoCopyAll(berth.address(), "team/demo:1", out.resolve("back"));
    String layoutIndex = Files.readString(out.resolve("back/index.json"));
    assertThat(layoutIndex).contains(index.digest());
    for (TestImages.Image image : index.images()) {
      for (String layer : image.layers()) {
        assertThat(out.resolve("back/blobs/sha256/" + layer.substring(7))).exists();
      }
    }
  }

  @Test
  void chunksMustComeInOrderAndStatusTellsWhereTheUploadIs() throws Exception {
    byte[] blob = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    String digest = Digests.sha256(blob);
    HttpResponse<String> started = send("POST", "/v2/team/chunks/blobs/uploads/", null, Map.of());
    assertThat(started.statusCode()).isEqualTo(202);
    String location = started.headers().firstValue("location").orElseThrow();
    assertThat(location).startsWith(base + "/v2/team/chunks/blobs/uploads/");

    HttpResponse<String> first = patch(location, blob, 0, 10);
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(first.headers().firstValue("range")).contains("0-9");
    HttpResponse<String> again = patch(location, blob, 0, 10);
    assertThat(again.statusCode()).isEqualTo(416);
    assertThat(again.headers().firstValue("range")).contains("0-9");
    assertThat(again.headers().firstValue("location")).contains(location);
    assertThat(again.body()).contains("BLOB_UPLOAD_INVALID");
    assertThat(patch(location, blob, 15, 20).statusCode()).isEqualTo(416);

    HttpResponse<String> status = send("GET", location, null, Map.of());
    assertThat(status.statusCode()).isEqualTo(204);
    assertThat(status.headers().firstValue("range")).contains("0-9");

    HttpResponse<String> done =
        send(
            "PUT",
            location + "?digest=" + digest,
            java.util.Arrays.copyOfRange(blob, 10, 20),
            Map.of("content-range", "10-19"));
    assertThat(done.statusCode()).isEqualTo(201);
    assertThat(done.headers().firstValue("docker-content-digest")).contains(digest);
    BlobClient.Download back = new BlobClient(base).get("/v2/team/chunks/blobs/" + digest);
    assertThat(back.digest()).isEqualTo(digest);
    assertThat(send("GET", location, null, Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void streamedPatchSinglePostAndDigestMismatch() throws Exception {
    byte[] blob = "streamed without a content-range".getBytes(StandardCharsets.US_ASCII);
    String digest = Digests.sha256(blob);
    String location =
        send("POST", "/v2/team/stream/blobs/uploads/", null, Map.of())
            .headers()
            .firstValue("location")
            .orElseThrow();
    assertThat(send("PATCH", location, blob, Map.of()).statusCode()).isEqualTo(202);
    assertThat(send("PUT", location + "?digest=" + digest, null, Map.of()).statusCode())
        .isEqualTo(201);

    byte[] single = "one request".getBytes(StandardCharsets.US_ASCII);
    String singleDigest = Digests.sha256(single);
    HttpResponse<String> posted =
        send("POST", "/v2/team/stream/blobs/uploads/?digest=" + singleDigest, single, Map.of());
    assertThat(posted.statusCode()).isEqualTo(201);
    assertThat(new BlobClient(base).get("/v2/team/stream/blobs/" + singleDigest).digest())
        .isEqualTo(singleDigest);

    byte[] other = "not what the digest says".getBytes(StandardCharsets.US_ASCII);
    HttpResponse<String> wrong =
        send("POST", "/v2/team/stream/blobs/uploads/?digest=" + digestOf("x"), other, Map.of());
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(wrong.body()).contains("DIGEST_INVALID");
    assertThat(send("GET", "/v2/team/stream/blobs/" + digestOf("x"), null, Map.of()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void monolithicUploadsLargerThanTheManifestCapAreStored() throws Exception {
    // ctr push and the conformance suite send a whole layer in one request with its
    // Content-Length, which a length cap on the route would refuse before Berth saw it.
    byte[] layer = new byte[(8 << 20) + 17];
    new java.util.Random(7).nextBytes(layer);
    String digest = Digests.sha256(layer);
    assertThat(
            send("POST", "/v2/team/big/blobs/uploads/?digest=" + digest, layer, Map.of())
                .statusCode())
        .isEqualTo(201);
    String location =
        send("POST", "/v2/team/bigger/blobs/uploads/", null, Map.of())
            .headers()
            .firstValue("location")
            .orElseThrow();
    assertThat(send("PUT", location + "?digest=" + digest, layer, Map.of()).statusCode())
        .isEqualTo(201);
    for (String repo : List.of("team/big", "team/bigger")) {
      assertThat(new BlobClient(base).get("/v2/" + repo + "/blobs/" + digest).digest())
          .isEqualTo(digest);
    }
  }

  @Test
  void mountOfAHeldBlobIsCreatedAndOfAnUnknownOneBecomesAnUpload() throws Exception {
    String held =
        berth.client().pushBlob("team/source", "mount me".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> mounted =
        send(
            "POST",
            "/v2/team/target/blobs/uploads/?mount=" + held + "&from=team/source",
            null,
            Map.of());
    assertThat(mounted.statusCode()).isEqualTo(201);
    assertThat(mounted.headers().firstValue("location"))
        .contains(base + "/v2/team/target/blobs/" + held);
    HttpResponse<String> unknown =
        send(
            "POST",
            "/v2/team/target/blobs/uploads/?mount=" + digestOf("never") + "&from=elsewhere/x",
            null,
            Map.of());
    assertThat(unknown.statusCode()).isEqualTo(202);
    String location = unknown.headers().firstValue("location").orElseThrow();
    assertThat(send("DELETE", location, null, Map.of()).statusCode()).isEqualTo(204);
    assertThat(send("GET", location, null, Map.of()).body()).contains("BLOB_UPLOAD_UNKNOWN");
  }

  @Test
  void manifestsNamingUnknownContentOrTooLargeAreRefused() throws Exception {
    String config = berth.client().pushBlob("team/bad", "{}".getBytes(StandardCharsets.UTF_8));
    byte[] manifest =
        TestImages.manifest(config, 2, List.of(digestOf("missing layer")), List.of(1L));
    HttpResponse<String> res =
        send(
            "PUT",
            "/v2/team/bad/manifests/1",
            manifest,
            Map.of("content-type", TestImages.OCI_MANIFEST));
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(res.body()).contains("MANIFEST_BLOB_UNKNOWN").contains(digestOf("missing layer"));

    byte[] huge = new byte[(4 << 20) + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    HttpResponse<String> tooLarge =
        send(
            "PUT",
            "/v2/team/bad/manifests/2",
            huge,
            Map.of("content-type", TestImages.OCI_MANIFEST));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(send("GET", "/v2/team/bad/manifests/1", null, Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void buildKitCacheManifestsRoundTripByteExact() throws Exception {
    RegistryClient client = berth.client();
    String cacheConfig =
        client.pushBlob(
            "team/cache", "{\"layers\":[],\"records\":[]}".getBytes(StandardCharsets.UTF_8));
    String layer = client.pushBlob("team/cache", "layer bytes".getBytes(StandardCharsets.UTF_8));
    byte[] image =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.buildkit.cacheconfig.v0\","
                + "\"digest\":\"%s\",\"size\":26},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":11}]}")
            .formatted(cacheConfig, layer)
            .getBytes(StandardCharsets.UTF_8);
    String imageDigest = client.pushManifest("team/cache", "cache", TestImages.OCI_MANIFEST, image);
    // The index form: its entries are the layers and the cache config, not manifests.
    byte[] index =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"%s\",\"size\":11},{\"mediaType\":"
                + "\"application/vnd.buildkit.cacheconfig.v0\",\"digest\":\"%s\",\"size\":26}]}")
            .formatted(layer, cacheConfig)
            .getBytes(StandardCharsets.UTF_8);
    String indexDigest =
        client.pushManifest("team/cache", "cache-index", TestImages.OCI_INDEX, index);
    HttpResponse<byte[]> gotImage =
        client.get("/v2/team/cache/manifests/cache", Map.of("accept", TestImages.OCI_MANIFEST));
    assertThat(gotImage.body()).isEqualTo(image);
    assertThat(gotImage.headers().firstValue("docker-content-digest")).contains(imageDigest);
    HttpResponse<byte[]> gotIndex =
        client.get(
            "/v2/team/cache/manifests/" + indexDigest, Map.of("accept", TestImages.OCI_INDEX));
    assertThat(gotIndex.body()).isEqualTo(index);
  }

  @Test
  void tagsOfALocalRepositoryAreListedAndPaged() throws Exception {
    TestImages.Image image =
        TestImages.pushImage(berth.client(), "team/tags", "linux/amd64", "tagged");
    for (String tag : List.of("c", "a", "b")) {
      berth.client().pushManifest("team/tags", tag, TestImages.OCI_MANIFEST, image.manifest());
    }
    assertThat(send("GET", "/v2/team/tags/tags/list", null, Map.of()).body())
        .isEqualTo("{\"name\":\"team/tags\",\"tags\":[\"a\",\"b\",\"c\"]}");
    HttpResponse<String> first = send("GET", "/v2/team/tags/tags/list?n=2", null, Map.of());
    assertThat(first.body()).contains("[\"a\",\"b\"]");
    assertThat(first.headers().firstValue("link")).isPresent();
    assertThat(send("GET", "/v2/team/tags/tags/list?n=2&last=b", null, Map.of()).body())
        .contains("[\"c\"]");
    assertThat(send("GET", "/v2/team/nothing/tags/list", null, Map.of()).body())
        .contains("NAME_UNKNOWN");
  }

  @Test
  void referrersOfALocalImageAreListedAndFilteredByArtifactType() throws Exception {
    RegistryClient client = berth.client();
    TestImages.Image image = TestImages.pushImage(client, "team/art", "linux/amd64", "subject");
    client.pushManifest("team/art", "1", TestImages.OCI_MANIFEST, image.manifest());
    String empty = client.pushBlob("team/art", "{}".getBytes(StandardCharsets.UTF_8));
    String sbom = artifact(client, "team/art", "application/vnd.example.sbom", empty, image);
    String sig = artifact(client, "team/art", "application/vnd.example.sig", empty, image);

    HttpResponse<String> all =
        send("GET", "/v2/team/art/referrers/" + image.digest(), null, Map.of());
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.headers().firstValue("content-type"))
        .contains("application/vnd.oci.image.index.v1+json");
    assertThat(all.body()).contains(sbom).contains(sig);
    HttpResponse<String> filtered =
        send(
            "GET",
            "/v2/team/art/referrers/"
                + image.digest()
                + "?artifactType=application/vnd.example.sbom",
            null,
            Map.of());
    assertThat(filtered.body()).contains(sbom).doesNotContain(sig);
    assertThat(filtered.headers().firstValue("oci-filters-applied")).contains("artifactType");
    assertThat(send("GET", "/v2/team/art/referrers/" + empty, null, Map.of()).body())
        .contains("\"manifests\":[]");
  }

  /** Pushes an artifact of {@code type} whose subject is {@code subject}; returns its digest. */
  private static String artifact(
      RegistryClient client, String repo, String type, String emptyConfig, TestImages.Image subject)
      throws Exception {
    byte[] manifest = TestImages.artifact(type, emptyConfig, subject);
    String digest = Digests.sha256(manifest);
    HttpResponse<String> put =
        send(
            "PUT",
            "/v2/" + repo + "/manifests/" + digest,
            manifest,
            Map.of("content-type", TestImages.OCI_MANIFEST));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.headers().firstValue("oci-subject")).contains(subject.digest());
    return digest;
  }

  @Test
  void deletesHideContentFromTheirRepositoryOnly() throws Exception {
    RegistryClient client = berth.client();
    TestImages.Image image = TestImages.pushImage(client, "team/del", "linux/amd64", "deleted");
    client.pushManifest("team/del", "tagtest0", TestImages.OCI_MANIFEST, image.manifest());
    client.pushManifest("team/del", "other", TestImages.OCI_MANIFEST, image.manifest());
    TestImages.Image kept = TestImages.pushImage(client, "team/del", "linux/arm64", "kept");
    client.pushManifest("team/del", "kept", TestImages.OCI_MANIFEST, kept.manifest());
    String empty = client.pushBlob("team/del", "{}".getBytes(StandardCharsets.UTF_8));
    String sbom = artifact(client, "team/del", "application/vnd.example.sbom", empty, image);
    String layer = image.layers().get(0);
    client.pushBlob("team/shared-del", "{}".getBytes(StandardCharsets.UTF_8));

    // A tag: 202, and the tag list shrinks.
    assertThat(send("DELETE", "/v2/team/del/manifests/tagtest0", null, Map.of()).statusCode())
        .isEqualTo(202);
    assertThat(send("GET", "/v2/team/del/tags/list", null, Map.of()).body())
        .doesNotContain("tagtest0")
        .contains("other");
    assertThat(send("DELETE", "/v2/team/del/manifests/tagtest0", null, Map.of()).body())
        .contains("MANIFEST_UNKNOWN");

    // A digest: 202, gone by digest and from every tag that named it; a second delete is a 404.
    assertThat(
            send("DELETE", "/v2/team/del/manifests/" + image.digest(), null, Map.of()).statusCode())
        .isEqualTo(202);
    HttpResponse<String> gone =
        send(
            "GET",
            "/v2/team/del/manifests/" + image.digest(),
            null,
            Map.of("accept", TestImages.OCI_MANIFEST));
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(gone.body()).contains("MANIFEST_UNKNOWN");
    assertThat(send("GET", "/v2/team/del/tags/list", null, Map.of()).body())
        .doesNotContain("other")
        .contains("kept");
    assertThat(
            send("DELETE", "/v2/team/del/manifests/" + image.digest(), null, Map.of()).statusCode())
        .isEqualTo(404);

    // A referrer deleted leaves its subject's referrers.
    assertThat(send("DELETE", "/v2/team/del/manifests/" + sbom, null, Map.of()).statusCode())
        .isEqualTo(202);
    assertThat(send("GET", "/v2/team/del/referrers/" + image.digest(), null, Map.of()).body())
        .doesNotContain(sbom);

    // A blob: 202, then 404 here; another repository holding the same bytes still serves them.
    assertThat(send("DELETE", "/v2/team/del/blobs/" + layer, null, Map.of()).statusCode())
        .isEqualTo(202);
    HttpResponse<String> blob = send("GET", "/v2/team/del/blobs/" + layer, null, Map.of());
    assertThat(blob.statusCode()).isEqualTo(404);
    assertThat(blob.body()).contains("BLOB_UNKNOWN");
    assertThat(send("DELETE", "/v2/team/del/blobs/" + empty, null, Map.of()).statusCode())
        .isEqualTo(202);
    assertThat(send("GET", "/v2/team/shared-del/blobs/" + empty, null, Map.of()).statusCode())
        .isEqualTo(200);
    // Pushed again, it is back.
    client.pushBlob("team/del", "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(send("GET", "/v2/team/del/blobs/" + empty, null, Map.of()).statusCode())
        .isEqualTo(200);
    assertThat(send("GET", "/v2/team/del/manifests/kept", null, Map.of()).statusCode())
        .isEqualTo(200);

    // Never from an upstream, and never where it is not enabled.
    HttpResponse<String> upstream =
        send("DELETE", "/v2/push.example/app/manifests/1", null, Map.of());
    assertThat(upstream.statusCode()).isEqualTo(405);
    assertThat(upstream.body()).contains("UNSUPPORTED").contains("does not delete from upstreams");
    try (Berth plain = Berth.start(dir.resolve("no-delete"), "localPrefixes: [team]\n")) {
      HttpResponse<String> refused =
          Http.send(
              "DELETE",
              "http://" + plain.address() + "/v2/team/del/blobs/" + empty,
              null,
              Map.of());
      assertThat(refused.statusCode()).isEqualTo(405);
      assertThat(refused.body()).contains("UNSUPPORTED").contains("storage.allowDelete");
    }
  }

  @Test
  void pushesRefusedByConfigurationNameTheCause() throws Exception {
    HttpResponse<String> denied = send("POST", "/v2/library/app/blobs/uploads/", null, Map.of());
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("DENIED").contains("upstreams[].push");
  }

  @Test
  void pushedBlobsOutliveTheDiskBudget() throws Exception {
    RegistryClient client = berth.client();
    Path a = TestImages.randomFile(dir, 700 << 10, 1);
    Path b = TestImages.randomFile(dir, 700 << 10, 2);
    String da = Digests.sha256(a);
    String db = Digests.sha256(b);
    client.pushBlob("team/big", a, da);
    client.pushBlob("team/big", b, db);
    assertThat(new BlobClient(base).get("/v2/team/big/blobs/" + da).digest()).isEqualTo(da);
    assertThat(new BlobClient(base).get("/v2/team/big/blobs/" + db).digest()).isEqualTo(db);
  }

  private static String digestOf(String text) {
    return Digests.sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> patch(String location, byte[] blob, int from, int to)
      throws Exception {
    return send(
        "PATCH",
        location,
        java.util.Arrays.copyOfRange(blob, from, to),
        Map.of("content-range", from + "-" + (to - 1)));
  }

  private static HttpResponse<String> send(
      String method, String pathOrUrl, byte[] body, Map<String, String> headers) {
    return Http.send(
        method, pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl, body, headers);
  }
}
