package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 without TLS (h2c), and HTTPS when a certificate and key are configured. */
class TransportIT {
  @Test
  void servesHttp2WithoutTls(@TempDir Path data) {
    try (Berth berth = Berth.start(data, "")) {
      String out =
          Cmd.run(
                  List.of(
                      "curl",
                      "-sS",
                      "-o",
                      "/dev/null",
                      "-w",
                      "%{http_version} %{http_code}",
                      "--http2-prior-knowledge",
                      "http://" + berth.address() + "/v2/"))
              .ok()
              .out();
      assertThat(out).isEqualTo("2 200");
    }
  }

  @Test
  void servesHttpsWithTheConfiguredCertificate(@TempDir Path dir) throws Exception {
    Keys keys = Keys.selfSigned(dir, "CN=localhost", "san=ip:127.0.0.1");
    Path keyPem = Files.writeString(dir.resolve("tls.key"), keys.keyPem());
    Path certPem = Files.writeString(dir.resolve("tls.crt"), keys.certificatePem());
    String config =
        """
        tls:
          certificate: %s
          key: %s
        """
            .formatted(certPem, keyPem);
    try (Berth berth = Berth.start(dir.resolve("data"), config)) {
      String out =
          Cmd.run(
                  List.of(
                      "curl",
                      "-sS",
                      "--cacert",
                      certPem.toString(),
                      "-o",
                      "/dev/null",
                      "-w",
                      "%{http_version} %{http_code}",
                      "https://" + berth.address() + "/v2/"))
              .ok()
              .out();
      assertThat(out).isEqualTo("2 200");
    }
  }
}
