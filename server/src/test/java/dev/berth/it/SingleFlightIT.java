package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.testing.Berth;
import dev.berth.testing.BlobClient;
import dev.berth.testing.BlobClient.Download;
import dev.berth.testing.Registry;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One upstream fetch per digest however many clients wait, through a relay that slows the upstream
 * so that the clients really overlap the download.
 */
class SingleFlightIT {
  private static final long SIZE = 64L << 20;
  private static final int CLIENTS = 16;

  static Registry registry;
  static Relay relay;

  @TempDir Path data;
  Berth berth;
  BlobClient client;
  ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);

  @BeforeAll
  static void startUpstream() {
    registry = Registry.start();
    relay = new Relay(registry.url());
  }

  @AfterAll
  static void stopUpstream() {
    relay.close();
    registry.close();
  }

  @BeforeEach
  void startBerth() {
    berth = Berth.start(data, Berth.dockerHubAt(relay.url(), ""));
    client = new BlobClient("http://" + berth.address());
    relay.reset();
  }

  @AfterEach
  void stopBerth() {
    berth.close();
    pool.shutdownNow();
  }

  private static List<Path> filesUnder(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private String pushBlob(long seed, @TempDir Path dir) {
    return TestImages.pushRandomBlob(registry.client(), "library/big", dir, SIZE, seed);
  }

  @Test
  void sixteenConcurrentPullsMakeOneUpstreamRequest(@TempDir Path dir) {
    String digest = pushBlob(1, dir);
    relay.throttleBlobs(32L << 20);
    List<CompletableFuture<Download>> pulls = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      pulls.add(CompletableFuture.supplyAsync(() -> client.get("/v2/big/blobs/" + digest), pool));
    }
    for (CompletableFuture<Download> pull : pulls) {
      Download d = pull.join();
      assertThat(d.error()).isNull();
      assertThat(d.status()).isEqualTo(200);
      assertThat(d.digest()).isEqualTo(digest);
      assertThat(d.cache()).as("every client joined the one download").isEqualTo("miss");
    }
    assertThat(relay.blobGets()).isEqualTo(1);
  }

  @Test
  void firstClientHangingUpDoesNotStopTheDownload(@TempDir Path dir) {
    String digest = pushBlob(2, dir);
    relay.throttleBlobs(32L << 20);
    CompletableFuture<Download> first =
        CompletableFuture.supplyAsync(() -> client.get("/v2/big/blobs/" + digest, SIZE / 2), pool);
    await().atMost(Duration.ofSeconds(10)).until(() -> relay.blobGets() == 1);
    List<CompletableFuture<Download>> others = new ArrayList<>();
    for (int i = 1; i < CLIENTS; i++) {
      others.add(CompletableFuture.supplyAsync(() -> client.get("/v2/big/blobs/" + digest), pool));
    }
    assertThat(first.join().bytes()).isLessThan(SIZE);
    for (CompletableFuture<Download> pull : others) {
      Download d = pull.join();
      assertThat(d.error()).isNull();
      assertThat(d.digest()).isEqualTo(digest);
    }
    assertThat(relay.blobGets()).isEqualTo(1);
    Download warm = client.get("/v2/big/blobs/" + digest);
    assertThat(warm.cache()).isEqualTo("hit");
    assertThat(warm.digest()).isEqualTo(digest);
    assertThat(relay.blobGets()).isEqualTo(1);
  }

  @Test
  void cutUpstreamBodyIsResumedWithRange(@TempDir Path dir) {
    String digest = pushBlob(3, dir);
    relay.cutNextBlobAfter(SIZE / 3);
    Download d = client.get("/v2/big/blobs/" + digest);
    assertThat(d.error()).isNull();
    assertThat(d.digest()).isEqualTo(digest);
    assertThat(relay.blobGets()).isEqualTo(2);
  }

  @Test
  void upstreamFailureReachesEveryWaiterAndStoresNothing(@TempDir Path dir) throws Exception {
    String digest = pushBlob(4, dir);
    // Each answer is cut after 1/16 of the blob: more than the resumes allowed can complete.
    relay.cutBlobsAfter(SIZE / 16);
    List<CompletableFuture<Download>> pulls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pulls.add(CompletableFuture.supplyAsync(() -> client.get("/v2/big/blobs/" + digest), pool));
    }
    for (CompletableFuture<Download> pull : pulls) {
      Download d = pull.join();
      assertThat(d.error()).as("a cut download is an error, never a short success").isNotNull();
      assertThat(d.bytes()).isLessThan(SIZE);
    }
    assertThat(filesUnder(data.resolve("blobs"))).isEmpty();
    assertThat(filesUnder(data.resolve("tmp"))).as("temporary files left").isEmpty();
    relay.cutBlobsAfter(-1);
    assertThat(client.get("/v2/big/blobs/" + digest).digest()).isEqualTo(digest);
  }
}
