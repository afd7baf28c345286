package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.Http;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every client mistake gets a 4xx with an OCI error body naming the right code, and never a Java
 * class name: malformed references, ranges and names through the registry API, and requests Armeria
 * refuses before any service runs.
 */
class ClientMistakesIT {
  private static final String UPLOAD = "/v2/team/a/blobs/uploads/";

  @TempDir static Path dir;
  static Berth berth;

  @BeforeAll
  static void start() {
    berth = Berth.start(dir.resolve("data"), "localPrefixes: [team]\n");
  }

  @AfterAll
  static void stop() {
    berth.close();
  }

  @ParameterizedTest(name = "{0} {1} -> {2} {3}")
  @CsvSource({
    // Neither a tag nor a digest names no manifest (the OCI conformance tests, Distribution).
    "GET, /v2/team/a/manifests/.INVALID_MANIFEST_NAME, 404, MANIFEST_UNKNOWN",
    "HEAD, /v2/team/a/manifests/.INVALID_MANIFEST_NAME, 404, ''",
    "GET, /v2/team/a/manifests/-dash, 404, MANIFEST_UNKNOWN",
    "PUT, /v2/team/a/manifests/.INVALID_MANIFEST_NAME, 400, MANIFEST_INVALID",
    "GET, /v2/team/a/manifests/sha256:abc, 400, DIGEST_INVALID",
    // An empty name component would otherwise name another repository's content.
    "GET, /v2/team/a//b/manifests/1, 400, NAME_INVALID",
    "HEAD, /v2/team/a//b/manifests/1, 400, ''",
    "GET, /v2/team//a/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000,"
        + " 400, NAME_INVALID",
    "GET, /v2/team/a//b/tags/list, 400, NAME_INVALID",
    "POST, /v2/team//a/blobs/uploads/, 400, NAME_INVALID",
    "GET, /v2/up.probe/probe//img/manifests/1, 400, NAME_INVALID",
  })
  void aMalformedReferenceOrNameIsAClientError(
      String method, String path, int status, String code) {
    HttpResponse<String> res = send(method, path, Map.of());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    assertOciBody(res, code);
  }

  @ParameterizedTest(name = "Content-Range {0} -> {1}")
  @CsvSource({
    "99999999999999999999-99999999999999999999, 416",
    "0-99999999999999999999, 416",
    "bytes=a-b, 400",
    "-1-5, 400",
  })
  void aMalformedOrOverflowingContentRangeIsRefused(String range, int status) {
    HttpResponse<String> start = send("POST", UPLOAD, Map.of());
    assertThat(start.statusCode()).isEqualTo(202);
    String location = start.headers().firstValue("location").orElseThrow();
    HttpResponse<String> patch =
        Http.send(
            "PATCH",
            location,
            "x".getBytes(StandardCharsets.UTF_8),
            Map.of("content-range", range, "content-type", "application/octet-stream"));
    assertThat(patch.statusCode()).as(patch.body()).isEqualTo(status);
    assertOciBody(patch, "BLOB_UPLOAD_INVALID");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "a 64 KiB header, 431, UNSUPPORTED",
    "a 100 KB URL, 414, UNSUPPORTED",
    "a Content-Length that is not a number, 400, SIZE_INVALID",
    "a negative Content-Length, 400, SIZE_INVALID",
    "a garbage request line, 400, UNSUPPORTED",
    "a Content-Length shorter than the body, 400, DIGEST_INVALID",
  })
  void aRequestArmeriaRefusesStillGetsAnOciBody(String what, int status, String code)
      throws IOException {
    String request =
        switch (what) {
          case "a 64 KiB header" ->
              "GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(65536) + "\r\n\r\n";
          case "a 100 KB URL" -> "GET /v2/" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
          case "a Content-Length that is not a number" ->
              "POST " + UPLOAD + " HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n";
          case "a negative Content-Length" ->
              "POST " + UPLOAD + " HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n";
          case "a Content-Length shorter than the body" ->
              "POST "
                  + UPLOAD
                  + "?digest="
                  + dev.berth.testing.Digests.sha256("abcdef".getBytes(StandardCharsets.UTF_8))
                  + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabcdef";
          default -> "GARBAGE\r\n\r\n";
        };
    String answer = raw(request);
    assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
    assertThat(answer)
        .contains("content-type: application/json")
        .contains("\"code\":\"" + code + "\"")
        .doesNotContain("Exception");
  }

  private static void assertOciBody(HttpResponse<String> res, String code) {
    if (code.isEmpty()) {
      return; // HEAD: no body.
    }
    assertThat(res.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(res.body())
        .contains("\"code\":\"" + code + "\"")
        .doesNotContain("Exception")
        .doesNotContain("java.");
  }

  private static HttpResponse<String> send(
      String method, String path, Map<String, String> headers) {
    byte[] body = method.equals("PUT") ? "{}".getBytes(StandardCharsets.UTF_8) : null;
    return Http.send(method, "http://" + berth.address() + path, body, headers);
  }

  /** Sends {@code request} as raw bytes and reads the answer until the server closes. */
  private static String raw(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", berth.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
