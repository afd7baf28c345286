package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testing.Berth;
import dev.berth.testing.BlobClient;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A disk budget evicts the least recently used blobs and keeps the recent ones. */
class DiskBudgetIT {
  private static final long BLOB = 16L << 20;

  @Test
  void leastRecentlyUsedBlobsAreEvictedAndFetchedAgainOnDemand(@TempDir Path dir) {
    try (Registry registry = Registry.start();
        Relay relay = new Relay(registry.url())) {
      List<String> digests = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        digests.add(
            TestImages.pushRandomBlob(registry.client(), "library/lru", dir, BLOB, 100 + i));
      }
      Path data = dir.resolve("data");
      try (Berth berth =
          Berth.start(
              data,
              """
          storage:
            diskBudget: 32MiB
          upstreams:
            - name: docker.io
              endpoints: ["%s"]
          """
                  .formatted(relay.url()))) {
        BlobClient client = new BlobClient("http://" + berth.address());
        for (String d : digests) {
          BlobClient.Download got = client.get("/v2/lru/blobs/" + d);
          assertThat(got.error()).as("download of %s", d).isNull();
          assertThat(got.digest()).isEqualTo(d);
        }
        assertThat(relay.blobGets()).isEqualTo(6);
        // A client gets the last byte once the blob is verified; storing it follows.
        awaitStored(data, digests, List.of(false, false, false, false, true, true));

        assertThat(client.get("/v2/lru/blobs/" + digests.get(5)).cache()).isEqualTo("hit");
        assertThat(client.get("/v2/lru/blobs/" + digests.get(4)).cache()).isEqualTo("hit");
        assertThat(relay.blobGets()).isEqualTo(6);

        BlobClient.Download again = client.get("/v2/lru/blobs/" + digests.get(0));
        assertThat(again.cache()).isEqualTo("miss");
        assertThat(again.digest()).isEqualTo(digests.get(0));
        assertThat(relay.blobGets()).isEqualTo(7);
        // Blob 5 was used before blob 4, so it is the one that made room for blob 0.
        awaitStored(data, digests, List.of(true, false, false, false, true, false));
      }
    }
  }

  /** Waits for the store to hold {@code expected} (whether each blob is there), and to stay so. */
  private static void awaitStored(Path data, List<String> digests, List<Boolean> expected) {
    await()
        .atMost(Duration.ofSeconds(20))
        .during(Duration.ofMillis(300))
        .untilAsserted(
            () ->
                assertThat(stored(data, digests))
                    .as("96 MiB pulled into 32 MiB")
                    .isEqualTo(expected));
  }

  private static List<Boolean> stored(Path data, List<String> digests) {
    List<Boolean> out = new ArrayList<>();
    for (String d : digests) {
      String hex = d.substring("sha256:".length());
      out.add(Files.exists(data.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex)));
    }
    return out;
  }
}
