package dev.berth.shared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.StorageConfig;
import dev.berth.database.Database;
import dev.berth.database.SqlBlobLedger;
import dev.berth.objectstore.Bucket;
import dev.berth.objectstore.ObjectBlobStore;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.storage.DataDirectory;
import dev.berth.storage.FileBlobStore;
import dev.berth.storage.FileManifestStore;
import dev.berth.storage.StoragePaths;
import dev.berth.storage.StoredBlob;
import dev.berth.storage.UploadStore;
import dev.berth.testing.SharedBackends;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upload sessions and manifests on a real s3proxy and PostgreSQL: what was acknowledged outlives
 * the data directory.
 */
class SharedStoresIT {
  @TempDir Path dir;
  private Bucket bucket;
  private Database db;

  @BeforeEach
  void open() throws Exception {
    StorageConfig backends = SharedBackends.newBackends();
    bucket = Bucket.open(SharedBackend.bucketSettings(backends.objectStore()));
    db = Database.open(SharedBackend.databaseSettings(backends.database()));
  }

  @AfterEach
  void close() {
    bucket.close();
    db.close();
  }

  /** The stores of a process whose data directory is {@code name} under the test's directory. */
  private record Process(StoragePaths paths, ObjectBlobStore blobs, SharedUploadStore uploads) {}

  private Process process(String name) throws Exception {
    StoragePaths paths = DataDirectory.prepare(dir.resolve(name));
    ObjectBlobStore blobs =
        new ObjectBlobStore(
            bucket,
            new SqlBlobLedger(db),
            new FileBlobStore(paths, 0),
            0,
            ForkJoinPool.commonPool());
    return new Process(paths, blobs, new SharedUploadStore(bucket, db, paths, blobs));
  }

  private static void append(UploadStore store, String id, byte[] data, int from, int to)
      throws Exception {
    try (UploadStore.Appender out = store.append(id)) {
      out.write(ByteBuffer.wrap(data, from, to - from));
    }
  }

  private static byte[] read(UploadStore store, String id) throws Exception {
    try (InputStream in = Channels.newInputStream(store.read(id))) {
      return in.readAllBytes();
    }
  }

  @Test
  void aSessionContinuesInAnotherProcessOnAnEmptyDiskAndCommitsUnderItsDigest() throws Exception {
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);
    Digest digest = Digest.sha256(data);
    String id = UUID.randomUUID().toString();
    Process first = process("first");
    first.uploads().create(id);
    append(first.uploads(), id, data, 0, 100_000);
    append(first.uploads(), id, data, 100_000, 200_000);
    assertThat(bucket.list(SharedUploadStore.chunks(id))).hasSize(2);

    Process second = process("second");
    assertThat(second.uploads().size(id)).hasValue(200_000);
    assertThat(read(second.uploads(), id)).isEqualTo(java.util.Arrays.copyOf(data, 200_000));
    append(second.uploads(), id, data, 200_000, data.length);
    StoredBlob blob = second.uploads().commit(id, digest, data.length);

    assertThat(blob.size()).isEqualTo(data.length);
    assertThat(second.uploads().size(id)).isEmpty();
    assertThat(bucket.list(SharedUploadStore.chunks(id))).isEmpty();
    Process third = process("third");
    try (InputStream in =
        Channels.newInputStream(third.blobs().find(digest).orElseThrow().open())) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void aReaderFollowsAnAppendInProgressAndLeavesItsBytesAlone() throws Exception {
    byte[] data = "streamed while it arrives".getBytes(StandardCharsets.UTF_8);
    String id = UUID.randomUUID().toString();
    Process p = process("following");
    p.uploads().create(id);
    try (UploadStore.Appender out = p.uploads().append(id)) {
      out.write(ByteBuffer.wrap(data, 0, 8));
      // A forward that streams the upload upstream while the client is still sending it.
      assertThat(read(p.uploads(), id)).isEqualTo(java.util.Arrays.copyOf(data, 8));
      out.write(ByteBuffer.wrap(data, 8, data.length - 8));
    }
    assertThat(p.uploads().size(id)).hasValue(data.length);
    assertThat(read(process("elsewhere").uploads(), id)).isEqualTo(data);
  }

  @Test
  void aChunkThatWasNotCountedIsCutFromTheLocalFile() throws Exception {
    byte[] data = "0123456789".getBytes(StandardCharsets.UTF_8);
    String id = UUID.randomUUID().toString();
    Process p = process("cut");
    p.uploads().create(id);
    append(p.uploads(), id, data, 0, 4);
    // A process that died after writing to its file but before the chunk was counted.
    Files.write(p.paths().upload(id), data);

    assertThat(p.uploads().size(id)).hasValue(4);
    assertThat(read(p.uploads(), id)).isEqualTo("0123".getBytes(StandardCharsets.UTF_8));
    append(p.uploads(), id, data, 4, 10);
    assertThat(read(process("other").uploads(), id)).isEqualTo(data);
  }

  @Test
  void idleSessionsAreListedAndTheirDeletionRemovesTheirChunks() throws Exception {
    Process p = process("idle");
    String id = UUID.randomUUID().toString();
    p.uploads().create(id);
    append(p.uploads(), id, new byte[] {1, 2, 3}, 0, 3);
    assertThat(p.uploads().idleSince(java.time.Instant.now().plusSeconds(1))).containsExactly(id);
    assertThat(p.uploads().idleSince(java.time.Instant.now().minusSeconds(60))).isEmpty();

    p.uploads().delete(id);
    assertThat(p.uploads().size(id)).isEmpty();
    assertThat(bucket.list(SharedUploadStore.chunks(id))).isEmpty();
    assertThat(p.uploads().size("not-a-session")).isEmpty();
  }

  @Test
  void aManifestIsReadBackWithItsFirstTypeByAProcessThatNeverSawIt() throws Exception {
    byte[] bytes = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    Manifest m = Manifest.of(bytes, "application/vnd.oci.image.manifest.v1+json");
    new SharedManifestStore(
            bucket, db, new FileManifestStore(DataDirectory.prepare(dir.resolve("a"))))
        .put(m);
    SharedManifestStore other =
        new SharedManifestStore(
            bucket, db, new FileManifestStore(DataDirectory.prepare(dir.resolve("b"))));
    other.put(Manifest.of(bytes, "application/vnd.docker.distribution.manifest.v2+json"));

    Manifest read =
        new SharedManifestStore(
                bucket, db, new FileManifestStore(DataDirectory.prepare(dir.resolve("c"))))
            .get(m.digest())
            .orElseThrow();
    assertThat(read.bytes()).isEqualTo(bytes);
    assertThat(read.mediaType()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(other.get(m.digest()).orElseThrow().mediaType())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
  }
}
