package dev.berth.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * Manifests by digest, their exact bytes with their media type, on disk and in a bounded memory
 * cache. Thread-safe.
 */
public final class FileManifestStore implements ManifestStore {
  private static final long MEMORY_BYTES = 64L << 20;

  private final StoragePaths paths;
  private final Cache<Digest, Manifest> memory =
      Caffeine.newBuilder()
          .maximumWeight(MEMORY_BYTES)
          .weigher((Digest d, Manifest m) -> m.bytes().length + 256)
          .build();

  public FileManifestStore(StoragePaths paths) {
    this.paths = paths;
  }

  /** The manifest stored under {@code digest}, if any. */
  @Override
  public Optional<Manifest> get(Digest digest) throws IOException {
    Optional<Manifest> cached = cached(digest);
    if (cached.isPresent()) {
      return cached;
    }
    try {
      byte[] bytes = Files.readAllBytes(paths.manifest(digest));
      String type = Files.readString(paths.manifestType(digest), StandardCharsets.UTF_8).trim();
      Manifest m = new Manifest(bytes, type, digest);
      memory.put(digest, m);
      return Optional.of(m);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The manifest stored under {@code digest} if it is in memory; never reads the disk. */
  @Override
  public Optional<Manifest> cached(Digest digest) {
    return Optional.ofNullable(memory.getIfPresent(digest));
  }

  /**
   * Stores {@code manifest}, whose digest the caller has verified. The type stored with the bytes
   * is the first one seen; what each repository serves it as is in its membership record.
   */
  @Override
  public void put(Manifest manifest) throws IOException {
    if (get(manifest.digest()).isPresent()) {
      return;
    }
    AtomicFiles.write(
        paths,
        paths.manifestType(manifest.digest()),
        manifest.mediaType().getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(paths, paths.manifest(manifest.digest()), manifest.bytes());
    memory.put(manifest.digest(), manifest);
  }
}
