package dev.berth.storage;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * Repository membership: which repositories hold which digest, and as what type. Content is served
 * only to a repository that holds it. Thread-safe.
 */
public interface MemberStore {
  /** What a blob's record holds: blobs have no media type. */
  String BLOB = "";

  /**
   * Whether {@code repository} holds {@code digest}: {@link #BLOB} for a blob, the media type it is
   * served as for a manifest; empty when it does not hold it.
   */
  Optional<String> get(String registry, String repository, Digest digest) throws IOException;

  /**
   * The record of {@code digest} in {@code repository} if it is in memory; never reads the disk.
   */
  Optional<String> cached(String registry, String repository, Digest digest);

  /**
   * Records that {@code repository} holds {@code digest}, a blob ({@link #BLOB}) or a manifest
   * served as {@code type}; durable once this returns. A blob's record never overwrites a
   * manifest's type.
   */
  void put(String registry, String repository, Digest digest, String type) throws IOException;

  /** Forgets that {@code repository} holds {@code digest}. */
  void remove(String registry, String repository, Digest digest) throws IOException;
}
