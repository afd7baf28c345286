package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.CapturedLogs;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.TestImages;
import dev.berth.testing.TokenServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials go only where they belong: the upstream is reached as {@code localhost} and names a
 * token realm on {@code 127.0.0.1}, another host; Berth asks that realm nothing until the
 * configuration lists it in {@code credentials.realms}.
 */
class TokenRealmIT {
  @TempDir static Path dir;
  static TokenServer tokens;
  static Registry registry;

  @BeforeAll
  static void start() throws Exception {
    tokens = new TokenServer(dir, 30).requireBasic("robot:robot-pw"::equals);
    registry = Registry.startWithTokenAuth(tokens);
    RegistryClient pusher =
        registry
            .client()
            .withBearer(tokens.tokenFor("repository:library/secured:pull,push", "robot:robot-pw"));
    TestImages.pushMultiArch(pusher, "library/secured", "1");
  }

  @AfterAll
  static void stop() {
    registry.close();
    tokens.close();
  }

  @Test
  void credentialsAreNotSentToARealmOutsideTheUpstreamsDomain(@TempDir Path data) {
    try (CapturedLogs logs = new CapturedLogs();
        Berth berth = Berth.start(data, config(""))) {
      int issued = tokens.issued().size();
      HttpResponse<String> res = get(berth, "/v2/secured/manifests/1");
      assertThat(res.statusCode()).isEqualTo(403);
      assertThat(res.body()).contains("DENIED").contains("docker.io").contains("127.0.0.1");
      assertThat(tokens.issued()).hasSize(issued);
      assertThat(logs.lines())
          .filteredOn(l -> l.contains("token realm"))
          .hasSize(1)
          .allMatch(l -> l.contains("localhost") && l.contains("127.0.0.1"))
          .noneMatch(l -> l.contains("robot-pw"));
    }
  }

  @Test
  void aRealmListedForTheUpstreamReceivesThem(@TempDir Path data) {
    try (Berth berth = Berth.start(data, config("      realms: [\"127.0.0.1\"]\n"))) {
      int issued = tokens.issued().size();
      assertThat(get(berth, "/v2/secured/manifests/1").statusCode()).isEqualTo(200);
      assertThat(tokens.issued().size()).isGreaterThan(issued);
    }
  }

  private static String config(String realms) {
    return """
        upstreams:
          - name: docker.io
            endpoints: ["http://localhost:%d"]
            credentials:
              source: inline
              username: robot
              password: robot-pw
        %s"""
        .formatted(registry.port(), realms);
  }

  private static HttpResponse<String> get(Berth berth, String path) {
    return Http.send(
        "GET", "http://" + berth.address() + path, null, Map.of("accept", TestImages.OCI_INDEX));
  }
}
