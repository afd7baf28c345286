package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Verified content by digest, within a disk budget: a blob is placed under its digest only once its
 * bytes were verified, and read back whole or by range. Thread-safe.
 */
public interface BlobStore {
  /** The free space of the file system the store writes to, and the writes that failed there. */
  DiskSpace disk();

  /** The blob under {@code digest}, marked as just used; empty when it is not stored. */
  Optional<BlobFile> find(Digest digest);

  /** Whether {@code digest} is stored, without marking it used. */
  boolean contains(Digest digest);

  /** A new temporary file for the content of {@code digest}, to be passed to {@link #commit}. */
  Path newTemp(Digest digest);

  /**
   * Places {@code temp}, whose content was verified to be {@code digest} and {@code size} bytes
   * long, under its digest, then evicts least recently used blobs beyond the budget.
   */
  Path commit(Path temp, Digest digest, long size) throws IOException;

  /**
   * As {@link #commit(Path, Digest, long)}; a {@code pinned} blob (pushed content) is never
   * evicted, and pinning a blob that is already stored keeps it too.
   */
  Path commit(Path temp, Digest digest, long size, boolean pinned) throws IOException;

  /**
   * Keeps the stored blob {@code digest} from eviction from now on (content pushed again, or
   * mounted); false when it is not stored.
   */
  boolean pin(Digest digest) throws IOException;

  /** Total bytes of stored blobs. */
  long totalBytes();
}
