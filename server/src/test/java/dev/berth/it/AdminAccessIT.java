package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.Cmd;
import dev.berth.testing.Htpasswd;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code auth}, the admin endpoints that make Berth fetch or tell what it holds need
 * credentials: a prefetch needs pull rights on every image it names. The forwarding status, the
 * metrics and the health checks stay open for scrapers and sidecars.
 */
class AdminAccessIT {
  private static final String ALICE = "alice:alice-pw";
  private static final String APP = "{\"images\":[{\"ref\":\"library/app:1\"}]}";
  private static final String OTHER = "{\"images\":[{\"ref\":\"other/app:1\"}]}";

  @TempDir static Path dir;
  static Registry registry;
  static Relay relay;
  static Berth berth;

  @BeforeAll
  static void start() throws Exception {
    registry = Registry.start();
    relay = new Relay(registry.url());
    TestImages.pushMultiArch(registry.client(), "library/app", "1");
    TestImages.pushMultiArch(registry.client(), "other/app", "1");
    Path htpasswd = Htpasswd.write(dir, ALICE);
    berth =
        Berth.start(
            dir.resolve("data"),
            Berth.dockerHubAt(
                relay.url(),
                """
                auth:
                  htpasswd: "%s"
                  rules:
                    - users: [alice]
                      pull: ["docker.io/library/"]
                """
                    .formatted(htpasswd)));
  }

  @AfterAll
  static void stop() {
    berth.close();
    relay.close();
    registry.close();
  }

  @Test
  void anAnonymousPrefetchIsChallengedAndFetchesNothing() {
    relay.reset();
    for (String body : List.of(APP, "{\"check\":true," + APP.substring(1), "{\"images\":[]}")) {
      HttpResponse<String> res = prefetch(body, null);
      assertThat(res.statusCode()).as(body).isEqualTo(401);
      assertThat(res.body()).contains("UNAUTHORIZED");
      assertThat(res.headers().firstValue("www-authenticate")).contains("Basic realm=\"berth\"");
    }
    assertThat(prefetch(APP, "alice:wrong").statusCode()).isEqualTo(401);
    assertThat(relay.requests()).isEmpty();
  }

  @Test
  void aPrefetchNeedsPullRightsOnEveryImageItNames() {
    relay.reset();
    String both = "{\"images\":[{\"ref\":\"library/app:1\"},{\"ref\":\"other/app:1\"}]}";
    for (String body : List.of(OTHER, both, "{\"check\":true," + OTHER.substring(1))) {
      HttpResponse<String> res = prefetch(body, ALICE);
      assertThat(res.statusCode()).as(body).isEqualTo(403);
      assertThat(res.body()).contains("DENIED").contains("docker.io/other/app");
    }
    assertThat(relay.requests()).isEmpty();
    HttpResponse<String> ok = prefetch(APP, ALICE);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).contains("\"event\":\"summary\"").contains("\"failed\":0");
  }

  @Test
  void statusMetricsAndHealthStayOpen() {
    for (String path : List.of("/_berth/v1/forwarding", "/metrics", "/healthz", "/readyz")) {
      assertThat(Http.send("GET", "http://" + berth.address() + path, null, Map.of()).statusCode())
          .as(path)
          .isEqualTo(200);
    }
  }

  @Test
  void theCommandLineAuthenticatesWithAUserAndAPasswordFromTheEnvironment() {
    List<String> args =
        List.of("prefetch", "--berth", berth.address(), "--user", "alice", "library/app:1");
    Cmd.Result ok =
        Cmd.run(BerthProcess.command(List.of(), args), Map.of("BERTH_PASSWORD", "alice-pw"), 120);
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    Cmd.Result noPassword = Cmd.run(BerthProcess.command(List.of(), args), Map.of(), 120);
    assertThat(noPassword.exit()).isNotZero();
    assertThat(noPassword.err()).contains("BERTH_PASSWORD");
    Cmd.Result anonymous =
        Cmd.run(
            BerthProcess.command(
                List.of(), List.of("prefetch", "--berth", berth.address(), "library/app:1")),
            120);
    assertThat(anonymous.exit()).isNotZero();
    assertThat(anonymous.out() + anonymous.err()).contains("401");
    assertThat(ok.out()).doesNotContain("alice-pw");
  }

  @Test
  void anExportAuthenticatesLikeTheOtherCommands(@TempDir Path out) {
    String archive = out.resolve("app.tar").toString();
    List<String> args =
        List.of("export", "-o", archive, "--berth", berth.address(), "library/app:1");
    Cmd.Result anonymous = Cmd.run(BerthProcess.command(List.of(), args), 120);
    assertThat(anonymous.exit()).isNotZero();
    List<String> asAlice = new java.util.ArrayList<>(args);
    asAlice.addAll(1, List.of("--user", "alice"));
    Cmd.Result ok =
        Cmd.run(
            BerthProcess.command(List.of(), asAlice), Map.of("BERTH_PASSWORD", "alice-pw"), 120);
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(Path.of(archive)).isNotEmptyFile();
  }

  private static HttpResponse<String> prefetch(String body, String userPass) {
    Map<String, String> headers = new HashMap<>();
    headers.put("content-type", "application/json");
    if (userPass != null) {
      headers.putAll(Http.basic(userPass));
    }
    return Http.send(
        "POST",
        "http://" + berth.address() + "/_berth/v1/prefetch",
        body.getBytes(StandardCharsets.UTF_8),
        headers);
  }
}
