package dev.berth.storage;

import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import java.io.IOException;
import java.util.Optional;

/** Manifests by digest, byte-exact. Thread-safe. */
public interface ManifestStore {
  /** The manifest stored under {@code digest}, if any. */
  Optional<Manifest> get(Digest digest) throws IOException;

  /** The manifest stored under {@code digest} if it is in memory; never reads the disk. */
  Optional<Manifest> cached(Digest digest);

  /**
   * Stores {@code manifest}, whose digest the caller has verified. The type stored with the bytes
   * is the first one seen; what each repository serves it as is in its membership record.
   */
  void put(Manifest manifest) throws IOException;
}
