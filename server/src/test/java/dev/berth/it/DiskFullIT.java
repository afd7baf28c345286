package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.Berth;
import dev.berth.testing.Cmd;
import dev.berth.testing.Digests;
import dev.berth.testing.Http;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push into a data directory that fills up (a real 8 MiB tmpfs): the client gets a clear error,
 * nothing is acknowledged or stored under the digest, and Berth goes on working once space is free.
 * Mounting needs root, as the CI has; the test fails rather than skip without it.
 */
class DiskFullIT {
  @TempDir static Path dir;
  static Path data;
  static Registry upstream;
  static Relay relay;
  static Berth berth;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createDirectories(dir.resolve("small"));
    Cmd.run(List.of("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", data.toString())).ok();
    upstream = Registry.start();
    relay = new Relay(upstream.url());
    berth =
        Berth.start(
            data,
            """
            localPrefixes: [team]
            upstreams:
              - name: docker.io
                endpoints: ["%s"]
            """
                .formatted(relay.url()));
    base = "http://" + berth.address();
  }

  @AfterAll
  static void stop() {
    if (berth != null) {
      berth.close();
    }
    if (relay != null) {
      relay.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    Cmd.run(List.of("umount", data.toString())).ok();
  }

  @AfterEach
  void freeTheDisk() throws Exception {
    Files.deleteIfExists(data.resolve("filler"));
  }

  /** Fills the data directory's disk with a file of its own until {@code leave} bytes are free. */
  private static void fillDisk(long leave) throws IOException {
    Path filler = data.resolve("filler");
    try (FileChannel out =
        FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
      try {
        while (true) {
          zeros.clear();
          out.write(zeros, out.size());
        }
      } catch (IOException full) {
        // The disk is full.
      }
      out.truncate(Math.max(0, out.size() - leave));
    }
  }

  /** The body of a {@code GET}, or empty when the connection was cut before its end. */
  private static java.util.Optional<byte[]> receivedWhole(String path) throws Exception {
    try {
      return java.util.Optional.of(
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
                  HttpResponse.BodyHandlers.ofByteArray())
              .body());
    } catch (IOException cut) {
      return java.util.Optional.empty();
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aFailedChunkLeavesTheSessionWhereItSaysSoTheClientResumes() throws Exception {
    byte[] blob = random(3 << 20, 2);
    String digest = Digests.sha256(blob);
    HttpResponse<String> started =
        Http.send("POST", base + "/v2/team/resume/blobs/uploads/", null, Map.of());
    String location = started.headers().firstValue("location").orElseThrow();
    String id = location.replaceFirst("^.*/blobs/uploads/", "").replaceFirst("\\?.*$", "");
    fillDisk(1 << 20);
    HttpResponse<String> failed =
        Http.send("PATCH", location, blob, Map.of("content-range", "0-" + (blob.length - 1)));
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.body()).contains("UNAVAILABLE").contains("No space left on device");

    HttpResponse<String> status = Http.send("GET", location, null, Map.of());
    assertThat(status.statusCode()).isEqualTo(204);
    long held =
        status
            .headers()
            .firstValue("range")
            .map(r -> Long.parseLong(r.substring(r.indexOf('-') + 1)) + 1)
            .orElse(0L);
    assertThat(held).isLessThan(blob.length);
    assertThat(Files.size(data.resolve("uploads").resolve(id)))
        .as("the session's file holds what the session reports")
        .isEqualTo(held);

    Files.delete(data.resolve("filler"));
    HttpResponse<String> rest =
        Http.send(
            "PATCH",
            location,
            Arrays.copyOfRange(blob, (int) held, blob.length),
            Map.of("content-range", held + "-" + (blob.length - 1)));
    assertThat(rest.statusCode()).as(rest.body()).isEqualTo(202);
    HttpResponse<String> put = Http.send("PUT", location + "?digest=" + digest, null, Map.of());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    assertThat(berth.client().get("/v2/team/resume/blobs/" + digest, Map.of()).body())
        .isEqualTo(blob);
  }

  @Test
  void aFailedMonolithicUploadLeavesNoFileBehind() throws Exception {
    byte[] blob = random(3 << 20, 3);
    fillDisk(1 << 20);
    HttpResponse<String> failed =
        Http.send(
            "POST",
            base + "/v2/team/mono/blobs/uploads/?digest=" + Digests.sha256(blob),
            blob,
            Map.of());
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.body()).contains("UNAVAILABLE");
    try (Stream<Path> left = Files.list(data.resolve("uploads"))) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void uncachedBlobsStreamThroughVerifiedWhileTheDiskIsFull() throws Exception {
    byte[] first = random(1 << 20, 4);
    byte[] second = random(512 << 10, 5);
    String firstDigest = upstream.client().pushBlob("library/full", first);
    String secondDigest = upstream.client().pushBlob("library/full", second);
    var client = berth.client();

    // Room for a little, not for this blob: refused once its size is known.
    fillDisk(5 << 18);
    HttpResponse<byte[]> got = client.get("/v2/library/full/blobs/" + firstDigest, Map.of());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(first);
    // No room at all: not even started.
    fillDisk(0);
    HttpResponse<byte[]> again = client.get("/v2/library/full/blobs/" + secondDigest, Map.of());
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(second);
    assertThat(Files.exists(data.resolve("blobs/sha256/" + firstDigest.substring(7, 9))))
        .as("nothing was stored")
        .isFalse();

    HttpResponse<String> range =
        Http.send(
            "GET",
            base + "/v2/library/full/blobs/" + secondDigest,
            null,
            Map.of("range", "bytes=0-99"));
    assertThat(range.statusCode()).isEqualTo(503);
    assertThat(range.body()).contains("UNAVAILABLE").contains("disk is full");

    // Verified as it passes: bytes that are not the blob never arrive whole.
    byte[] third = random(256 << 10, 6);
    String thirdDigest = upstream.client().pushBlob("library/full", third);
    relay.flipBlobByte(true);
    try {
      assertThat(receivedWhole("/v2/library/full/blobs/" + thirdDigest))
          .as("a blob with a flipped byte is cut before its end")
          .isEmpty();
    } finally {
      relay.flipBlobByte(false);
    }

    HttpResponse<String> ready = Http.send("GET", base + "/readyz", null, Map.of());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("disk: full");
    assertThat(Http.send("GET", base + "/metrics", null, Map.of()).body())
        .containsPattern("berth_storage_write_failures_total\\{cause=\"no_space\"\\} [1-9]");

    Files.delete(data.resolve("filler"));
    assertThat(Http.send("GET", base + "/readyz", null, Map.of()).body()).doesNotContain("disk");
    assertThat(client.get("/v2/library/full/blobs/" + firstDigest, Map.of()).body())
        .isEqualTo(first);
    HttpResponse<byte[]> cached = client.get("/v2/library/full/blobs/" + firstDigest, Map.of());
    assertThat(cached.headers().firstValue("berth-cache")).contains("hit");
  }

  @Test
  void aBlobThatDoesNotFitIsRefusedClearlyAndLeavesNothingBehind() throws Exception {
    byte[] blob = new byte[10 << 20];
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
