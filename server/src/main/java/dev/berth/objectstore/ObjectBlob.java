package dev.berth.objectstore;

import dev.berth.storage.StoredBlob;
import java.nio.channels.SeekableByteChannel;

/**
 * A blob read from the object store; {@code missing} runs when its object turns out not to exist.
 */
record ObjectBlob(Bucket bucket, String name, long size, Runnable missing) implements StoredBlob {
  @Override
  public SeekableByteChannel open() {
    return new ObjectChannel(bucket, name, size, missing);
  }
}
