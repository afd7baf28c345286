package dev.berth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derives membership records for a data directory of format version 1, which had none: each
 * repository holds what its tag records, referrers and forwarding records name, and everything the
 * stored manifests among those name in turn (index children, configs, layers). Run once, before the
 * directory is marked as version 2, so an offline or air-gapped Berth keeps serving what it holds.
 * Pins name no repository: a pinned blob is attributed through the manifests that name it.
 */
final class MemberDerivation {
  private static final Logger log = LoggerFactory.getLogger(MemberDerivation.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StoragePaths paths;
  private final ManifestStore manifests;
  private final MemberStore members;
  private int records;

  MemberDerivation(StoragePaths paths) {
    this.paths = paths;
    this.manifests = new FileManifestStore(paths);
    this.members = new FileMemberStore(paths);
  }

  /** Writes the records; returns how many repository-digest pairs it recorded. */
  int run() throws IOException {
    fromTags();
    fromReferrers();
    fromForwarding();
    return records;
  }

  /** {@code tags/<registry>/<repository>/<tag>.json}: the tag's manifest and all it names. */
  private void fromTags() throws IOException {
    for (Path f : files(paths.root().resolve("tags"))) {
      if (!f.getFileName().toString().endsWith(".json")) {
        continue;
      }
      Path rel = paths.root().resolve("tags").relativize(f.getParent());
      JsonNode record = read(f);
      if (rel.getNameCount() < 2 || record == null) {
        continue;
      }
      hold(registry(rel), repository(rel), digest(record.path("digest")), type(record));
    }
  }

  /**
   * {@code referrers/<registry>/<repository>/<subject>/<referrer>.json}: the referrer and the
   * subject, when stored.
   */
  private void fromReferrers() throws IOException {
    Path root = paths.root().resolve("referrers");
    for (Path f : files(root)) {
      Path rel = root.relativize(StoragePaths.above(f, 2));
      JsonNode descriptor = read(f);
      if (rel.getNameCount() < 2 || descriptor == null) {
        continue;
      }
      hold(registry(rel), repository(rel), digest(descriptor.path("digest")), type(descriptor));
      Optional<Digest> subject = dashed(StoragePaths.above(f, 1).getFileName().toString());
      if (subject.isPresent() && manifests.get(subject.get()).isPresent()) {
        hold(registry(rel), repository(rel), subject, Optional.empty());
      }
    }
  }

  /** {@code forwarding/<id>.json}: pushes accepted but not yet forwarded, or finished. */
  private void fromForwarding() throws IOException {
    for (Path f : files(paths.forwarding())) {
      JsonNode job = read(f);
      if (job != null && job.hasNonNull("repository")) {
        hold(
            job.path("upstream").asText(),
            job.path("repository").asText(),
            digest(job.path("digest")),
            type(job));
      }
    }
  }

  /** Records {@code digest} and, for a stored manifest, everything it names, once each. */
  private void hold(String registry, String repository, Optional<Digest> digest, Optional<String> t)
      throws IOException {
    if (digest.isEmpty() || registry.isEmpty() || repository.isEmpty()) {
      return;
    }
    Set<Digest> seen = new HashSet<>();
    List<Descriptor> todo = new ArrayList<>();
    todo.add(new Descriptor(t.orElse(""), digest.get(), 0, null));
    while (!todo.isEmpty()) {
      Descriptor d = todo.remove(todo.size() - 1);
      if (!seen.add(d.digest())) {
        continue;
      }
      Optional<Manifest> m = manifests.get(d.digest());
      String type = m.map(Manifest::mediaType).orElse(d.mediaType());
      members.put(registry, repository, d.digest(), m.isPresent() ? type : MemberStore.BLOB);
      records++;
      if (m.isPresent()) {
        try {
          todo.addAll(m.get().children());
          todo.addAll(m.get().blobs());
        } catch (IllegalArgumentException e) {
          log.warn("manifest {} names no readable content: {}", d.digest(), e.getMessage());
        }
      }
    }
  }

  static List<Path> files(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  private static @Nullable JsonNode read(Path f) {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      log.warn("cannot read {} while deriving membership: {}", f, e.toString());
      return null;
    }
  }

  static String registry(Path rel) {
    return rel.getName(0).toString();
  }

  static String repository(Path rel) {
    return rel.subpath(1, rel.getNameCount()).toString().replace('\\', '/');
  }

  private static Optional<String> type(JsonNode n) {
    String t = n.path("mediaType").asText("");
    return t.isEmpty() ? Optional.empty() : Optional.of(t);
  }

  private static Optional<Digest> digest(JsonNode n) {
    try {
      return Optional.of(Digest.of(n.asText("")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A digest written as {@code <algorithm>-<hex>}, as referrer directories name it. */
  static Optional<Digest> dashed(String text) {
    try {
      return Optional.of(Digest.of(text.replaceFirst("-", ":")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
