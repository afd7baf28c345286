package dev.berth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.Optional;

/**
 * Tag records and the last tag list seen per repository, as small JSON files. Thread-safe: each
 * write replaces a whole file atomically.
 */
public final class TagStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StoragePaths paths;

  public TagStore(StoragePaths paths) {
    this.paths = paths;
  }

  public Optional<TagRecord> get(String registry, String repository, String tag)
      throws IOException {
    try {
      JsonNode n = JSON.readTree(Files.readAllBytes(paths.tag(registry, repository, tag)));
      return Optional.of(
          new TagRecord(
              Digest.of(n.path("digest").asText()),
              n.path("mediaType").asText(),
              Instant.ofEpochMilli(n.path("checkedAt").asLong())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  public void put(String registry, String repository, String tag, TagRecord record)
      throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("digest", record.digest().toString());
    n.put("mediaType", record.mediaType());
    n.put("checkedAt", record.checkedAt().toEpochMilli());
    AtomicFiles.write(paths, paths.tag(registry, repository, tag), JSON.writeValueAsBytes(n));
  }

  /** Removes tag {@code tag} of {@code repository}; false when there was none. */
  public boolean delete(String registry, String repository, String tag) throws IOException {
    return Files.deleteIfExists(paths.tag(registry, repository, tag));
  }

  /** The tags recorded for {@code repository}, sorted; empty when it has none. */
  public java.util.List<String> tags(String registry, String repository) throws IOException {
    java.nio.file.Path dir = paths.tag(registry, repository, "x").getParent();
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

  /** A tag list answer kept for stale serving: its body and its {@code Link} header, if any. */
  @SuppressWarnings("ArrayRecordComponent") // A view of bytes read once; never changed.
  public record TagList(byte[] body, String link) {}

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

  public void putList(String registry, String repository, String key, TagList list)
      throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("body", list.body());
    n.put("link", list.link());
    AtomicFiles.write(paths, paths.tagList(registry, repository, key), JSON.writeValueAsBytes(n));
  }
}
