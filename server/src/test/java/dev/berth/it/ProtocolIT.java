package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Berth;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The registry protocol's corners, against Berth in front of a real registry. */
class ProtocolIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;
  static Registry registry;
  static Berth berth;
  static RegistryClient client;
  static TestImages.Image image;
  static byte[] layer;

  @BeforeAll
  static void start() {
    registry = Registry.start();
    RegistryClient upstream = registry.client();
    image = TestImages.pushImage(upstream, "library/proto", "linux/amd64", "protocol");
    upstream.pushManifest("library/proto", "1.0", TestImages.OCI_MANIFEST, image.manifest());
    for (String tag : List.of("a", "b", "c", "d", "e")) {
      upstream.pushManifest("library/proto", tag, TestImages.OCI_MANIFEST, image.manifest());
    }
    layer = new byte[10_000];
    new java.util.Random(3).nextBytes(layer);
    upstream.pushBlob("library/proto", layer);
    berth = Berth.start(data, Berth.dockerHubAt(registry.url(), ""));
    client = berth.client();
  }

  @AfterAll
  static void stop() {
    berth.close();
    registry.close();
  }

  private static String layerDigest() {
    return dev.berth.testing.Digests.sha256(layer);
  }

  @Test
  void baseAnswersWithTheApiVersion() {
    HttpResponse<byte[]> res = client.get("/v2/");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("docker-distribution-api-version"))
        .hasValue("registry/2.0");
  }

  @Test
  void blobHeadAndGetCarryLengthAndDigest() {
    for (String method : List.of("HEAD", "GET")) {
      HttpResponse<byte[]> res = client.send(method, "/v2/proto/blobs/" + layerDigest(), Map.of());
      assertThat(res.statusCode()).as(method).isEqualTo(200);
      assertThat(res.headers().firstValue("content-length")).hasValue("10000");
      assertThat(res.headers().firstValue("docker-content-digest")).hasValue(layerDigest());
      assertThat(res.body()).hasSize(method.equals("HEAD") ? 0 : 10_000);
    }
  }

  @ParameterizedTest
  @CsvSource({"0-99, 0, 100", "9990-, 9990, 10", "-5, 9995, 5", "100-20000, 100, 9900"})
  void rangeRequestsGetPartialContent(String range, int start, int length) {
    HttpResponse<byte[]> res =
        client.get("/v2/proto/blobs/" + layerDigest(), Map.of("range", "bytes=" + range));
    assertThat(res.statusCode()).isEqualTo(206);
    assertThat(res.body()).isEqualTo(Arrays.copyOfRange(layer, start, start + length));
    assertThat(res.headers().firstValue("content-range"))
        .hasValue("bytes " + start + "-" + (start + length - 1) + "/10000");
  }

  @Test
  void unsatisfiableRangeGets416() {
    HttpResponse<byte[]> res =
        client.get("/v2/proto/blobs/" + layerDigest(), Map.of("range", "bytes=10000-"));
    assertThat(res.statusCode()).isEqualTo(416);
    assertThat(code(res)).isEqualTo("SIZE_INVALID");
  }

  @Test
  void manifestHeadMatchesGet() {
    HttpResponse<byte[]> head = client.send("HEAD", "/v2/proto/manifests/1.0", Map.of());
    HttpResponse<byte[]> get = client.get("/v2/proto/manifests/1.0");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    for (String h : List.of("content-type", "content-length", "docker-content-digest")) {
      assertThat(head.headers().firstValue(h)).as(h).isEqualTo(get.headers().firstValue(h));
    }
    assertThat(get.body()).isEqualTo(image.manifest());
    assertThat(client.get("/v2/proto/manifests/" + image.digest()).body())
        .isEqualTo(image.manifest());
  }

  @Test
  void tagsArePagedInLexicalOrderWithLink() throws Exception {
    // Distribution 2.8 ignores n and last; Berth pages for it.
    assertThat(pages(client, "/v2/proto/tags/list?n=2"))
        .containsExactly(List.of("1.0", "a"), List.of("b", "c"), List.of("d", "e"));
    assertThat(pages(client, "/v2/proto/tags/list?n=4&last=a"))
        .containsExactly(List.of("b", "c", "d", "e"));
    assertThat(pages(client, "/v2/proto/tags/list").get(0))
        .containsExactlyInAnyOrder("1.0", "a", "b", "c", "d", "e");
  }

  private static List<List<String>> pages(RegistryClient c, String first) throws Exception {
    List<List<String>> pages = new ArrayList<>();
    for (String path = first; path != null; ) {
      HttpResponse<byte[]> res = c.get(path);
      assertThat(res.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(res.body());
      assertThat(body.path("name").asText()).isEqualTo("library/proto");
      List<String> page = new ArrayList<>();
      body.path("tags").forEach(t -> page.add(t.asText()));
      pages.add(page);
      path =
          res.headers()
              .firstValue("link")
              .map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>')))
              .orElse(null);
      assertThat(pages).hasSizeLessThan(10);
    }
    return pages;
  }

  @ParameterizedTest(name = "{0} {1} -> {2} {3}")
  @CsvSource({
    "GET, /v2/proto/manifests/nope, 404, MANIFEST_UNKNOWN",
    "GET, /v2/nosuchrepo/manifests/1, 404, MANIFEST_UNKNOWN",
    "GET, /v2/proto/manifests/sha256:0000000000000000000000000000000000000000000000000000000000000000, 404, MANIFEST_UNKNOWN",
    "GET, /v2/proto/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000, 404, BLOB_UNKNOWN",
    "HEAD, /v2/proto/blobs/sha256:1111111111111111111111111111111111111111111111111111111111111111, 404, ",
    "GET, /v2/proto/blobs/sha256:xyz, 400, DIGEST_INVALID",
    "GET, /v2/proto/blobs/md5:abc, 400, DIGEST_INVALID",
    "GET, /v2/proto/manifests/sha256:short, 400, DIGEST_INVALID",
    "GET, /v2/proto/manifests/-bad-tag, 404, MANIFEST_UNKNOWN",
    "GET, /v2/UPPER/manifests/1, 400, NAME_INVALID",
    "GET, /v2/a..b/manifests/1, 400, NAME_INVALID",
    "GET, /v2/evil.example.com/x/manifests/1, 403, DENIED",
    "GET, /v2/proto/manifests/1?ns=evil.example.com, 403, DENIED",
    "GET, /v2/proto/unknown/thing, 404, NAME_UNKNOWN",
    "PUT, /v2/proto/manifests/1, 403, DENIED",
    "DELETE, /v2/proto/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000, 405, UNSUPPORTED",
    "POST, /v2/proto/blobs/uploads/, 403, DENIED",
    "GET, /v2/nosuchrepo/tags/list, 404, NAME_UNKNOWN",
    "GET, /v2/a/%2e%2e/b/manifests/1, 400, NAME_INVALID",
    "GET, /elsewhere, 404, NAME_UNKNOWN",
  })
  void badRequestsGetTheirOciError(String method, String path, int status, String code) {
    HttpResponse<byte[]> res = client.send(method, path, Map.of());
    assertThat(res.statusCode()).isEqualTo(status);
    if (code != null) {
      assertThat(code(res)).isEqualTo(code);
      assertThat(res.headers().firstValue("content-type"))
          .hasValue("application/json; charset=utf-8");
    }
  }

  private static String code(HttpResponse<byte[]> res) {
    try {
      return JSON.readTree(new String(res.body(), StandardCharsets.UTF_8))
          .path("errors")
          .path(0)
          .path("code")
          .asText();
    } catch (java.io.IOException e) {
      throw new AssertionError("not an OCI error body: " + new String(res.body()), e);
    }
  }
}
