package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Htpasswd;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anonymous pulls next to credentialed pushes: {@code anonymous} may pull everything, alice may
 * push to {@code team/}. Berth answers {@code /v2/} with a token challenge of its own, so clients
 * without credentials pull anonymously and clients with credentials present them, with docker,
 * podman and skopeo.
 */
class AnonymousPullsIT {
  private static final String PASSWORD = "alice-pushes";
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Registry upstream;
  static Berth berth;

  @BeforeAll
  static void start() throws Exception {
    upstream = Registry.start();
    TestImages.pushMultiArch(upstream.client(), "library/app", "1");
    Path htpasswd = Htpasswd.write(dir, "alice:" + PASSWORD);
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            localPrefixes: [team]
            auth:
              htpasswd: "%s"
              rules:
                - users: [anonymous]
                  pull: ["*"]
                - users: [alice]
                  push: ["local/team/"]
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
            """
                .formatted(htpasswd, upstream.url()));
  }

  @AfterAll
  static void stop() {
    berth.close();
    upstream.close();
  }

  @Test
  void skopeoPushesWithCredentialsAndPullsWithout(@TempDir Path out) {
    String src = "docker://127.0.0.1:" + upstream.port() + "/library/app:1";
    String dest = "docker://" + berth.address() + "/team/skopeo:1";
    Cmd.Result anonymous = Cmd.skopeoCopy(src, dest);
    assertThat(anonymous.exit()).as("an anonymous push").isNotZero();
    Cmd.Result pushed = Cmd.skopeoCopy(src, dest, "--dest-creds", "alice:" + PASSWORD);
    assertThat(pushed.exit()).as(pushed.out() + pushed.err()).isZero();
    Cmd.Result wrong = Cmd.skopeoCopy(src, dest, "--dest-creds", "alice:wrong");
    assertThat(wrong.exit()).as("a wrong password").isNotZero();
    Cmd.skopeoCopy(dest, "oci:" + out.resolve("team")).ok();
    Cmd.skopeoCopy(
            "docker://" + berth.address() + "/library/app:1", "oci:" + out.resolve("library"))
        .ok();
  }

  @Test
  void dockerLogsInToPushAndPullsAnonymously(@TempDir Path work) throws Exception {
    Path rootfs = Files.createDirectories(work.resolve("rootfs"));
    Files.writeString(rootfs.resolve("hello.txt"), "pushed by alice");
    Path tar = work.resolve("rootfs.tar");
    Cmd.run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).ok();
    String ref = berth.address() + "/team/docker:1";
    Map<String, String> loggedIn =
        Map.of("DOCKER_CONFIG", Files.createDirectories(work.resolve("alice")).toString());
    Map<String, String> nobody =
        Map.of("DOCKER_CONFIG", Files.createDirectories(work.resolve("nobody")).toString());
    Cmd.run(List.of("docker", "import", tar.toString(), ref)).ok();
    try {
      Cmd.Result anonymous = Cmd.run(List.of("docker", "push", ref), nobody, 120);
      assertThat(anonymous.exit()).as("an anonymous push").isNotZero();
      Cmd.run(
              List.of("docker", "login", "-u", "alice", "-p", PASSWORD, berth.address()),
              loggedIn,
              60)
          .ok();
      Cmd.Result pushed = Cmd.run(List.of("docker", "push", ref), loggedIn, 120);
      assertThat(pushed.exit()).as(pushed.out() + pushed.err()).isZero();
      Cmd.run(List.of("docker", "image", "rm", ref)).ok();
      Cmd.Result pulled = Cmd.run(List.of("docker", "pull", ref), nobody, 120);
      assertThat(pulled.exit()).as(pulled.out() + pulled.err()).isZero();
      String library = berth.address() + "/library/app:1";
      Cmd.Result upstreamImage = Cmd.run(List.of("docker", "pull", library), nobody, 120);
      assertThat(upstreamImage.exit()).as(upstreamImage.out() + upstreamImage.err()).isZero();
      Cmd.run(List.of("docker", "image", "rm", library));
    } finally {
      Cmd.run(List.of("docker", "image", "rm", ref));
    }
  }

  @Test
  void podmanPushesWithCredentialsAndPullsWithout(@TempDir Path work) throws Exception {
    Path rootfs = Files.createDirectories(work.resolve("rootfs"));
    Files.writeString(rootfs.resolve("hello.txt"), "pushed by podman");
    Path tar = work.resolve("rootfs.tar");
    Cmd.run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).ok();
    Path storage = Files.createTempDirectory("bp");
    Path auth = Files.writeString(work.resolve("auth.json"), "{\"auths\":{}}");
    Map<String, String> env = Map.of("REGISTRY_AUTH_FILE", auth.toString());
    List<String> podman = Cmd.podman(storage);
    String ref = berth.address() + "/team/podman:1";
    Cmd.run(concat(podman, "import", tar.toString(), ref), env, 120).ok();
    Cmd.Result anonymous = Cmd.run(concat(podman, "push", "--tls-verify=false", ref), env, 120);
    assertThat(anonymous.exit()).as("an anonymous push").isNotZero();
    Cmd.Result pushed =
        Cmd.run(
            concat(podman, "push", "--tls-verify=false", "--creds", "alice:" + PASSWORD, ref),
            env,
            120);
    assertThat(pushed.exit()).as(pushed.out() + pushed.err()).isZero();
    Cmd.run(concat(podman, "rmi", ref), env, 60).ok();
    Cmd.Result pulled = Cmd.run(concat(podman, "pull", "--tls-verify=false", ref), env, 120);
    assertThat(pulled.exit()).as(pulled.out() + pulled.err()).isZero();
  }

  @Test
  void theTokenEndpointVouchesForValidCredentialsOnly() throws Exception {
    HttpResponse<String> base = Http.send("GET", url("/v2/"), null, Map.of());
    assertThat(base.statusCode()).isEqualTo(401);
    String challenge = base.headers().firstValue("www-authenticate").orElseThrow();
    assertThat(challenge).startsWith("Bearer realm=\"http://" + berth.address() + "/");
    String realm = challenge.replaceFirst("^Bearer realm=\"([^\"]+)\".*$", "$1");

    HttpResponse<String> wrong =
        Http.send("GET", realm + "?scope=repository:team/x:push", null, Http.basic("alice:no"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("UNAUTHORIZED");

    JsonNode anonymous =
        JSON.readTree(Http.send("GET", realm + "?service=berth", null, Map.of()).body());
    String anonymousToken = anonymous.path("token").asText();
    assertThat(anonymous.path("expires_in").asInt()).isPositive();
    Map<String, String> asAnonymous = Map.of("authorization", "Bearer " + anonymousToken);
    assertThat(Http.send("GET", url("/v2/"), null, asAnonymous).statusCode()).isEqualTo(200);
    HttpResponse<String> refused =
        Http.send("POST", url("/v2/team/x/blobs/uploads/"), null, asAnonymous);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("www-authenticate").orElseThrow())
        .startsWith("Bearer realm=");

    String token =
        JSON.readTree(Http.send("GET", realm, null, Http.basic("alice:" + PASSWORD)).body())
            .path("token")
            .asText();
    Map<String, String> asAlice = Map.of("authorization", "Bearer " + token);
    assertThat(Http.send("POST", url("/v2/team/x/blobs/uploads/"), null, asAlice).statusCode())
        .isEqualTo(202);
    String forged = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
    assertThat(
            Http.send(
                    "POST",
                    url("/v2/team/x/blobs/uploads/"),
                    null,
                    Map.of("authorization", "Bearer " + forged))
                .statusCode())
        .isEqualTo(401);
    // The OAuth form containerd tries first.
    HttpResponse<String> form =
        Http.send(
            "POST",
            realm,
            ("grant_type=password&username=alice&password=" + PASSWORD + "&service=berth")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Map.of("content-type", "application/x-www-form-urlencoded"));
    assertThat(form.statusCode()).isEqualTo(200);
    HttpResponse<String> refresh =
        Http.send(
            "POST",
            realm,
            "grant_type=refresh_token&refresh_token=x"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Map.of("content-type", "application/x-www-form-urlencoded"));
    assertThat(refresh.statusCode())
        .as("no refresh tokens: the client falls back to GET")
        .isEqualTo(400);
    HttpResponse<String> huge =
        Http.send(
            "POST",
            realm,
            new byte[1 << 20],
            Map.of("content-type", "application/x-www-form-urlencoded"));
    assertThat(huge.statusCode()).isEqualTo(413);
    assertThat(huge.body()).contains("SIZE_INVALID");
    // A Host that is no host and port is not echoed into the challenge.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", berth.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /v2/ HTTP/1.1\r\nHost: evil\"x\r\nConnection: close\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String answer =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(answer)
          .contains("www-authenticate: Bearer realm=\"http://127.0.0.1:" + berth.port() + "/")
          .doesNotContain("evil");
    }
    assertThat(JSON.readTree(form.body()).path("access_token").asText()).isNotEmpty();
  }

  private static String url(String path) {
    return "http://" + berth.address() + path;
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }
}
