package dev.berth.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * The bytes of one digest being written, not yet under the digest: a download, or a blob read from
 * an archive. The writer hashes nothing; its caller verifies the bytes, then commits them or
 * aborts. One thread writes at a time; readers may follow the bytes meanwhile.
 */
public interface BlobWriter {
  /** Appends every remaining byte of {@code bufs}, in order. */
  void write(ByteBuffer... bufs) throws IOException;

  /** How many bytes were written. */
  long written();

  /**
   * Opens what was written so far, and goes on growing with it; once committed, the stored blob.
   * The caller closes it.
   */
  SeekableByteChannel reader() throws IOException;

  /**
   * Places the bytes, which the caller verified to be the digest's, under the digest, and makes
   * them durable; a {@code pinned} blob (pushed content) is never evicted, and pinning keeps a blob
   * already stored too. Then evicts least recently used blobs beyond the store's budget.
   */
  StoredBlob commit(boolean pinned) throws IOException;

  /** Discards what was written; does nothing once committed or aborted. */
  void abort();
}
