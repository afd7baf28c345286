package dev.berth.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * Which repositories hold which digests: content is stored once per digest, but served under a
 * repository only when that repository holds it (fetched, pushed or imported as its content, or
 * confirmed by its upstream). A record is a small file; those read or written recently are also in
 * memory (this store is their only writer, so the two agree). Thread-safe: each write replaces a
 * whole file atomically.
 */
public final class FileMemberStore implements MemberStore {

  private final StoragePaths paths;
  private final Cache<Key, String> memory = Caffeine.newBuilder().maximumSize(200_000).build();

  /** A memory key: looked up on every manifest and blob hit, so no string is built for it. */
  private record Key(String registry, String repository, Digest digest) {}

  public FileMemberStore(StoragePaths paths) {
    this.paths = paths;
  }

  /**
   * Whether {@code repository} holds {@code digest}: {@link #BLOB} for a blob, the media type it is
   * served as for a manifest; empty when it does not hold it.
   */
  @Override
  public Optional<String> get(String registry, String repository, Digest digest)
      throws IOException {
    Optional<String> cached = cached(registry, repository, digest);
    if (cached.isPresent()) {
      return cached;
    }
    try {
      String type =
          Files.readString(paths.member(registry, repository, digest), StandardCharsets.UTF_8);
      memory.put(key(registry, repository, digest), type);
      return Optional.of(type);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * The record of {@code digest} in {@code repository} if it is in memory; never reads the disk.
   */
  @Override
  public Optional<String> cached(String registry, String repository, Digest digest) {
    return Optional.ofNullable(memory.getIfPresent(key(registry, repository, digest)));
  }

  /**
   * Records that {@code repository} holds {@code digest}, a blob ({@link #BLOB}) or a manifest
   * served as {@code type}; durable once this returns. A blob's record never overwrites a
   * manifest's type.
   */
  @Override
  public void put(String registry, String repository, Digest digest, String type)
      throws IOException {
    Optional<String> held = get(registry, repository, digest);
    if (held.isPresent() && (held.get().equals(type) || type.equals(BLOB))) {
      return;
    }
    AtomicFiles.write(
        paths, paths.member(registry, repository, digest), type.getBytes(StandardCharsets.UTF_8));
    memory.put(key(registry, repository, digest), type);
  }

  /** Forgets that {@code repository} holds {@code digest}. */
  @Override
  public void remove(String registry, String repository, Digest digest) throws IOException {
    memory.invalidate(key(registry, repository, digest));
    Files.deleteIfExists(paths.member(registry, repository, digest));
  }

  private static Key key(String registry, String repository, Digest digest) {
    return new Key(registry, repository, digest);
  }
}
