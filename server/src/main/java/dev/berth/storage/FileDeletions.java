package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Manifests and blobs deleted from one local repository. Content is stored once for all
 * repositories, so a delete hides it from that repository (a marker) rather than removing bytes
 * that others may name; pushing it there again lifts the marker. Thread-safe.
 */
public final class FileDeletions implements Deletions {
  private final StoragePaths paths;
  private final boolean enabled;

  /** Deletions in {@code paths}; when not {@code enabled} nothing is ever deleted or looked up. */
  public FileDeletions(StoragePaths paths, boolean enabled) {
    this.paths = paths;
    this.enabled = enabled;
  }

  /** Whether clients may delete ({@code storage.allowDelete}). */
  @Override
  public boolean enabled() {
    return enabled;
  }

  /** Hides {@code digest} from {@code repository}. */
  @Override
  public void mark(String registry, String repository, Digest digest) throws IOException {
    AtomicFiles.write(paths, paths.deleted(registry, repository, digest), new byte[0]);
  }

  @Override
  public boolean isDeleted(String registry, String repository, Digest digest) {
    return enabled && Files.exists(paths.deleted(registry, repository, digest));
  }

  /** Makes {@code digest} visible in {@code repository} again, as a push does. */
  @Override
  public void clear(String registry, String repository, Digest digest) throws IOException {
    if (enabled) {
      Files.deleteIfExists(paths.deleted(registry, repository, digest));
    }
  }
}
