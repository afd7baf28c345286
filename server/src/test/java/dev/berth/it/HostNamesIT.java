package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.Http;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Berth connects only to hosts its configuration names. Names that a default host pattern ({@code
 * *.gcr.io}, {@code *-docker.pkg.dev}) would have matched, and whose {@code @}, {@code #} or {@code
 * ?} would turn the URL built from them into one for {@code localhost}, are refused with {@code 400
 * NAME_INVALID} on every path that takes a registry name, while listeners on the ports they would
 * reach fail the test if anything connects.
 */
class HostNamesIT {
  private static final String DIGEST =
      "sha256:0000000000000000000000000000000000000000000000000000000000000001";

  @org.junit.jupiter.api.io.TempDir static Path dir;
  static Berth berth;
  static final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /** Accepts and records connections on a loopback port. */
  record Listener(ServerSocket socket, List<String> connections) {
    static Listener on(int port) throws IOException {
      ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      Listener l = new Listener(s, new CopyOnWriteArrayList<>());
      Thread t =
          new Thread(
              () -> {
                while (!s.isClosed()) {
                  try (Socket c = s.accept()) {
                    l.connections.add(port + " from " + c.getRemoteSocketAddress());
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      return l;
    }
  }

  @BeforeAll
  static void start() throws IOException {
    // Where the bad names lead: https://x@localhost#.gcr.io is localhost:443.
    listeners.add(Listener.on(443));
    listeners.add(Listener.on(80));
    berth = Berth.start(dir.resolve("data"), "localPrefixes: [private]\n");
  }

  @AfterEach
  void nothingConnected() {
    for (Listener l : listeners) {
      assertThat(l.connections()).as("connections to port " + l.socket().getLocalPort()).isEmpty();
    }
  }

  @AfterAll
  static void stop() throws IOException {
    berth.close();
    for (Listener l : listeners) {
      l.socket().close();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x%40localhost%23.gcr.io",
        "localhost%3f.gcr.io",
        "localhost%23-docker.pkg.dev",
        "metadata%23.gcr.io",
        "x%40127.0.0.1%23.gcr.io",
        "localhost%2f.gcr.io",
        "localhost%25.gcr.io"
      })
  void aBadRegistryNameIsRefusedOnEveryPathAndNothingIsConnected(String encoded) {
    String name = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    assertInvalid(send("GET", "/v2/probe/img/manifests/1?ns=" + encoded, null));
    assertInvalid(send("HEAD", "/v2/probe/img/manifests/1?ns=" + encoded, null));
    assertInvalid(send("GET", "/v2/probe/img/blobs/" + DIGEST + "?ns=" + encoded, null));
    assertInvalid(send("GET", "/v2/probe/img/tags/list?ns=" + encoded, null));
    if (!name.contains("/")) {
      assertInvalid(send("GET", "/v2/" + encoded + "/probe/img/manifests/1", null));
      assertInvalid(send("GET", "/v2/" + encoded + "/probe/img/blobs/" + DIGEST, null));
      assertInvalid(send("POST", "/v2/" + encoded + "/probe/img/blobs/uploads/", null));
      assertInvalid(send("PUT", "/v2/" + encoded + "/probe/img/manifests/1", "{}"));
    }
    HttpResponse<String> mount =
        send(
            "POST",
            "/v2/private/m/blobs/uploads/?mount=" + DIGEST + "&from=" + encoded + "/probe/img",
            null);
    assertThat(mount.statusCode())
        .as("a mount from a bad name is an ordinary upload")
        .isEqualTo(202);
    if (!name.contains("/")) {
      String image = "{\"ref\":\"" + name + "/probe/img:1\"}";
      assertInvalid(send("POST", "/_berth/v1/prefetch", "{\"images\":[" + image + "]}"));
      assertInvalid(
          send("POST", "/_berth/v1/prefetch", "{\"check\":true,\"images\":[" + image + "]}"));
    }
  }

  private static void assertInvalid(HttpResponse<String> res) {
    assertThat(res.statusCode()).as(res.uri() + " " + res.body()).isEqualTo(400);
    if (!res.request().method().equals("HEAD")) {
      assertThat(res.body()).contains("NAME_INVALID").doesNotContain("Exception");
    }
  }

  private static HttpResponse<String> send(String method, String path, String body) {
    return Http.send(
        method,
        "http://" + berth.address() + path,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        body == null ? Map.of() : Map.of("content-type", "application/json"));
  }
}
