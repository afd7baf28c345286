package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * Verified content by digest, within a disk budget: a blob is placed under its digest only once its
 * bytes were verified ({@link BlobWriter#commit}), and read back from any position. Thread-safe.
 */
public interface BlobStore {
  /** The free space of the storage the store writes to, and the writes that failed there. */
  DiskSpace disk();

  /** The blob under {@code digest}, marked as just used; empty when it is not stored. */
  Optional<StoredBlob> find(Digest digest);

  /** Whether {@code digest} is stored, without marking it used. */
  boolean contains(Digest digest);

  /** Starts writing the content of {@code digest}: nothing is under the digest until its commit. */
  BlobWriter writer(Digest digest) throws IOException;

  /**
   * Keeps the stored blob {@code digest} from eviction from now on (content pushed again, or
   * mounted); false when it is not stored.
   */
  boolean pin(Digest digest) throws IOException;

  /** Total bytes of stored blobs. */
  long totalBytes();
}
