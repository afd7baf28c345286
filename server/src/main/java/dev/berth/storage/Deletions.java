package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;

/**
 * Deletions of content from repositories: a deleted digest is not served there until pushed again.
 * Thread-safe.
 */
public interface Deletions {
  /** Whether clients may delete ({@code storage.allowDelete}). */
  boolean enabled();

  /** Hides {@code digest} from {@code repository}. */
  void mark(String registry, String repository, Digest digest) throws IOException;

  /** Whether {@code digest} was deleted from {@code repository} and not pushed there again. */
  boolean isDeleted(String registry, String repository, Digest digest);

  /** Makes {@code digest} visible in {@code repository} again, as a push does. */
  void clear(String registry, String repository, Digest digest) throws IOException;
}
