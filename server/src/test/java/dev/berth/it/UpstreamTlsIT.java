package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.ConnectProxy;
import dev.berth.testing.Keys;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-upstream TLS (an extra CA bundle, and the explicit switch that skips verification) against an
 * upstream with a self-signed certificate, and the outbound proxy with its exceptions.
 */
class UpstreamTlsIT {
  @TempDir static Path dir;
  static Registry registry;
  static Relay https;
  static Path ca;

  @BeforeAll
  static void start() throws Exception {
    registry = Registry.start();
    Keys keys = Keys.selfSigned(dir, "CN=127.0.0.1", "san=ip:127.0.0.1");
    ca = Files.writeString(dir.resolve("ca.pem"), keys.certificatePem());
    https = new Relay(registry.url(), keys);
    TestImages.pushMultiArch(registry.client(), "library/tls", "1");
  }

  @AfterAll
  static void stop() {
    https.close();
    registry.close();
  }

  private static HttpResponse<byte[]> pull(String tls, String name) {
    String yaml =
        """
        upstreams:
          - name: docker.io
          - name: secure.test
            endpoints: ["%s"]
            maxAttempts: 1
            credentials: {source: none}
        %s
        """
            .formatted(https.url(), tls);
    try (Berth berth = Berth.start(dir.resolve(name), yaml)) {
      return berth
          .client()
          .get("/v2/secure.test/library/tls/manifests/1", Map.of("accept", TestImages.OCI_INDEX));
    }
  }

  @Test
  void aSelfSignedUpstreamIsRefusedUnlessItsCaIsGivenOrVerificationIsSwitchedOff() {
    HttpResponse<byte[]> untrusted = pull("", "untrusted");
    assertThat(untrusted.statusCode()).isEqualTo(503);
    assertThat(new String(untrusted.body(), StandardCharsets.UTF_8))
        .containsIgnoringCase("certificat");

    assertThat(pull("    tls:\n      ca: " + ca, "with-ca").statusCode()).isEqualTo(200);
    assertThat(pull("    tls:\n      insecureSkipVerify: true", "no-verify").statusCode())
        .isEqualTo(200);
  }

  @Test
  void anUpstreamThatAsksForAClientCertificateGetsTheConfiguredOne() throws Exception {
    Keys server = Keys.selfSigned(dir, "CN=127.0.0.1", "san=ip:127.0.0.1");
    Keys client = Keys.selfSigned(dir, "CN=berth-client");
    Path serverCa = Files.writeString(dir.resolve("server-ca.pem"), server.certificatePem());
    Path cert = Files.writeString(dir.resolve("client.pem"), client.certificatePem());
    Path key = Files.writeString(dir.resolve("client-key.pem"), client.keyPem());
    try (Relay mtls =
        new Relay(
            registry.url(), server, (java.security.cert.X509Certificate) client.certificate())) {
      String base =
          """
          upstreams:
            - name: docker.io
            - name: mtls.test
              endpoints: ["%s"]
              maxAttempts: 1
              credentials: {source: none}
              tls:
                ca: %s
          """
              .formatted(mtls.url(), serverCa);
      String path = "/v2/mtls.test/library/tls/manifests/1";
      try (Berth without = Berth.start(dir.resolve("no-cert"), base)) {
        assertThat(without.client().get(path).statusCode()).isEqualTo(503);
      }
      String withCert = base + "      certificate: " + cert + "\n      key: " + key + "\n";
      try (Berth with = Berth.start(dir.resolve("cert"), withCert)) {
        assertThat(with.client().get(path, Map.of("accept", TestImages.OCI_INDEX)).statusCode())
            .isEqualTo(200);
      }
    }
  }

  @Test
  void upstreamsAreReachedThroughTheProxyExceptThoseItBypasses() throws Exception {
    try (ConnectProxy proxy = new ConnectProxy();
        Relay plain = new Relay(registry.url())) {
      String yaml =
          """
          proxy:
            url: %s
            noProxy: [%s]
          upstreams:
            - name: docker.io
            - name: proxied.test
              endpoints: ["%s"]
              credentials: {source: none}
            - name: direct.test
              endpoints: ["%s"]
              credentials: {source: none}
          """;
      Relay direct = new Relay(registry.url());
      try (direct;
          Berth berth =
              Berth.start(
                  dir.resolve("proxy"),
                  yaml.formatted(
                      proxy.url(),
                      "localhost",
                      plain.url(),
                      direct.url().replace("127.0.0.1", "localhost")))) {
        assertThat(
                berth
                    .client()
                    .get(
                        "/v2/proxied.test/library/tls/manifests/1",
                        Map.of("accept", TestImages.OCI_INDEX))
                    .statusCode())
            .isEqualTo(200);
        assertThat(proxy.tunnels()).contains(plain.url().substring("http://".length()));
        assertThat(plain.requests()).isNotEmpty();
        int before = proxy.tunnels().size();
        assertThat(
                berth
                    .client()
                    .get(
                        "/v2/direct.test/library/tls/manifests/1",
                        Map.of("accept", TestImages.OCI_INDEX))
                    .statusCode())
            .isEqualTo(200);
        assertThat(direct.requests()).isNotEmpty();
        assertThat(proxy.tunnels()).hasSize(before);
      }
    }
  }
}
