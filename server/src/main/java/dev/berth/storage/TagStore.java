package dev.berth.storage;

import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What each tag of a repository points to, with when it was last checked, and the tag lists an
 * upstream answered. Thread-safe.
 */
public interface TagStore {
  /** A tag list answer kept for stale serving: its body and its {@code Link} header, if any. */
  @SuppressWarnings("ArrayRecordComponent") // A view of bytes read once; never changed.
  record TagList(byte[] body, @Nullable String link) {}

  /** The record of {@code tag}, from memory or else from disk. */
  Optional<TagRecord> get(String registry, String repository, String tag) throws IOException;

  /** The record of {@code tag} if it is in memory; never reads the disk. */
  Optional<TagRecord> cached(String registry, String repository, String tag);

  /** Points {@code tag} at {@code record}; durable once this returns. */
  void put(String registry, String repository, String tag, TagRecord record) throws IOException;

  /** Removes tag {@code tag} of {@code repository}; false when there was none. */
  boolean delete(String registry, String repository, String tag) throws IOException;

  /** The tags recorded for {@code repository}, sorted; empty when it has none. */
  java.util.List<String> tags(String registry, String repository) throws IOException;

  /** The tag list answer kept under {@code key} (the query it answered), if one is. */
  Optional<TagList> getList(String registry, String repository, String key) throws IOException;

  /** Keeps {@code list} as the answer to the query {@code key}, replacing an older one. */
  void putList(String registry, String repository, String key, TagList list) throws IOException;
}
