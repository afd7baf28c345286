package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testing.Berth;
import dev.berth.testing.CapturedLogs;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import dev.berth.testing.TokenServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anonymous bearer tokens toward an upstream that requires them (as Docker Hub, GHCR and Quay do
 * for public images): a real Distribution registry in token-auth mode and a token server whose
 * tokens live 3 seconds.
 */
class TokenAuthIT {
  @TempDir static Path dir;
  static TokenServer tokens;
  static Registry registry;
  static Relay relay;
  static TestImages.Index image;

  @BeforeAll
  static void start() throws Exception {
    tokens = new TokenServer(dir, 3);
    registry = Registry.startWithTokenAuth(tokens);
    relay = new Relay(registry.url());
    RegistryClient pusher =
        registry.client().withBearer(tokens.tokenFor("repository:library/secured:pull,push"));
    image = TestImages.pushMultiArch(pusher, "library/secured", "1");
  }

  @AfterAll
  static void stop() {
    relay.close();
    registry.close();
    tokens.close();
  }

  @Test
  void redirectToBlobStorageIsFollowedWithoutTheRegistryToken(@TempDir Path data) throws Exception {
    relay.reset();
    // Blob storage on another host: it gets the signed URL alone, and fetches with its own right.
    try (Relay storage = new Relay(registry.url());
        CapturedLogs logs = new CapturedLogs();
        Berth berth = Berth.start(data, config())) {
      storage.replaceAuthorization("Bearer " + tokens.tokenFor("repository:library/secured:pull"));
      relay.redirectBlobsTo(storage.url());
      TestImages.Image amd64 = image.images().get(0);
      String layer = amd64.layers().get(0);
      HttpResponse<byte[]> blob = berth.client().get("/v2/secured/blobs/" + layer);
      assertThat(blob.statusCode()).isEqualTo(200);
      assertThat(dev.berth.testing.Digests.sha256(blob.body())).isEqualTo(layer);
      assertThat(relay.authorizations()).anyMatch(a -> a.startsWith("Bearer "));
      assertThat(storage.requests()).hasSize(1);
      assertThat(storage.authorizations()).containsExactly("");

      // A client's own credentials never reach a log either.
      berth
          .client()
          .get("/v2/secured/manifests/1", Map.of("authorization", "Bearer client-secret-4711"));
      assertThat(logs.lines()).isNotEmpty().noneMatch(l -> l.contains("client-secret-4711"));
    }
  }

  private static String config() {
    return """
        upstreams:
          - name: docker.io
            endpoints: ["%s"]
        """
        .formatted(relay.url());
  }

  @Test
  void pullsWithAnonymousTokensCachedPerScopeAndRenewedBeforeExpiry(@TempDir Path data) {
    int before = tokens.issued().size();
    relay.reset();
    try (CapturedLogs logs = new CapturedLogs();
        Berth berth = Berth.start(data, config())) {
      RegistryClient client = berth.client();
      HttpResponse<byte[]> index =
          client.get("/v2/secured/manifests/1", Map.of("accept", TestImages.OCI_INDEX));
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.body()).isEqualTo(image.bytes());
      for (TestImages.Image i : image.images()) {
        assertThat(client.get("/v2/secured/manifests/" + i.digest()).statusCode()).isEqualTo(200);
        assertThat(client.get("/v2/secured/blobs/" + i.layers().get(0)).statusCode())
            .isEqualTo(200);
      }
      assertThat(tokens.issued().size() - before)
          .as("one token for the scope, shared by five requests")
          .isEqualTo(1);
      assertThat(tokens.scopes()).contains("repository:library/secured:pull");

      // Tokens live 3 s and are retired at 2.7 s: later requests get a fresh one, never a 401.
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                HttpResponse<byte[]> tags = client.get("/v2/secured/tags/list");
                assertThat(tags.statusCode()).isEqualTo(200);
                assertThat(tokens.issued().size() - before).isGreaterThanOrEqualTo(2);
              });

      assertThat(relay.answered(401))
          .as(
              "only the first request is challenged; tokens are renewed before they die: %s",
              relay.answers())
          .isEqualTo(1);

      for (String token : tokens.issued()) {
        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertThat(logs.lines()).noneMatch(line -> line.contains(signature));
      }
    }
  }
}
