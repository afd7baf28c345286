package dev.berth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.Optional;

/**
 * Tag records and the last tag list seen per repository, as small JSON files, with the records read
 * or written recently also in memory (this store is their only writer, so the two agree).
 * Thread-safe: each write replaces a whole file atomically.
 */
public final class FileTagStore implements TagStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StoragePaths paths;
  private final Cache<String, TagRecord> memory =
      Caffeine.newBuilder().maximumSize(100_000).build();

  public FileTagStore(StoragePaths paths) {
    this.paths = paths;
  }

  /** The record of {@code tag}, from memory or else from disk. */
  @Override
  public Optional<TagRecord> get(String registry, String repository, String tag)
      throws IOException {
    Optional<TagRecord> cached = cached(registry, repository, tag);
    if (cached.isPresent()) {
      return cached;
    }
    try {
      JsonNode n = JSON.readTree(Files.readAllBytes(paths.tag(registry, repository, tag)));
      TagRecord record =
          new TagRecord(
              Digest.of(n.path("digest").asText()),
              n.path("mediaType").asText(),
              Instant.ofEpochMilli(n.path("checkedAt").asLong()));
      memory.put(key(registry, repository, tag), record);
      return Optional.of(record);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** The record of {@code tag} if it is in memory; never reads the disk. */
  @Override
  public Optional<TagRecord> cached(String registry, String repository, String tag) {
    return Optional.ofNullable(memory.getIfPresent(key(registry, repository, tag)));
  }

  @Override
  public void put(String registry, String repository, String tag, TagRecord record)
      throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("digest", record.digest().toString());
    n.put("mediaType", record.mediaType());
    n.put("checkedAt", record.checkedAt().toEpochMilli());
    AtomicFiles.write(paths, paths.tag(registry, repository, tag), JSON.writeValueAsBytes(n));
    memory.put(key(registry, repository, tag), record);
  }

  /** Removes tag {@code tag} of {@code repository}; false when there was none. */
  @Override
  public boolean delete(String registry, String repository, String tag) throws IOException {
    memory.invalidate(key(registry, repository, tag));
    return Files.deleteIfExists(paths.tag(registry, repository, tag));
  }

  private static String key(String registry, String repository, String tag) {
    return registry + "/" + repository + ":" + tag;
  }

  /** The tags recorded for {@code repository}, sorted; empty when it has none. */
  @Override
  public java.util.List<String> tags(String registry, String repository) throws IOException {
    java.nio.file.Path dir = StoragePaths.above(paths.tag(registry, repository, "x"), 1);
    if (!Files.isDirectory(dir)) {
      return java.util.List.of();
    }
    try (java.util.stream.Stream<java.nio.file.Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length()))
          .sorted()
          .toList();
    }
  }

  @Override
  public Optional<TagList> getList(String registry, String repository, String key)
      throws IOException {
    try {
      JsonNode n = JSON.readTree(Files.readAllBytes(paths.tagList(registry, repository, key)));
      return Optional.of(
          new TagList(
              n.path("body").binaryValue(), n.hasNonNull("link") ? n.get("link").asText() : null));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void putList(String registry, String repository, String key, TagList list)
      throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("body", list.body());
    n.put("link", list.link());
    AtomicFiles.write(paths, paths.tagList(registry, repository, key), JSON.writeValueAsBytes(n));
  }
}
