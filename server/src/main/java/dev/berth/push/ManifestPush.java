package dev.berth.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestFormat;
import dev.berth.oci.ManifestReference;
import dev.berth.oci.MediaTypes;
import dev.berth.pull.Membership;
import dev.berth.routing.Target;
import dev.berth.storage.BlobStore;
import dev.berth.storage.ManifestStore;
import dev.berth.storage.ReferrerStore;
import dev.berth.storage.TagRecord;
import dev.berth.storage.TagStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Stores a pushed manifest byte-exact: images, indexes and artifacts. Every blob an image or
 * artifact manifest names (config and layers) must be held by the repository pushed to, and so must
 * every manifest an index names (entries of other types, as in BuildKit's cache index, must be
 * blobs it holds); otherwise the push fails with {@code MANIFEST_BLOB_UNKNOWN}. The blobs a stored
 * manifest names are pinned. Thread-safe.
 */
public final class ManifestPush {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ManifestStore manifests;
  private final TagStore tags;
  private final BlobStore blobs;
  private final ReferrerStore referrers;
  private final Membership membership;
  private final Clock clock;

  public ManifestPush(
      ManifestStore manifests,
      TagStore tags,
      BlobStore blobs,
      ReferrerStore referrers,
      Membership membership,
      Clock clock) {
    this.membership = membership;
    this.manifests = manifests;
    this.tags = tags;
    this.blobs = blobs;
    this.referrers = referrers;
    this.clock = clock;
  }

  /**
   * A stored manifest, the blobs it names, what it names that Berth does not hold, and the subject
   * it refers to (null when none; recorded for the referrers API of local repositories).
   */
  public record Stored(
      Manifest manifest, List<Digest> blobs, List<Digest> missing, @Nullable Digest subject) {}

  /**
   * A pushed manifest that passed validation, with what it names and what of that its repository
   * does not hold ({@code missing}).
   */
  public record Parsed(Manifest manifest, Manifest.Named named, List<Digest> missing) {}

  /**
   * Validates {@code bytes}, sent as {@code contentType} for {@code ref} of {@code target}: a JSON
   * object of one of the manifest types (OCI image manifest or index, Docker v2 manifest or
   * manifest list; artifacts are OCI manifests), whose digest matches a digest reference. {@code
   * missing} lists what it names that {@code target} does not hold: for a local repository the push
   * fails.
   */
  public Parsed parse(Target target, ManifestReference ref, String contentType, byte[] bytes) {
    Manifest manifest = ManifestFormat.check(bytes, contentType);
    if (ref.isDigest() && !ref.digest().orElseThrow().equals(manifest.digest())) {
      throw OciError.DIGEST_INVALID.with(
          "the manifest's digest is " + manifest.digest() + ", not " + ref);
    }
    Manifest.Named named = manifest.named();
    List<Digest> missing = missing(target, named);
    if (target.isLocal() && !missing.isEmpty()) {
      throw unknown(missing);
    }
    return new Parsed(manifest, named, missing);
  }

  /**
   * Stores a parsed manifest for {@code ref} of {@code target}, once everything it names is held
   * there; pins its blobs and, for a local repository, tags it and records it as a referrer.
   */
  public Stored store(Target target, ManifestReference ref, Parsed parsed) {
    Manifest manifest = parsed.manifest();
    try {
      for (Digest d : parsed.named().blobs()) {
        blobs.pin(d);
      }
      manifests.put(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    membership.addManifest(target, manifest);
    Digest subject = parsed.named().subject();
    if (target.isLocal()) {
      tag(target, ref, manifest);
      if (subject != null) {
        refer(target, subject, manifest);
      }
    }
    return new Stored(manifest, parsed.named().blobs(), parsed.missing(), subject);
  }

  private void refer(Target target, Digest subject, Manifest manifest) {
    try {
      referrers.put(
          target.registry(), target.repository().value(), subject, manifest.referrerDescriptor());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Points tag {@code ref} (nothing for a digest) at {@code manifest}: at once for a local
   * repository, and for an upstream's once the upstream has accepted the manifest.
   */
  public void tag(Target target, ManifestReference ref, Manifest manifest) {
    if (ref.tag().isEmpty()) {
      return;
    }
    try {
      tags.put(
          target.registry(),
          target.repository().value(),
          ref.tag().get(),
          new TagRecord(manifest.digest(), manifest.mediaType(), Instant.now(clock)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The referrers index of {@code subject} in {@code target}, filtered by {@code artifactType}. */
  public byte[] referrersIndex(Target target, Digest subject, String artifactType) {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    var entries = index.putArray("manifests");
    try {
      for (JsonNode d : referrers.list(target.registry(), target.repository().value(), subject)) {
        if (artifactType == null || artifactType.equals(d.path("artifactType").asText())) {
          entries.add(d);
        }
      }
      return JSON.writeValueAsBytes(index);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The error for a manifest that names content held neither here nor upstream. */
  static RuntimeException unknown(List<Digest> missing) {
    return OciError.MANIFEST_BLOB_UNKNOWN.with(
        "the manifest names content this repository does not hold: "
            + String.join(", ", missing.stream().map(Digest::toString).toList())
            + "; push it to this repository first, or mount it from one you may pull that holds"
            + " it");
  }

  /**
   * What {@code named} names that {@code target} does not hold: content stored for another
   * repository is not this one's, or naming a digest in a manifest would be a way to read it.
   */
  private List<Digest> missing(Target target, Manifest.Named named) {
    List<Digest> missing = new ArrayList<>();
    try {
      for (Digest d : named.manifests()) {
        if (!membership.holds(target, d) || manifests.get(d).isEmpty()) {
          missing.add(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Digest d : named.blobs()) {
      if (!membership.holds(target, d) || !blobs.contains(d)) {
        missing.add(d);
      }
    }
    return missing;
  }
}
