package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No client changes what another gets: a manifest {@code PUT} must name a manifest type, and the
 * type a repository serves a manifest as is its own, so pushing the same bytes elsewhere as another
 * type changes nothing here.
 */
class ManifestTypeIT {
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  @TempDir static Path dir;
  static Registry registry;
  static Berth berth;
  static byte[] noMediaType;
  static String digest;
  static String config;
  static String layer;

  @BeforeAll
  static void start() {
    registry = Registry.start();
    RegistryClient up = registry.client();
    byte[] layerBytes = TestImages.gzip("layer".getBytes(StandardCharsets.UTF_8));
    byte[] configBytes =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
            .getBytes(StandardCharsets.UTF_8);
    layer = up.pushBlob("probe/nomt", layerBytes);
    config = up.pushBlob("probe/nomt", configBytes);
    // An OCI image manifest without the optional mediaType: its type is what it is served as.
    noMediaType =
        ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\""
                + TestImages.OCI_CONFIG
                + "\",\"digest\":\""
                + config
                + "\",\"size\":"
                + configBytes.length
                + "},\"layers\":[{\"mediaType\":\""
                + TestImages.OCI_LAYER
                + "\",\"digest\":\""
                + layer
                + "\",\"size\":"
                + layerBytes.length
                + "}]}")
            .getBytes(StandardCharsets.UTF_8);
    digest = up.pushManifest("probe/nomt", "1", TestImages.OCI_MANIFEST, noMediaType);
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            localPrefixes: [local]
            defaultUpstream: up.test
            upstreams:
              - name: up.test
                endpoints: ["%s"]
            """
                .formatted(registry.url()));
    RegistryClient b = berth.client();
    b.pushBlob("local/evil", layerBytes);
    b.pushBlob("local/evil", configBytes);
  }

  @AfterAll
  static void stop() {
    berth.close();
    registry.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/html",
        "application/json",
        "application/octet-stream",
        "application/vnd.oci.image.config.v1+json",
        TestImages.OCI_INDEX
      })
  void aManifestPutOfAnotherTypeIsRefused(String type) {
    HttpResponse<String> put = put("/v2/local/evil/manifests/3", type, noMediaType);
    assertThat(put.statusCode()).isEqualTo(400);
    assertThat(put.body()).contains("MANIFEST_INVALID");
  }

  @Test
  void aPushElsewhereDoesNotChangeWhatThisRepositoryServes(@TempDir Path out) {
    assertThat(contentType("/v2/up.test/probe/nomt/manifests/1"))
        .isEqualTo(TestImages.OCI_MANIFEST);
    assertThat(put("/v2/local/evil/manifests/3", "text/html", noMediaType).statusCode())
        .isEqualTo(400);
    // A manifest type, but not this one's: accepted for local/evil alone.
    assertThat(put("/v2/local/evil/manifests/4", DOCKER_MANIFEST, noMediaType).statusCode())
        .isEqualTo(201);
    assertThat(contentType("/v2/local/evil/manifests/4")).isEqualTo(DOCKER_MANIFEST);
    assertThat(contentType("/v2/local/evil/manifests/" + digest)).isEqualTo(DOCKER_MANIFEST);
    assertThat(contentType("/v2/up.test/probe/nomt/manifests/1"))
        .isEqualTo(TestImages.OCI_MANIFEST);
    assertThat(contentType("/v2/up.test/probe/nomt/manifests/" + digest))
        .isEqualTo(TestImages.OCI_MANIFEST);
    Cmd.run(
            List.of(
                "skopeo",
                "copy",
                "--src-tls-verify=false",
                "docker://" + berth.address() + "/up.test/probe/nomt:1",
                "oci:" + out.resolve("copy")))
        .ok();
    assertThat(Digests.sha256(noMediaType)).isEqualTo(digest);
  }

  private static String contentType(String path) {
    HttpResponse<String> res =
        Http.send(
            "GET",
            "http://" + berth.address() + path,
            null,
            Map.of("accept", TestImages.OCI_MANIFEST + "," + DOCKER_MANIFEST));
    assertThat(res.statusCode()).as(path).isEqualTo(200);
    return res.headers().firstValue("content-type").orElse("");
  }

  private static HttpResponse<String> put(String path, String type, byte[] body) {
    return Http.send("PUT", "http://" + berth.address() + path, body, Map.of("content-type", type));
  }
}
