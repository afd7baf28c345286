package dev.berth.storage;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;

/**
 * A verified blob held by a {@link BlobStore}: its size, and its bytes from any position. The store
 * may evict it later; open it promptly.
 */
public interface StoredBlob {
  /** Its size in bytes. */
  long size();

  /** Opens the blob for reading, from any position; the caller closes it. */
  SeekableByteChannel open() throws IOException;
}
