package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthProcess;
import dev.berth.testing.BlobClient;
import dev.berth.testing.BlobClient.Download;
import dev.berth.testing.Registry;
import dev.berth.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A blob four times the heap, served cold and warm to 16 clients by Berth run with -Xmx128m. */
class MemoryIT {
  private static final long SIZE = 512L << 20;
  private static final int CLIENTS = 16;

  @Test
  void servesA512MibBlobColdAndWarmWith128MibOfHeap(@TempDir Path dir) throws Exception {
    try (Registry registry = Registry.start()) {
      String digest = TestImages.pushRandomBlob(registry.client(), "library/huge", dir, SIZE, 11);
      Path config =
          Files.writeString(
              dir.resolve("berth.yaml"),
              """
          upstreams:
            - name: docker.io
              endpoints: ["%s"]
          """
                  .formatted(registry.url()));
      try (BerthProcess berth =
          BerthProcess.serve(
              List.of("-Xmx128m", "-XX:MaxDirectMemorySize=256m"), config, dir.resolve("data"))) {
        BlobClient client = new BlobClient("http://" + berth.address());
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
          for (String phase : List.of("cold", "warm")) {
            List<CompletableFuture<Download>> pulls = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
              pulls.add(
                  CompletableFuture.supplyAsync(
                      () -> client.get("/v2/huge/blobs/" + digest), pool));
            }
            for (CompletableFuture<Download> pull : pulls) {
              Download d = pull.join();
              assertThat(d.error()).as(phase + ": " + berth.log()).isNull();
              assertThat(d.bytes()).as(phase).isEqualTo(SIZE);
              assertThat(d.digest()).as(phase).isEqualTo(digest);
            }
          }
        } finally {
          pool.shutdownNow();
        }
        assertThat(berth.process().isAlive()).isTrue();
        assertThat(berth.log()).doesNotContain("OutOfMemoryError");
        assertThat(berth.terminate()).isZero();
      }
    }
  }
}
