package dev.berth.push;

import dev.berth.oci.Digest;
import dev.berth.pull.GrowingContent;
import dev.berth.storage.BlobStore;
import dev.berth.storage.Growth;
import dev.berth.storage.StoredBlob;
import dev.berth.storage.UploadStore;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;

/**
 * An upload session's bytes as they stream in ({@code growth}), {@code size} in all: complete once
 * they are verified as {@code digest}, after which they are found in the blob store, where they
 * have moved.
 */
record UploadContent(
    Growth growth, String id, long size, Digest digest, UploadStore uploads, BlobStore blobs)
    implements GrowingContent {
  @Override
  public SeekableByteChannel open() throws IOException {
    try {
      return uploads.read(id);
    } catch (NoSuchFileException e) {
      StoredBlob stored = blobs.find(digest).orElseThrow(() -> e);
      return stored.open();
    }
  }
}
