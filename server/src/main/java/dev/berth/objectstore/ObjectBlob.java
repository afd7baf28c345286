package dev.berth.objectstore;

import dev.berth.storage.StoredBlob;
import java.nio.channels.SeekableByteChannel;

/** A blob read from the object store. */
record ObjectBlob(Bucket bucket, String name, long size) implements StoredBlob {
  @Override
  public SeekableByteChannel open() {
    return new ObjectChannel(bucket, name, size);
  }
}
