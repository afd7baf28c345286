package dev.berth.shared;

import dev.berth.database.Database;
import dev.berth.objectstore.Bucket;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.storage.ManifestStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Manifests with their bytes in the object store under their digest and their media type in the
 * database; the row is written after the bytes, so a row always names bytes that are there. Each
 * manifest read or written is also kept in a local store (the data directory), which answers first
 * and keeps serving while the shared backends are away. Thread-safe.
 */
final class SharedManifestStore implements ManifestStore {
  /** Manifests are refused above 4 MiB when pushed; anything larger under a digest is not ours. */
  private static final int MAX_BYTES = 8 << 20;

  private final Bucket bucket;
  private final Database db;
  private final ManifestStore local;

  SharedManifestStore(Bucket bucket, Database db, ManifestStore local) {
    this.bucket = bucket;
    this.db = db;
    this.local = local;
  }

  static String name(Digest digest) {
    return "manifests/"
        + digest.algorithm()
        + "/"
        + digest.hex().substring(0, 2)
        + "/"
        + digest.hex();
  }

  @Override
  public Optional<Manifest> get(Digest digest) throws IOException {
    Optional<Manifest> held = local.get(digest);
    if (held.isPresent()) {
      return held;
    }
    List<String> types =
        db.query(
            "read the type of manifest " + digest,
            "SELECT media_type FROM manifests WHERE digest = ?",
            r -> r.getString(1),
            digest.toString());
    if (types.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes;
    try (InputStream in = bucket.read(name(digest), 0)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    Digest actual = digest.finish(hash(digest, bytes));
    if (bytes.length > MAX_BYTES || !actual.equals(digest)) {
      throw new IOException(
          "the object store holds "
              + bytes.length
              + " bytes of digest "
              + actual
              + " under "
              + digest);
    }
    Manifest m = new Manifest(bytes, types.get(0), digest);
    local.put(m);
    return Optional.of(m);
  }

  private static java.security.MessageDigest hash(Digest digest, byte[] bytes) {
    java.security.MessageDigest hasher = digest.newHasher();
    hasher.update(bytes);
    return hasher;
  }

  @Override
  public Optional<Manifest> cached(Digest digest) {
    return local.cached(digest);
  }

  /** Stores {@code manifest}, whose digest the caller has verified; the first type seen stays. */
  @Override
  public void put(Manifest manifest) throws IOException {
    if (local.get(manifest.digest()).isPresent()) {
      return;
    }
    bucket.write(name(manifest.digest()), manifest.bytes());
    // The first type stays: a no-op update makes the row come back whoever wrote it.
    List<String> type =
        db.query(
            "write manifest " + manifest.digest(),
            "INSERT INTO manifests AS m (digest, media_type) VALUES (?, ?)"
                + " ON CONFLICT (digest) DO UPDATE SET media_type = m.media_type"
                + " RETURNING media_type",
            r -> r.getString(1),
            manifest.digest().toString(),
            manifest.mediaType());
    local.put(new Manifest(manifest.bytes(), type.get(0), manifest.digest()));
  }
}
