package dev.berth.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.database.Database;
import dev.berth.database.DatabaseSettings;
import dev.berth.database.SqlBlobLedger;
import dev.berth.oci.Digest;
import dev.berth.storage.BlobStore;
import dev.berth.storage.BlobStoreContract;
import dev.berth.storage.BlobWriter;
import dev.berth.storage.DataDirectory;
import dev.berth.storage.FileBlobStore;
import dev.berth.storage.StoredBlob;
import dev.berth.testing.Postgres;
import dev.berth.testing.S3Server;
import dev.berth.testing.SharedBackends;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The object-store backend against a real S3 API server (s3proxy, signed requests, checksums only
 * when required): the blob store contract, with a restart that starts on an empty local tier, and
 * what only this backend has: multipart uploads, the local tier's copies, a store that is down.
 */
class ObjectBlobStoreIT extends BlobStoreContract {
  private static final long PART = 5L << 20;

  @TempDir static Path serverDir;
  private static S3Server server;

  @TempDir Path localDir;
  private BucketSettings settings;
  private Database db;
  private ExecutorService background;
  private int reopened;

  @BeforeAll
  static void startServer() throws IOException {
    server = S3Server.start(serverDir);
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
  }

  @BeforeEach
  void newBucket() throws Exception {
    settings = server.newBucket("cache/");
    Postgres pg = SharedBackends.postgres();
    db = Database.open(new DatabaseSettings(pg.url(pg.newDatabase()), Postgres.USER, "", 4));
    background = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopBackground() throws InterruptedException {
    db.close();
    // Copies into the local tier still running would write into a directory being deleted.
    background.shutdown();
    assertThat(background.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Override
  protected BlobStore newStore(long budget) throws IOException {
    return open(budget, localDir.resolve("local"));
  }

  /** The same bucket, from a process that starts on an empty local tier. */
  @Override
  protected BlobStore reopen(BlobStore store, long budget) throws IOException {
    return open(budget, localDir.resolve("local-" + ++reopened));
  }

  private ObjectBlobStore open(long budget, Path local) throws IOException {
    return new ObjectBlobStore(
        Bucket.open(settings, PART),
        new SqlBlobLedger(db),
        new FileBlobStore(DataDirectory.prepare(local), 0),
        budget,
        background);
  }

  private List<String> objects() {
    try (S3Client s3 = server.client()) {
      return s3.listObjectsV2(r -> r.bucket(settings.bucket())).contents().stream()
          .map(o -> o.key())
          // s3proxy's filesystem backend lists its directories as folder markers.
          .filter(key -> !key.endsWith("/"))
          .toList();
    }
  }

  private static byte[] random(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  @Test
  void aBlobOverThePartSizeIsUploadedInPartsAndAppearsOnlyWhenComplete() throws IOException {
    byte[] data = random((int) (2 * PART + 12345));
    Digest digest = Digest.sha256(data);
    BlobStore store = newStore(0);
    BlobWriter w = store.writer(digest);
    for (int at = 0; at < data.length; at += 1 << 20) {
      w.write(ByteBuffer.wrap(data, at, Math.min(1 << 20, data.length - at)));
    }
    assertThat(objects()).isEmpty();

    w.commit(false);

    assertThat(objects()).containsExactly("cache/" + ObjectBlobStore.blobName(digest));
    BlobStore cold = reopen(store, 0);
    StoredBlob found = cold.find(digest).orElseThrow();
    assertThat(found.size()).isEqualTo(data.length);
    try (SeekableByteChannel in = found.open()) {
      assertThat(in).isNotInstanceOf(FileChannel.class);
      in.position(PART - 3);
      ByteBuffer six = ByteBuffer.allocate(6);
      while (six.hasRemaining()) {
        in.read(six);
      }
      assertThat(six.array())
          .isEqualTo(java.util.Arrays.copyOfRange(data, (int) PART - 3, (int) PART + 3));
      in.position(0);
      try (InputStream all = Channels.newInputStream(in)) {
        assertThat(Digest.sha256(all.readAllBytes())).isEqualTo(digest);
      }
    }
  }

  @Test
  void aReadFromTheObjectStoreFillsTheLocalTierForTheNextRead() throws IOException {
    BlobStore first = newStore(0);
    put(first, "hot layer", false);
    BlobStore restarted = reopen(first, 0);

    StoredBlob remote = restarted.find(digestOf("hot layer")).orElseThrow();
    assertThat(readAll(remote.open())).isEqualTo("hot layer");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try (SeekableByteChannel in =
                  restarted.find(digestOf("hot layer")).orElseThrow().open()) {
                return in instanceof FileChannel;
              }
            });
    assertThat(readAll(restarted.find(digestOf("hot layer")).orElseThrow().open()))
        .isEqualTo("hot layer");
  }

  @Test
  void aCommitWhileTheObjectStoreIsDownFailsAndLeavesNothing() throws Exception {
    BlobStore store = newStore(0);
    BlobWriter w = store.writer(digestOf("pushed while down"));
    w.write(bytes("pushed while down"));
    server.stop();
    try {
      assertThatThrownBy(() -> w.commit(true))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("object store " + settings.bucket() + "/cache/");
      w.abort();
      assertThat(store.contains(digestOf("pushed while down"))).isFalse();
    } finally {
      server.restart();
    }
    assertThat(objects()).noneMatch(k -> k.startsWith("cache/blobs/"));
    assertThat(reopen(store, 0).contains(digestOf("pushed while down"))).isFalse();
    Path localBlobs = localDir.resolve("local").resolve("blobs");
    if (Files.exists(localBlobs)) {
      try (var files = Files.walk(localBlobs)) {
        assertThat(files.filter(Files::isRegularFile)).isEmpty();
      }
    }
  }

  /** Writes {@code text} into the bucket under {@code name}, as another program would. */
  private void putObject(String name, String text) throws IOException {
    try (Bucket bucket = Bucket.open(settings)) {
      bucket.write(name, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void aBlobDeletedFromTheBucketBehindBerthsBackIsAMissAndLeavesTheAccount() throws IOException {
    BlobStore first = newStore(0);
    put(first, "deleted by a lifecycle rule", false);
    try (S3Client s3 = server.client()) {
      s3.deleteObject(
          r ->
              r.bucket(settings.bucket())
                  .key(
                      "cache/"
                          + ObjectBlobStore.blobName(digestOf("deleted by a lifecycle rule"))));
    }
    BlobStore restarted = reopen(first, 0);

    // Found by what this process holds in memory; its read fails and forgets it.
    StoredBlob gone = restarted.find(digestOf("deleted by a lifecycle rule")).orElseThrow();
    assertThatThrownBy(() -> readAll(gone.open())).isInstanceOf(NoSuchFileException.class);
    assertThat(restarted.find(digestOf("deleted by a lifecycle rule"))).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(new SqlBlobLedger(db).get(digestOf("deleted by a lifecycle rule")))
                  .isEmpty();
              assertThat(restarted.totalBytes()).isZero();
            });
  }

  @Test
  void pinMarkersOfAnEarlierReleaseAreAccountedAtTheFirstStartAndKeepTheirBlobs()
      throws IOException {
    for (String text : List.of("pushed!", "cached!")) {
      putObject(ObjectBlobStore.blobName(digestOf(text)), text);
    }
    String hex = digestOf("pushed!").hex();
    putObject("pins/sha256/" + hex.substring(0, 2) + "/" + hex, "");

    BlobStore store = newStore(14);
    assertThat(store.totalBytes()).isEqualTo(14);
    assertThat(new SqlBlobLedger(db).get(digestOf("pushed!")).orElseThrow().pinned()).isTrue();
    put(store, "newest!", false);

    assertThat(store.contains(digestOf("pushed!"))).isTrue();
    assertThat(store.contains(digestOf("cached!"))).isFalse();
    assertThat(store.contains(digestOf("newest!"))).isTrue();
    assertThat(objects()).doesNotContain("cache/" + ObjectBlobStore.blobName(digestOf("cached!")));
  }

  @Test
  void twoProcessesOnOneBucketShareTheAccountAndTheBudget() throws IOException {
    BlobStore one = newStore(12);
    put(one, "by one", false);
    BlobStore two = reopen(one, 12);

    assertThat(readAll(two.find(digestOf("by one")).orElseThrow().open())).isEqualTo("by one");
    put(two, "by two", false);
    put(two, "later!", false);

    // Read by two after one stored it, "by one" was used later than "by two": the budget keeps it.
    SqlBlobLedger ledger = new SqlBlobLedger(db);
    assertThat(ledger.get(digestOf("by two"))).isEmpty();
    assertThat(ledger.get(digestOf("by one"))).isPresent();
    assertThat(two.contains(digestOf("by two"))).isFalse();
    assertThat(one.contains(digestOf("by one"))).isTrue();
    assertThat(two.totalBytes()).isEqualTo(12);
  }

  @Test
  void theSweeperAccountsABlobWhoseWriterDiedBeforeItsRow() throws IOException {
    ObjectBlobStore store = open(0, localDir.resolve("local"));
    putObject(ObjectBlobStore.blobName(digestOf("orphaned")), "orphaned");

    assertThat(store.accountStrays(Instant.now().minus(Duration.ofHours(1)))).isZero();
    assertThat(store.accountStrays(Instant.now().plus(Duration.ofMinutes(1)))).isEqualTo(1);
    assertThat(store.contains(digestOf("orphaned"))).isTrue();
    assertThat(readAll(store.find(digestOf("orphaned")).orElseThrow().open()))
        .isEqualTo("orphaned");
    assertThat(store.accountStrays(Instant.now().plus(Duration.ofMinutes(1)))).isZero();
  }

  @Test
  void theSweeperAbortsMultipartUploadsThatWereLeftBehind() throws IOException {
    try (S3Client s3 = server.client()) {
      s3.createMultipartUpload(r -> r.bucket(settings.bucket()).key("cache/blobs/sha256/ab/left"));
      try (Bucket bucket = Bucket.open(settings)) {
        assertThat(bucket.abortUploadsBefore(Instant.now().minus(Duration.ofHours(1)))).isZero();
        assertThat(bucket.abortUploadsBefore(Instant.now().plus(Duration.ofMinutes(1))))
            .isEqualTo(1);
      }
      assertThat(s3.listMultipartUploads(r -> r.bucket(settings.bucket())).uploads()).isEmpty();
    }
  }
}
