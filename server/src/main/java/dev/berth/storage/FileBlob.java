package dev.berth.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A stored blob's file and size. */
record FileBlob(Path path, long size) implements StoredBlob {
  @Override
  public SeekableByteChannel open() throws IOException {
    return FileChannel.open(path, StandardOpenOption.READ);
  }
}
