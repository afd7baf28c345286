package dev.berth.push;

import dev.berth.oci.Digest;
import dev.berth.pull.GrowingContent;
import dev.berth.storage.BlobFile;
import dev.berth.storage.BlobStore;
import dev.berth.storage.Growth;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An upload session's bytes as they stream in ({@code growth}), {@code size} in all: complete once
 * they are verified as {@code digest}, after which the session's file is found in the store, where
 * it has moved.
 */
record UploadContent(Growth growth, Path file, long size, Digest digest, BlobStore blobs)
    implements GrowingContent {
  @Override
  public FileChannel open() throws IOException {
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      BlobFile stored = blobs.find(digest).orElseThrow(() -> e);
      return FileChannel.open(stored.path(), StandardOpenOption.READ);
    }
  }
}
