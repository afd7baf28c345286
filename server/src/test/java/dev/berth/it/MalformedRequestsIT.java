package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Berth;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route with malformed input, one row per request: names, digests, tags, {@code Range},
 * {@code Content-Range}, upload ids, manifests that are not JSON, exceed the cap, name missing
 * blobs or do not match their digest, unsupported methods, and the admin endpoints. Each client
 * mistake is a 4xx with an OCI error body naming the code a client can act on; none is a 5xx.
 */
class MalformedRequestsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ZERO = "sha256:" + "0".repeat(64);
  private static final String OCI = TestImages.OCI_MANIFEST;

  @TempDir static Path dir;
  static Registry upstream;
  static Berth berth;

  /** A manifest stored in team/app, and the blobs it names. */
  static String configDigest;

  static String layerDigest;
  static byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
  static byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void start() {
    upstream = Registry.start();
    TestImages.pushMultiArch(upstream.client(), "library/app", "1");
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            localPrefixes: [team]
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
            """
                .formatted(upstream.url()));
    RegistryClient client = berth.client();
    configDigest = client.pushBlob("team/app", config);
    layerDigest = client.pushBlob("team/app", layer);
    client.pushManifest("team/app", "1", OCI, manifest(configDigest, layerDigest));
  }

  @AfterAll
  static void stop() {
    berth.close();
    upstream.close();
  }

  private static byte[] manifest(String config, String layer) {
    return TestImages.manifest(
        config, MalformedRequestsIT.config.length, List.of(layer), List.of(5L));
  }

  /** One request and the answer it must get. */
  record Row(
      String method,
      String path,
      Map<String, String> headers,
      byte[] body,
      int status,
      String code) {
    @Override
    public String toString() {
      return method + " " + (path.length() > 90 ? path.substring(0, 90) + "..." : path);
    }
  }

  private static Row row(String method, String path, int status, String code) {
    return new Row(method, path, Map.of(), null, status, code);
  }

  private static Row row(
      String method,
      String path,
      Map<String, String> headers,
      String body,
      int status,
      String code) {
    return new Row(
        method,
        path,
        headers,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        status,
        code);
  }

  static Stream<Arguments> rows() {
    List<Row> rows = new ArrayList<>();
    Map<String, String> oci = Map.of("content-type", OCI);
    String goodManifest = new String(manifest(configDigest, layerDigest), StandardCharsets.UTF_8);

    // Names that are no repository name, on every route that takes one.
    List<String> badNames =
        List.of(
            "team/App",
            "team/a%20b",
            "team/-a",
            "team/a-",
            "team/a..b",
            "team/a___b",
            "team/.a",
            "team/%2e%2e/a",
            "team/a%2Fb",
            "team/" + "a".repeat(260),
            "team/a_",
            "team/a@b");
    for (String name : badNames) {
      String v2 = "/v2/" + name;
      rows.add(row("GET", v2 + "/manifests/1", 400, "NAME_INVALID"));
      rows.add(row("HEAD", v2 + "/manifests/1", 400, ""));
      rows.add(row("PUT", v2 + "/manifests/1", oci, goodManifest, 400, "NAME_INVALID"));
      rows.add(row("DELETE", v2 + "/manifests/" + ZERO, 400, "NAME_INVALID"));
      rows.add(row("GET", v2 + "/blobs/" + ZERO, 400, "NAME_INVALID"));
      rows.add(row("HEAD", v2 + "/blobs/" + ZERO, 400, ""));
      rows.add(row("POST", v2 + "/blobs/uploads/", 400, "NAME_INVALID"));
      rows.add(row("GET", v2 + "/tags/list", 400, "NAME_INVALID"));
      rows.add(row("GET", v2 + "/referrers/" + ZERO, 400, "NAME_INVALID"));
    }

    // Digests that are no digest, wherever a digest goes.
    List<String> badDigests =
        List.of(
            "sha256:abc",
            "sha256:" + "A".repeat(64),
            "sha256:" + "0".repeat(65),
            "sha256:" + "z".repeat(64),
            "sha512:abc",
            "md5:0123456789abcdef0123456789abcdef",
            "sha256:",
            "sha256:%2e%2e");
    for (String d : badDigests) {
      rows.add(row("GET", "/v2/team/app/blobs/" + d, 400, "DIGEST_INVALID"));
      rows.add(row("HEAD", "/v2/team/app/blobs/" + d, 400, ""));
      rows.add(row("GET", "/v2/library/app/blobs/" + d, 400, "DIGEST_INVALID"));
      rows.add(row("GET", "/v2/team/app/manifests/" + d, 400, "DIGEST_INVALID"));
      rows.add(row("GET", "/v2/team/app/referrers/" + d, 400, "DIGEST_INVALID"));
      rows.add(row("POST", "/v2/team/app/blobs/uploads/?digest=" + d, 400, "DIGEST_INVALID"));
      rows.add(row("POST", "/v2/team/app/blobs/uploads/?mount=" + d, 400, "DIGEST_INVALID"));
    }
    rows.add(row("GET", "/v2/team/app/blobs/latest", 400, "DIGEST_INVALID"));
    // Deleting is off unless storage.allowDelete: refused whatever it names.
    rows.add(row("DELETE", "/v2/team/app/blobs/latest", 405, "UNSUPPORTED"));

    // Tags that are no tag: unknown to reads, invalid to a push.
    List<String> badTags = List.of(".hidden", "-dash", "a".repeat(129), "a%20b", "t@g");
    for (String tag : badTags) {
      rows.add(row("GET", "/v2/team/app/manifests/" + tag, 404, "MANIFEST_UNKNOWN"));
      rows.add(row("HEAD", "/v2/team/app/manifests/" + tag, 404, ""));
      rows.add(
          row("PUT", "/v2/team/app/manifests/" + tag, oci, goodManifest, 400, "MANIFEST_INVALID"));
    }

    // A path that climbs out of its name is no name (refused before any route).
    for (String climb :
        List.of("manifests/%2e%2e", "blobs/uploads/..", "blobs/uploads/%2e%2e%2fb")) {
      rows.add(row("GET", "/v2/team/app/" + climb, 400, "NAME_INVALID"));
      rows.add(row("PUT", "/v2/team/app/" + climb, oci, goodManifest, 400, "NAME_INVALID"));
      rows.add(row("DELETE", "/v2/team/app/" + climb, 400, "NAME_INVALID"));
    }

    // Unknown content and repositories.
    rows.add(row("GET", "/v2/team/app/manifests/nope", 404, "MANIFEST_UNKNOWN"));
    rows.add(row("GET", "/v2/team/app/manifests/" + ZERO, 404, "MANIFEST_UNKNOWN"));
    rows.add(row("HEAD", "/v2/team/app/manifests/" + ZERO, 404, ""));
    rows.add(row("GET", "/v2/team/app/blobs/" + ZERO, 404, "BLOB_UNKNOWN"));
    rows.add(row("HEAD", "/v2/team/app/blobs/" + ZERO, 404, ""));
    rows.add(row("GET", "/v2/team/other/blobs/" + layerDigest, 404, "BLOB_UNKNOWN"));
    rows.add(row("GET", "/v2/library/app/manifests/nope", 404, "MANIFEST_UNKNOWN"));
    rows.add(row("GET", "/v2/library/app/blobs/" + ZERO, 404, "BLOB_UNKNOWN"));
    rows.add(row("GET", "/v2/library/nothing/tags/list", 404, "NAME_UNKNOWN"));

    // Manifest bodies that are not manifests, to a local repository.
    String put = "/v2/team/app/manifests/bad";
    rows.add(row("PUT", put, oci, "not json", 400, "MANIFEST_INVALID"));
    rows.add(row("PUT", put, oci, "", 400, "MANIFEST_INVALID"));
    rows.add(row("PUT", put, oci, "[]", 400, "MANIFEST_INVALID"));
    rows.add(row("PUT", put, oci, "{}", 400, "MANIFEST_INVALID"));
    rows.add(row("PUT", put, oci, "{\"schemaVersion\":1}", 400, "MANIFEST_INVALID"));
    rows.add(row("PUT", put, oci, "{\"schemaVersion\":2,\"config\":7}", 400, "MANIFEST_INVALID"));
    rows.add(
        row(
            "PUT",
            put,
            oci,
            goodManifest.replace(configDigest, "sha256:nothex"),
            400,
            "MANIFEST_INVALID"));
    rows.add(
        row(
            "PUT",
            put,
            oci,
            goodManifest.replace(layerDigest, ZERO),
            404,
            "MANIFEST_BLOB_UNKNOWN"));
    rows.add(
        row(
            "PUT",
            put,
            oci,
            goodManifest.replace(configDigest, ZERO),
            404,
            "MANIFEST_BLOB_UNKNOWN"));
    rows.add(
        row(
            "PUT",
            put,
            Map.of("content-type", "text/plain"),
            goodManifest,
            400,
            "MANIFEST_INVALID"));
    // No Content-Type, but the manifest says what it is: accepted, as Distribution does.
    rows.add(row("PUT", put, Map.of(), goodManifest, 201, null));
    rows.add(
        row(
            "PUT",
            put,
            Map.of("content-type", TestImages.OCI_INDEX),
            goodManifest,
            400,
            "MANIFEST_INVALID"));
    rows.add(
        row(
            "PUT",
            put,
            oci,
            "{\"schemaVersion\":2,\"pad\":\"" + "x".repeat(5 << 20) + "\"}",
            413,
            "MANIFEST_INVALID"));
    rows.add(
        row("PUT", "/v2/team/app/manifests/" + ZERO, oci, goodManifest, 400, "DIGEST_INVALID"));
    rows.add(
        row(
            "PUT",
            "/v2/team/app/manifests/" + Digests.sha256("other".getBytes(StandardCharsets.UTF_8)),
            oci,
            goodManifest,
            400,
            "DIGEST_INVALID"));
    // The same to an upstream repository that takes no pushes.
    rows.add(row("PUT", "/v2/library/app/manifests/x", oci, goodManifest, 403, "DENIED"));
    rows.add(row("POST", "/v2/library/app/blobs/uploads/", 403, "DENIED"));

    // Uploads: unknown sessions, ids that are no id, digests that do not match.
    String nobody = "/v2/team/app/blobs/uploads/00000000-0000-0000-0000-000000000000";
    for (String id :
        List.of(
            "00000000-0000-0000-0000-000000000000",
            "not-a-uuid",
            "0000000-0000-0000-0000-000000000000",
            "x",
            "00000000-0000-0000-0000-00000000000G")) {
      String session = "/v2/team/app/blobs/uploads/" + id;
      rows.add(row("GET", session, 404, "BLOB_UPLOAD_UNKNOWN"));
      rows.add(row("PATCH", session, Map.of(), "x", 404, "BLOB_UPLOAD_UNKNOWN"));
      rows.add(row("PUT", session + "?digest=" + ZERO, Map.of(), "x", 404, "BLOB_UPLOAD_UNKNOWN"));
      rows.add(row("DELETE", session, 404, "BLOB_UPLOAD_UNKNOWN"));
    }
    rows.add(row("PUT", nobody, 400, "DIGEST_INVALID"));
    rows.add(
        row(
            "POST",
            "/v2/team/app/blobs/uploads/?digest=" + ZERO,
            Map.of(),
            "not zero",
            400,
            "DIGEST_INVALID"));
    rows.add(
        row(
            "POST",
            "/v2/team/app/blobs/uploads/?digest=" + Digests.sha256(layer),
            Map.of(),
            "not the layer",
            400,
            "DIGEST_INVALID"));

    // Blob ranges: unsatisfiable ones are 416; ones that are not byte ranges are ignored.
    String blob = "/v2/team/app/blobs/" + layerDigest;
    for (String range : List.of("bytes=999-", "bytes=5-", "bytes=999-1000")) {
      rows.add(row("GET", blob, Map.of("range", range), null, 416, "SIZE_INVALID"));
    }
    rows.add(row("GET", blob, Map.of("range", "bytes=3-1"), null, 416, "SIZE_INVALID"));
    for (String range : List.of("bytes=abc", "items=0-1", "bytes=", "bytes=-", "bytes=0-1,3-4")) {
      rows.add(row("GET", blob, Map.of("range", range), null, 200, null));
    }
    rows.add(row("GET", blob, Map.of("range", "bytes=-0"), null, 416, "SIZE_INVALID"));

    // Tag pages: n must be a count.
    for (String n : List.of("-1", "abc", "1.5", "99999999999999999999", "")) {
      rows.add(row("GET", "/v2/team/app/tags/list?n=" + n, 400, "PAGINATION_NUMBER_INVALID"));
    }

    // Registry names Berth does not serve.
    for (String ns : List.of("a%20b", "..", "x:99999", "-bad.example", "nowhere.example")) {
      int status = ns.equals("nowhere.example") ? 403 : 400;
      String code = status == 403 ? "DENIED" : "NAME_INVALID";
      rows.add(row("GET", "/v2/library/app/manifests/1?ns=" + ns, status, code));
      rows.add(row("GET", "/v2/library/app/blobs/" + ZERO + "?ns=" + ns, status, code));
    }
    rows.add(row("GET", "/v2/nowhere.example/app/manifests/1", 403, "DENIED"));
    rows.add(row("GET", "/v2/nowhere.example:5000/app/blobs/" + ZERO, 403, "DENIED"));
    rows.add(row("GET", "/v2/127.0.0.1:1/app/manifests/1", 403, "DENIED"));

    // Methods a route does not take.
    rows.add(row("POST", "/v2/", 405, "UNSUPPORTED"));
    rows.add(row("DELETE", "/v2/", 405, "UNSUPPORTED"));
    rows.add(row("PATCH", "/v2/team/app/manifests/1", Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("POST", "/v2/team/app/manifests/1", Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("PUT", blob, Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("POST", blob, Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("PATCH", blob, Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("PUT", "/v2/team/app/tags/list", Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("DELETE", "/v2/team/app/tags/list", 405, "UNSUPPORTED"));
    rows.add(row("DELETE", "/v2/team/app/referrers/" + ZERO, 405, "UNSUPPORTED"));
    rows.add(row("PUT", "/v2/team/app/referrers/" + ZERO, Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("PATCH", "/v2/team/app/blobs/uploads/", Map.of(), "x", 405, "UNSUPPORTED"));
    rows.add(row("GET", "/v2/team/app/blobs/uploads/", 405, "UNSUPPORTED"));
    rows.add(row("GET", "/v2/team/app/nothing/here", 404, "NAME_UNKNOWN"));
    rows.add(row("GET", "/v2/team", 404, "NAME_UNKNOWN"));

    // Admin endpoints.
    String prefetch = "/_berth/v1/prefetch";
    Map<String, String> json = Map.of("content-type", "application/json");
    rows.add(row("GET", prefetch, 405, "UNSUPPORTED"));
    rows.add(row("POST", prefetch, json, "not json", 400, "UNSUPPORTED"));
    rows.add(row("POST", prefetch, json, "{\"images\":[]}", 400, "UNSUPPORTED"));
    rows.add(row("POST", prefetch, json, "{\"images\":[{}]}", 400, "NAME_INVALID"));
    rows.add(row("POST", prefetch, json, "[]", 400, "UNSUPPORTED"));
    rows.add(row("POST", prefetch, json, "{\"images\":7}", 400, "UNSUPPORTED"));
    rows.add(
        row(
            "POST",
            prefetch,
            json,
            "{\"images\":[{\"ref\":\"UPPER/Case\"}]}",
            400,
            "NAME_INVALID"));
    rows.add(
        row(
            "POST",
            prefetch,
            json,
            "{\"images\":[{\"ref\":\"nowhere.example/a:1\"}]}",
            403,
            "DENIED"));
    rows.add(
        row(
            "POST",
            prefetch,
            json,
            "{\"images\":[{\"ref\":\"library/app:1\",\"platforms\":[\"nonsense\"]}]}",
            400,
            "UNSUPPORTED"));
    rows.add(row("DELETE", "/_berth/v1/forwarding", 405, "UNSUPPORTED"));
    rows.add(
        row(
            "POST",
            prefetch,
            json,
            "{\"images\":[" + "{},".repeat(4 << 20) + "{}]}",
            413,
            "SIZE_INVALID"));
    rows.add(row("POST", "/_berth/v1/forwarding", Map.of(), "{}", 405, "UNSUPPORTED"));
    return rows.stream().map(r -> Arguments.of(r));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("rows")
  void eachClientMistakeGetsAFourHundredWithItsOciCode(Row row) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>(row.headers());
    HttpResponse<String> res =
        Http.send(row.method(), "http://" + berth.address() + row.path(), row.body(), headers);
    assertThat(res.statusCode())
        .as(row + ": " + res.body())
        .isLessThan(500)
        .isEqualTo(row.status());
    if (row.code() == null || row.code().isEmpty()) {
      return;
    }
    assertThat(res.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode errors = JSON.readTree(res.body()).path("errors");
    assertThat(errors.isArray() && errors.size() > 0).as(res.body()).isTrue();
    assertThat(errors.get(0).path("code").asText())
        .as(row + ": " + res.body())
        .isEqualTo(row.code());
    assertThat(res.body()).doesNotContain("Exception").doesNotContain("java.");
  }
}
