package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import dev.berth.testing.TokenServer;
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
 * Pushes through Berth to a real Distribution registry in token-auth mode whose tokens live 3
 * seconds and go only to the right password (sync mode): when the client's manifest {@code PUT} is
 * answered, the upstream holds the manifest and everything it names.
 */
class ForwardIT {
  private static final String PASSWORD = "push-s3cret";
  @TempDir static Path dir;
  static TokenServer tokens;
  static Registry upstream;
  static Registry source;
  static Relay relay;
  static Berth berth;

  @BeforeAll
  static void start() throws Exception {
    tokens = new TokenServer(dir, 3).requireBasic(("alice:" + PASSWORD)::equals);
    upstream = Registry.startWithTokenAuth(tokens);
    source = Registry.start();
    relay = new Relay(upstream.url());
    Path secret = Files.writeString(dir.resolve("password"), PASSWORD);
    berth =
        Berth.start(
            dir.resolve("data"),
            """
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
              - name: registry.test
                endpoints: ["%s"]
                push: true
                credentials:
                  username: alice
                  password: "file:%s"
            """
                .formatted(source.url(), relay.url(), secret));
  }

  @AfterAll
  static void stop() {
    berth.close();
    relay.close();
    source.close();
    upstream.close();
    tokens.close();
  }

  /** The upstream as a client with its own token for {@code repo}. */
  private static RegistryClient upstreamClient(String repo) throws Exception {
    return upstream
        .client()
        .withBearer(tokens.tokenFor("repository:" + repo + ":pull", "alice:" + PASSWORD));
  }

  @Test
  void skopeoCopyOfAMultiArchIndexLandsUpstreamWhenSkopeoReturns() throws Exception {
    TestImages.Index index = TestImages.pushMultiArch(source.client(), "library/demo", "1");
    Cmd.run(
            List.of(
                "skopeo",
                "copy",
                "--all",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                "docker://127.0.0.1:" + source.port() + "/library/demo:1",
                "docker://" + berth.address() + "/registry.test/team/demo:1"))
        .ok();
    RegistryClient up = upstreamClient("team/demo");
    HttpResponse<byte[]> got =
        up.get("/v2/team/demo/manifests/1", Map.of("accept", TestImages.OCI_INDEX));
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("docker-content-digest")).contains(index.digest());
    for (TestImages.Image image : index.images()) {
      assertThat(
              up.get(
                      "/v2/team/demo/manifests/" + image.digest(),
                      Map.of("accept", TestImages.OCI_MANIFEST))
                  .statusCode())
          .isEqualTo(200);
      for (String layer : image.layers()) {
        assertThat(up.send("HEAD", "/v2/team/demo/blobs/" + layer, Map.of()).statusCode())
            .isEqualTo(200);
      }
    }
  }

  @Test
  void manifestPutAfterTenSecondsOfBuildStillLandsUpstream() throws Exception {
    RegistryClient client = berth.client();
    String repo = "registry.test/team/late";
    byte[] layer = TestImages.gzip("built for a long time".getBytes(StandardCharsets.UTF_8));
    String layerDigest = client.pushBlob(repo, layer);
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String configDigest = client.pushBlob(repo, config);
    int issued = tokens.issued().size();
    // The build goes on after its layers were uploaded; every token minted so far dies meanwhile.
    Thread.sleep(10_000);
    byte[] manifest =
        TestImages.manifest(
            configDigest, config.length, List.of(layerDigest), List.of((long) layer.length));
    String digest = client.pushManifest(repo, "1", TestImages.OCI_MANIFEST, manifest);
    assertThat(tokens.issued().size()).as("tokens minted after the wait").isGreaterThan(issued);
    HttpResponse<byte[]> got =
        upstreamClient("team/late")
            .get("/v2/team/late/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST));
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(manifest);
    assertThat(got.headers().firstValue("docker-content-digest")).contains(digest);
  }
}
