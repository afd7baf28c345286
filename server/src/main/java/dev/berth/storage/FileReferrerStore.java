package dev.berth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The manifests pushed with a {@code subject}, per repository and subject: one small JSON file per
 * referrer holding its descriptor ({@code mediaType}, {@code digest}, {@code size}, {@code
 * artifactType}, {@code annotations}), for the referrers API. Thread-safe.
 */
public final class FileReferrerStore implements ReferrerStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StoragePaths paths;

  public FileReferrerStore(StoragePaths paths) {
    this.paths = paths;
  }

  /** Records {@code descriptor} as a referrer of {@code subject}. */
  @Override
  public void put(String registry, String repository, Digest subject, ObjectNode descriptor)
      throws IOException {
    Digest referrer = Digest.of(descriptor.path("digest").asText());
    AtomicFiles.write(
        paths,
        paths.referrer(registry, repository, subject, referrer),
        JSON.writeValueAsBytes(descriptor));
  }

  /** Forgets {@code referrer} as a referrer of {@code subject}. */
  @Override
  public void remove(String registry, String repository, Digest subject, Digest referrer)
      throws IOException {
    Files.deleteIfExists(paths.referrer(registry, repository, subject, referrer));
  }

  /** The descriptors of the referrers of {@code subject}, sorted by digest. */
  @Override
  public List<JsonNode> list(String registry, String repository, Digest subject)
      throws IOException {
    Path dir = StoragePaths.above(paths.referrer(registry, repository, subject, subject), 1);
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        out.add(JSON.readTree(f.toFile()));
      }
    }
    return out;
  }
}
