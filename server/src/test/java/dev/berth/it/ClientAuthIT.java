package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testing.Berth;
import dev.berth.testing.CapturedLogs;
import dev.berth.testing.Cmd;
import dev.berth.testing.Htpasswd;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Client authentication on Berth: an htpasswd user may pull Docker Hub's library, a CI token may
 * push to a local prefix; everyone else is challenged or denied, and the upstream never sees a
 * request made for them.
 */
class ClientAuthIT {
  private static final String ALICE_PASSWORD = "alice-pw";
  private static final String CI_TOKEN = "ci-token-123";
  @TempDir static Path dir;
  static Registry registry;
  static Relay relay;
  static Berth berth;

  @BeforeAll
  static void start() throws Exception {
    registry = Registry.start();
    relay = new Relay(registry.url());
    TestImages.pushMultiArch(registry.client(), "library/app", "1");
    // Apache's htpasswd -B writes $2y$.
    String hash =
        BCrypt.hashpw(ALICE_PASSWORD, BCrypt.gensalt(4)).replaceFirst("^\\$2a\\$", "\\$2y\\$");
    Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "# users\nalice:" + hash + "\n");
    Path token = Files.writeString(dir.resolve("ci-token"), CI_TOKEN + "\n");
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            localPrefixes: [team]
            auth:
              htpasswd: "%s"
              tokens:
                - user: ci
                  token: "file:%s"
              rules:
                - users: [alice]
                  pull: ["docker.io/library/"]
                - users: [ci]
                  push: ["local/team/"]
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
            """
                .formatted(htpasswd, token, relay.url()));
  }

  @AfterAll
  static void stop() {
    berth.close();
    relay.close();
    registry.close();
  }

  @Test
  void anonymousClientsAreChallengedAndTheUpstreamSeesNothing() throws Exception {
    relay.reset();
    HttpResponse<String> base = get("/v2/", null);
    assertThat(base.statusCode()).isEqualTo(401);
    assertThat(base.headers().firstValue("www-authenticate")).contains("Basic realm=\"berth\"");
    HttpResponse<String> manifest = get("/v2/library/app/manifests/1", null);
    assertThat(manifest.statusCode()).isEqualTo(401);
    assertThat(manifest.body()).contains("UNAUTHORIZED");
    assertThat(get("/v2/library/app/manifests/1", "alice:wrong").statusCode()).isEqualTo(401);
    assertThat(relay.requests()).isEmpty();
  }

  @Test
  void aUserPullsWhatARuleGrantsAndNothingElse() throws Exception {
    relay.reset();
    assertThat(get("/v2/", "alice:" + ALICE_PASSWORD).statusCode()).isEqualTo(200);
    assertThat(get("/v2/library/app/manifests/1", "alice:" + ALICE_PASSWORD).statusCode())
        .isEqualTo(200);
    assertThat(relay.requests()).isNotEmpty();
    relay.reset();
    HttpResponse<String> other = get("/v2/other/app/manifests/1", "alice:" + ALICE_PASSWORD);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).contains("DENIED").contains("user alice may not pull");
    HttpResponse<String> ci = get("/v2/library/app/manifests/1", "ci:" + CI_TOKEN);
    assertThat(ci.statusCode()).isEqualTo(403);
    assertThat(relay.requests()).isEmpty();
  }

  @Test
  void onlyTheTokenUserPushesToTheLocalPrefix(@TempDir Path out) throws Exception {
    HttpResponse<String> alice =
        send("POST", "/v2/team/app/blobs/uploads/", "alice:" + ALICE_PASSWORD);
    assertThat(alice.statusCode()).isEqualTo(403);
    String src = "docker://127.0.0.1:" + registry.port() + "/library/app:1";
    String dest = "docker://" + berth.address() + "/team/app:1";
    assertThat(Cmd.skopeoCopy(src, dest).exit()).isNotZero();
    Cmd.skopeoCopy(src, dest, "--dest-creds", "ci:" + CI_TOKEN).ok();
    Cmd.skopeoCopy(dest, "oci:" + out.resolve("back"), "--src-creds", "ci:" + CI_TOKEN).ok();
  }

  @Test
  void aRotatedPasswordWorksWithoutARestartAndABrokenFileKeepsTheLastGood(@TempDir Path work)
      throws Exception {
    Path htpasswd = Htpasswd.write(work, "bob:old-pw");
    try (CapturedLogs logs = new CapturedLogs();
        Berth rotating =
            Berth.start(
                work.resolve("data"),
                """
                auth:
                  htpasswd: "%s"
                  rules:
                    - users: ["*"]
                      pull: ["*"]
                upstreams:
                  - name: docker.io
                    endpoints: ["%s"]
                """
                    .formatted(htpasswd, relay.url()))) {
      String base = "http://" + rotating.address() + "/v2/";
      assertThat(Http.send("GET", base, null, Http.basic("bob:old-pw")).statusCode())
          .isEqualTo(200);

      // Rotated as secret managers do: a new file renamed over the old one.
      Path next = Htpasswd.write(Files.createDirectories(work.resolve("next")), "bob:new-pw");
      Files.move(
          next, htpasswd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Http.send("GET", base, null, Http.basic("bob:new-pw")).statusCode() == 200);
      assertThat(Http.send("GET", base, null, Http.basic("bob:old-pw")).statusCode())
          .as("the old password, verified before the rotation")
          .isEqualTo(401);

      // A broken file: the log says why, and the last good users stay.
      Files.writeString(htpasswd, "bob:not-a-bcrypt-hash\n");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> logs.lines().stream().anyMatch(l -> l.contains("keeping the 1 user(s)")));
      assertThat(logs.lines().stream().filter(l -> l.contains("auth.htpasswd")).toList())
          .anyMatch(l -> l.contains(htpasswd + ":1: auth.htpasswd: not a user:bcrypt line"))
          .noneMatch(l -> l.contains("not-a-bcrypt-hash"));
      assertThat(Http.send("GET", base, null, Http.basic("bob:new-pw")).statusCode())
          .isEqualTo(200);
    }
  }

  private static HttpResponse<String> get(String path, String userPass) throws Exception {
    return send("GET", path, userPass);
  }

  private static HttpResponse<String> send(String method, String path, String userPass) {
    return Http.send(
        method,
        "http://" + berth.address() + path,
        null,
        userPass == null ? Map.of() : Http.basic(userPass));
  }
}
