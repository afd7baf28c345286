package dev.berth.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Copies a data directory into other stores (the shared backends): every blob and manifest,
 * verified against its digest on the way, then tag records and lists, membership, referrers,
 * deletions and the forwarding journal. What the target already holds is not copied again, so an
 * interrupted migration can be run again. Upload sessions in progress are not copied: their clients
 * start them again.
 */
public final class Migration {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUFFER = 1 << 20;

  /** What a migration copied. */
  public record Copied(int blobs, long bytes, int manifests, int tags, int members, int records) {}

  /** Told of each blob as it is done, for progress. */
  @FunctionalInterface
  public interface Listener {
    void blob(int done, int of, long bytes);
  }

  private final StoragePaths source;
  private final Stores target;

  public Migration(StoragePaths source, Stores target) {
    this.source = source;
    this.target = target;
  }

  /** Copies everything; fails at the first blob or manifest whose bytes are not their digest. */
  public Copied run(Listener listener) throws IOException {
    List<Path> blobs = files(source.blobs());
    int done = 0;
    long bytes = 0;
    for (Path file : blobs) {
      Optional<Digest> digest = named(source.blobs(), file);
      if (digest.isPresent()) {
        bytes += copyBlob(digest.get(), file);
      }
      listener.blob(++done, blobs.size(), bytes);
    }
    int manifests = copyManifests();
    int tags = copyTags();
    int members = copyMembers();
    int records = copyReferrers() + copyDeletions() + copyJournal();
    return new Copied(blobs.size(), bytes, manifests, tags, members, records);
  }

  private long copyBlob(Digest digest, Path file) throws IOException {
    boolean pinned = Files.exists(source.pin(digest));
    BlobStore blobs = target.blobs();
    if (blobs.contains(digest)) {
      if (pinned) {
        blobs.pin(digest);
      }
      return 0;
    }
    MessageDigest hasher = digest.newHasher();
    BlobWriter writer = blobs.writer(digest);
    boolean committed = false;
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(BUFFER);
      while (in.read(buf) >= 0) {
        buf.flip();
        hasher.update(buf.duplicate());
        writer.write(buf);
        buf.clear();
      }
      Digest found = digest.finish(hasher);
      if (!found.equals(digest)) {
        throw new IOException(
            file + " holds bytes with digest " + found + ", not " + digest + ": nothing copied");
      }
      writer.commit(pinned);
      committed = true;
      return writer.written();
    } finally {
      if (!committed) {
        writer.abort();
      }
    }
  }

  private int copyManifests() throws IOException {
    Path root = source.root().resolve("manifests");
    FileManifestStore from = new FileManifestStore(source);
    int copied = 0;
    for (Path file : files(root)) {
      Optional<Digest> digest = named(root, file);
      if (digest.isEmpty()) {
        continue; // A .type file, read with its manifest.
      }
      Manifest manifest =
          from.get(digest.get())
              .orElseThrow(() -> new IOException(file + " cannot be read as a manifest"));
      MessageDigest hasher = digest.get().newHasher();
      hasher.update(manifest.bytes());
      if (!digest.get().finish(hasher).equals(digest.get())) {
        throw new IOException(file + " holds bytes that are not " + digest.get());
      }
      target.manifests().put(manifest);
      copied++;
    }
    return copied;
  }

  /** One file below {@code <kind>/<registry>/<repository>/}: copies it, or says it is no record. */
  @FunctionalInterface
  private interface Entry {
    boolean copy(String registry, Path rel, Path file) throws IOException;
  }

  /** Copies each file of {@code kind} with at least {@code names} names below its directory. */
  private int each(String kind, int names, Entry entry) throws IOException {
    Path root = source.root().resolve(kind);
    int copied = 0;
    for (Path file : files(root)) {
      Path rel = root.relativize(file);
      if (rel.getNameCount() >= names && entry.copy(registry(rel), rel, file)) {
        copied++;
      }
    }
    return copied;
  }

  private int copyTags() throws IOException {
    FileTagStore from = new FileTagStore(source);
    int tags =
        each(
            "tags",
            3,
            (registry, rel, file) -> {
              String tag = json(rel);
              Optional<TagRecord> record =
                  tag == null ? Optional.empty() : from.get(registry, repository(rel, 1), tag);
              if (tag == null || record.isEmpty()) {
                return false;
              }
              target.tags().put(registry, repository(rel, 1), tag, record.get());
              return true;
            });
    each(
        "taglists",
        3,
        (registry, rel, file) -> {
          String key = json(rel);
          Optional<TagStore.TagList> list =
              key == null ? Optional.empty() : from.getList(registry, repository(rel, 1), key);
          if (key == null || list.isEmpty()) {
            return false;
          }
          target.tags().putList(registry, repository(rel, 1), key, list.get());
          return true;
        });
    return tags;
  }

  private int copyMembers() throws IOException {
    return each(
        "members",
        3,
        (registry, rel, file) -> {
          String name = rel.getFileName().toString();
          Optional<Digest> digest =
              name.startsWith("@") ? dashed(name.substring(1)) : Optional.empty();
          if (digest.isEmpty()) {
            return false;
          }
          target.members().put(registry, repository(rel, 1), digest.get(), Files.readString(file));
          return true;
        });
  }

  private int copyReferrers() throws IOException {
    return each(
        "referrers",
        4,
        (registry, rel, file) -> {
          Optional<Digest> subject = dashed(rel.getName(rel.getNameCount() - 2).toString());
          JsonNode descriptor = json(rel) == null ? null : JSON.readTree(file.toFile());
          if (subject.isEmpty() || !(descriptor instanceof ObjectNode d)) {
            return false;
          }
          target.referrers().put(registry, repository(rel, 2), subject.get(), d);
          return true;
        });
  }

  private int copyDeletions() throws IOException {
    return each(
        "deleted",
        3,
        (registry, rel, file) -> {
          Optional<Digest> digest = dashed(rel.getFileName().toString());
          if (digest.isEmpty()) {
            return false;
          }
          target.deletions().mark(registry, repository(rel, 1), digest.get());
          return true;
        });
  }

  private int copyJournal() throws IOException {
    Map<String, byte[]> records = new FileForwardJournal(source).readAll();
    for (Map.Entry<String, byte[]> e : records.entrySet()) {
      target.journal().write(e.getKey(), e.getValue());
    }
    return records.size();
  }

  /** The digest that {@code <root>/<algorithm>/<2 hex>/<hex>} is stored under, if it is one. */
  private static Optional<Digest> named(Path root, Path file) {
    Path rel = root.relativize(file);
    if (rel.getNameCount() != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Digest(rel.getName(0).toString(), rel.getName(2).toString()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The name of a {@code .json} file without its extension; null for any other file. */
  private static @Nullable String json(Path rel) {
    String name = rel.getFileName().toString();
    return name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : null;
  }

  private static List<Path> files(Path root) throws IOException {
    return MemberDerivation.files(root);
  }

  private static String registry(Path rel) {
    return MemberDerivation.registry(rel);
  }

  /**
   * The repository of {@code rel} (relative to a kind's directory, the registry first), whose last
   * {@code below} names are not part of it.
   */
  private static String repository(Path rel, int below) {
    return MemberDerivation.repository(rel.subpath(0, rel.getNameCount() - below));
  }

  private static Optional<Digest> dashed(String text) {
    return MemberDerivation.dashed(text);
  }
}
