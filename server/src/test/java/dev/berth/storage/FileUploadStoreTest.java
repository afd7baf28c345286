package dev.berth.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileUploadStoreTest {
  @TempDir Path dir;

  private static ByteBuffer bytes(String text) {
    return ByteBuffer.wrap(text.getBytes(UTF_8));
  }

  private static String newSession(UploadStore uploads) throws IOException {
    String id = UUID.randomUUID().toString();
    uploads.create(id);
    return id;
  }

  @Test
  void aSessionGrowsAcrossAppendsAndSurvivesARestart() throws IOException {
    StoragePaths paths = DataDirectory.prepare(dir);
    UploadStore uploads = new FileUploadStore(paths, new FileBlobStore(paths, 0));
    String id = newSession(uploads);
    try (UploadStore.Appender out = uploads.append(id)) {
      out.write(bytes("first "));
    }
    try (UploadStore.Appender out = uploads.append(id)) {
      out.write(bytes("second "), bytes("third"));
    }

    UploadStore again = new FileUploadStore(paths, new FileBlobStore(paths, 0));
    assertThat(again.size(id)).hasValue(18);
    assertThat(BlobStoreContract.readAll(again.read(id))).isEqualTo("first second third");
  }

  @Test
  void aTruncateAfterAFailedWriteLeavesTheSessionAsItWas() throws IOException {
    StoragePaths paths = DataDirectory.prepare(dir);
    UploadStore uploads = new FileUploadStore(paths, new FileBlobStore(paths, 0));
    String id = newSession(uploads);
    try (UploadStore.Appender out = uploads.append(id)) {
      out.write(bytes("kept"));
      out.write(bytes("half-written"));
      out.truncate(4);
    }
    try (UploadStore.Appender out = uploads.append(id)) {
      out.write(bytes("+more"));
    }

    assertThat(BlobStoreContract.readAll(uploads.read(id))).isEqualTo("kept+more");
  }

  @Test
  void aCommittedSessionMovesIntoTheBlobStorePinned() throws IOException {
    StoragePaths paths = DataDirectory.prepare(dir);
    FileBlobStore blobs = new FileBlobStore(paths, 8);
    UploadStore uploads = new FileUploadStore(paths, blobs);
    String id = newSession(uploads);
    try (UploadStore.Appender out = uploads.append(id)) {
      out.write(bytes("pushed!"));
    }
    Digest digest = Digest.sha256("pushed!".getBytes(UTF_8));

    assertThat(uploads.commit(id, digest, 7).size()).isEqualTo(7);

    assertThat(uploads.size(id)).isEmpty();
    assertThatThrownBy(() -> uploads.read(id)).isInstanceOf(NoSuchFileException.class);
    BlobStoreContract.put(blobs, "pulled!", false);
    BlobStoreContract.put(blobs, "pulled again", false);
    assertThat(BlobStoreContract.readAll(blobs.find(digest).orElseThrow().open()))
        .isEqualTo("pushed!");
  }

  @Test
  void aNameThatIsNotASessionIdReachesNoFile() throws IOException {
    StoragePaths paths = DataDirectory.prepare(dir);
    UploadStore uploads = new FileUploadStore(paths, new FileBlobStore(paths, 0));
    for (String id : new String[] {"../format-version", "..", "", "A1B2", "x/../../tmp"}) {
      assertThat(uploads.size(id)).as(id).isEqualTo(OptionalLong.empty());
      assertThatThrownBy(() -> uploads.read(id)).as(id).isInstanceOf(NoSuchFileException.class);
      assertThatThrownBy(() -> uploads.append(id)).as(id).isInstanceOf(NoSuchFileException.class);
      uploads.delete(id);
    }
    assertThat(paths.formatVersion()).exists();
  }

  @Test
  void idleSessionsAreTheOnesNotWrittenSinceTheCutoff() throws IOException {
    StoragePaths paths = DataDirectory.prepare(dir);
    UploadStore uploads = new FileUploadStore(paths, new FileBlobStore(paths, 0));
    String id = newSession(uploads);

    assertThat(uploads.idleSince(Instant.now().minusSeconds(60))).isEmpty();
    assertThat(uploads.idleSince(Instant.now().plusSeconds(60))).containsExactly(id);
    uploads.delete(id);
    assertThat(uploads.idleSince(Instant.now().plusSeconds(60))).isEmpty();
  }
}
