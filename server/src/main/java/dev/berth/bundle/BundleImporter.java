package dev.berth.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageName;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.storage.BlobStore;
import dev.berth.storage.BlobWriter;
import dev.berth.storage.ManifestStore;
import dev.berth.storage.MemberStore;
import dev.berth.storage.TagRecord;
import dev.berth.storage.TagStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Loads an OCI image layout archive into Berth's store: every blob is verified against its digest
 * as it is read, and nothing is stored unless the whole archive is sound. Images named in {@code
 * index.json} are then served under those names, as if pulled from their upstreams; their blobs are
 * pinned. Images of an index whose manifests the archive lacks (platforms not exported) are
 * skipped.
 */
public final class BundleImporter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BlobStore blobs;
  private final ManifestStore manifests;
  private final TagStore tags;
  private final MemberStore members;
  private final Clock clock;

  /** An importer into these stores. */
  public BundleImporter(
      BlobStore blobs, ManifestStore manifests, TagStore tags, MemberStore members, Clock clock) {
    this.members = members;
    this.blobs = blobs;
    this.manifests = manifests;
    this.tags = tags;
    this.clock = clock;
  }

  /** What was imported: the image names, and how many blobs and bytes. */
  public record Imported(List<String> images, int blobs, long bytes) {}

  /** Imports {@code archive}; {@code progress} hears of every byte read. */
  public Imported load(Path archive, LongConsumer progress) throws IOException {
    Map<Digest, BlobWriter> files = new HashMap<>();
    byte[] index = null;
    boolean layout = false;
    try {
      try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
          TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
          String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
          if (e.isDirectory()) {
            continue;
          }
          if (name.equals("index.json")) {
            index = tar.readAllBytes();
          } else if (name.equals("oci-layout")) {
            layout = JSON.readTree(tar.readAllBytes()).has("imageLayoutVersion");
          } else if (name.startsWith("blobs/")) {
            String[] parts = name.split("/");
            if (parts.length != 3) {
              throw new IOException(archive + ": unexpected entry " + name);
            }
            Digest digest;
            try {
              digest = Digest.of(parts[1] + ":" + parts[2]);
            } catch (IllegalArgumentException bad) {
              throw new IOException(archive + ": " + name + " is not named by a digest");
            }
            BlobWriter file = blobs.writer(digest);
            BlobWriter twice = files.put(digest, file);
            if (twice != null) {
              twice.abort();
            }
            copyVerified(tar, file, digest, progress, archive);
          }
        }
      }
      if (!layout || index == null) {
        throw new IOException(
            archive + " is not an OCI image layout archive (no oci-layout or index.json)");
      }
      return store(JSON.readTree(index), files, archive);
    } finally {
      // What was not committed is discarded.
      files.values().forEach(BlobWriter::abort);
    }
  }

  private static void copyVerified(
      InputStream in, BlobWriter out, Digest digest, LongConsumer progress, Path archive)
      throws IOException {
    MessageDigest hasher = digest.newHasher();
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      hasher.update(buf, 0, n);
      out.write(ByteBuffer.wrap(buf, 0, n));
      progress.accept(n);
    }
    Digest actual = digest.finish(hasher);
    if (!actual.equals(digest)) {
      throw new IOException(
          archive + ": the blob named " + digest + " holds bytes with digest " + actual);
    }
  }

  private Imported store(JsonNode index, Map<Digest, BlobWriter> files, Path archive)
      throws IOException {
    List<String> names = new ArrayList<>();
    Map<Digest, Manifest> toStore = new HashMap<>();
    Map<Digest, Long> toCommit = new HashMap<>();
    List<Map.Entry<ImageName, Manifest>> tagged = new ArrayList<>();
    for (JsonNode d : index.path("manifests")) {
      String ref = d.path("annotations").path("org.opencontainers.image.ref.name").asText("");
      String full = d.path("annotations").path("io.containerd.image.name").asText(ref);
      if (full.isEmpty()) {
        throw new IOException(archive + ": an image in index.json has no name annotation");
      }
      ImageName name;
      try {
        name = ImageName.parse(full);
      } catch (IllegalArgumentException e) {
        throw new IOException(archive + ": " + e.getMessage());
      }
      Manifest top =
          read(files, Digest.of(d.path("digest").asText()), d.path("mediaType").asText(), archive);
      collect(top, files, toStore, toCommit, archive);
      tagged.add(Map.entry(name, top));
      names.add(name.toString());
    }
    // Everything is verified and present: now it goes into the store.
    long bytes = 0;
    for (var blob : toCommit.entrySet()) {
      BlobWriter file = Objects.requireNonNull(files.get(blob.getKey()), "verified above");
      if (!blobs.contains(blob.getKey())) {
        file.commit(true);
      }
      blobs.pin(blob.getKey());
      bytes += blob.getValue();
    }
    for (Manifest m : toStore.values()) {
      manifests.put(m);
    }
    for (var t : tagged) {
      ImageName name = t.getKey();
      hold(name, t.getValue(), toStore);
      if (!name.isDigest()) {
        tags.put(
            name.registry(),
            name.repository(),
            name.reference(),
            new TagRecord(t.getValue().digest(), t.getValue().mediaType(), Instant.now(clock)));
      }
    }
    return new Imported(names, toCommit.size(), bytes);
  }

  /** Records that {@code name}'s repository holds {@code m} and everything it names. */
  private void hold(ImageName name, Manifest m, Map<Digest, Manifest> stored) throws IOException {
    members.put(name.registry(), name.repository(), m.digest(), m.mediaType());
    if (m.isIndex()) {
      for (Descriptor child : m.children()) {
        Manifest held = stored.get(child.digest());
        if (held != null) {
          hold(name, held, stored);
        } else {
          members.put(
              name.registry(),
              name.repository(),
              child.digest(),
              MediaTypes.bare(child.mediaType()));
        }
      }
      return;
    }
    for (Digest blob : m.named().blobs()) {
      members.put(name.registry(), name.repository(), blob, MemberStore.BLOB);
    }
  }

  private void collect(
      Manifest m,
      Map<Digest, BlobWriter> files,
      Map<Digest, Manifest> toStore,
      Map<Digest, Long> toCommit,
      Path archive)
      throws IOException {
    toStore.put(m.digest(), m);
    if (m.isIndex()) {
      for (Descriptor child : m.children()) {
        if (files.containsKey(child.digest())) {
          collect(
              read(files, child.digest(), child.mediaType(), archive),
              files,
              toStore,
              toCommit,
              archive);
        }
      }
      return;
    }
    for (Digest blob : m.named().blobs()) {
      BlobWriter file = files.get(blob);
      if (file == null) {
        throw new IOException(
            archive + ": " + m.digest() + " names " + blob + ", not in the archive");
      }
      toCommit.put(blob, file.written());
    }
  }

  private static Manifest read(
      Map<Digest, BlobWriter> files, Digest digest, String type, Path archive) throws IOException {
    BlobWriter file = files.get(digest);
    if (file == null) {
      throw new IOException(archive + ": manifest " + digest + " is not in the archive");
    }
    String mediaType = type.isEmpty() ? MediaTypes.OCI_MANIFEST : MediaTypes.bare(type);
    byte[] bytes;
    try (InputStream in = Channels.newInputStream(file.reader())) {
      bytes = in.readAllBytes();
    }
    return new Manifest(bytes, mediaType, digest);
  }
}
