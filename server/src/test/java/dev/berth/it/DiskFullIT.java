package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push into a data directory that fills up (a real 6 MiB tmpfs): the client gets a clear error,
 * nothing is acknowledged or stored under the digest, and Berth goes on working once space is free.
 * Mounting needs root, as the CI has; the test fails rather than skip without it.
 */
class DiskFullIT {
  @TempDir static Path dir;
  static Path data;
  static Berth berth;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createDirectories(dir.resolve("small"));
    Cmd.run(List.of("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", data.toString())).ok();
    berth = Berth.start(data, "localPrefixes: [team]\n");
    base = "http://" + berth.address();
  }

  @AfterAll
  static void stop() {
    if (berth != null) {
      berth.close();
    }
    Cmd.run(List.of("umount", data.toString())).ok();
  }

  @Test
  void aBlobThatDoesNotFitIsRefusedClearlyAndLeavesNothingBehind() throws Exception {
    byte[] blob = new byte[8 << 20];
    new Random(1).nextBytes(blob);
    String digest = Digests.sha256(blob);
    HttpResponse<String> started =
        Http.send("POST", base + "/v2/team/big/blobs/uploads/", null, Map.of());
    assertThat(started.statusCode()).isEqualTo(202);
    String location = started.headers().firstValue("location").orElseThrow();
    HttpResponse<String> failed = null;
    int chunk = 256 << 10;
    for (int from = 0; from < blob.length; from += chunk) {
      HttpResponse<String> res =
          Http.send(
              "PATCH",
              location,
              Arrays.copyOfRange(blob, from, from + chunk),
              Map.of("content-range", from + "-" + (from + chunk - 1)));
      if (res.statusCode() != 202) {
        failed = res;
        break;
      }
    }
    assertThat(failed).as("a chunk past the disk's end is refused").isNotNull();
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.body()).contains("UNAVAILABLE").contains("No space left on device");

    HttpResponse<String> put = Http.send("PUT", location + "?digest=" + digest, null, Map.of());
    assertThat(put.statusCode()).isNotEqualTo(201);
    assertThat(
            Http.send("HEAD", base + "/v2/team/big/blobs/" + digest, null, Map.of()).statusCode())
        .isEqualTo(404);

    // The space the failed upload took is free again: a small image goes in and comes back.
    var client = berth.client();
    byte[] layer = "fits".getBytes(StandardCharsets.UTF_8);
    String layerDigest = client.pushBlob("team/small", layer);
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    String configDigest = client.pushBlob("team/small", config);
    byte[] manifest =
        TestImages.manifest(configDigest, 2, List.of(layerDigest), List.of((long) layer.length));
    client.pushManifest("team/small", "1", TestImages.OCI_MANIFEST, manifest);
    assertThat(
            client
                .get("/v2/team/small/manifests/1", Map.of("accept", TestImages.OCI_MANIFEST))
                .body())
        .isEqualTo(manifest);
  }
}
