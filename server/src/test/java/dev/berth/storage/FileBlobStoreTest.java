package dev.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest extends BlobStoreContract {
  @TempDir Path dir;

  @Override
  protected BlobStore newStore(long budget) throws IOException {
    return new FileBlobStore(DataDirectory.prepare(dir), budget);
  }

  @Override
  protected BlobStore reopen(BlobStore store, long budget) throws IOException {
    return new FileBlobStore(DataDirectory.prepare(dir), budget);
  }

  @Test
  void aWriteInProgressIsATemporaryFileThatAnAbortRemoves() throws IOException {
    BlobStore store = newStore(0);
    BlobWriter w = store.writer(digestOf("partial"));
    w.write(bytes("part"));
    assertThat(filesUnder("tmp")).hasSize(1);
    assertThat(filesUnder("blobs")).isEmpty();

    w.abort();

    assertThat(filesUnder("tmp")).isEmpty();
    assertThat(filesUnder("blobs")).isEmpty();
  }

  private java.util.List<Path> filesUnder(String sub) throws IOException {
    Path root = dir.resolve(sub);
    if (!Files.exists(root)) {
      return java.util.List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
