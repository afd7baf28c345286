package dev.berth.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
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
      Manifest manifest, List<Digest> blobs, List<Digest> missing, Digest subject) {}

  /** The blobs {@code manifest} names (config, layers, index entries that are not manifests). */
  public static List<Digest> blobsOf(Manifest manifest) {
    return namedBy(manifest).blobs();
  }

  /** The child manifests {@code manifest} names: index entries of a manifest or index type. */
  public static List<Digest> childrenOf(Manifest manifest) {
    return namedBy(manifest).manifests();
  }

  private static Named namedBy(Manifest manifest) {
    return named(parse(manifest), manifest.mediaType());
  }

  /**
   * A pushed manifest that passed validation, with what it names and what of that its repository
   * does not hold ({@code missing}).
   */
  public record Parsed(Manifest manifest, JsonNode json, Named named, List<Digest> missing) {}

  /**
   * Validates {@code bytes}, sent as {@code contentType} for {@code ref} of {@code target}: a JSON
   * object of one of the manifest types (OCI image manifest or index, Docker v2 manifest or
   * manifest list; artifacts are OCI manifests), whose digest matches a digest reference. {@code
   * missing} lists what it names that {@code target} does not hold: for a local repository the push
   * fails.
   */
  public Parsed parse(Target target, ManifestReference ref, String contentType, byte[] bytes) {
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw OciError.MANIFEST_INVALID.with("the manifest is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw OciError.MANIFEST_INVALID.with("the manifest cannot be read: " + e);
    }
    if (json == null || !json.isObject()) {
      throw OciError.MANIFEST_INVALID.with("the manifest is not a JSON object");
    }
    String type = type(json, contentType);
    checkShape(json, type);
    Manifest manifest = Manifest.of(bytes, type);
    if (ref.isDigest() && !ref.digest().orElseThrow().equals(manifest.digest())) {
      throw OciError.DIGEST_INVALID.with(
          "the manifest's digest is " + manifest.digest() + ", not " + ref);
    }
    Named named = named(json, type);
    List<Digest> missing = missing(target, named);
    if (target.isLocal() && !missing.isEmpty()) {
      throw unknown(missing);
    }
    return new Parsed(manifest, json, named, missing);
  }

  /**
   * The structure every client relies on: {@code schemaVersion} 2; an image manifest has a {@code
   * config} descriptor and a {@code layers} list of descriptors, an index a {@code manifests} list
   * of them; a descriptor has a {@code mediaType}, a valid {@code digest} and a {@code size} of 0
   * or more.
   */
  private static void checkShape(JsonNode json, String type) {
    if (!json.path("schemaVersion").isIntegralNumber() || json.path("schemaVersion").asInt() != 2) {
      throw OciError.MANIFEST_INVALID.with(
          "schemaVersion is " + json.path("schemaVersion") + " (expected: 2)");
    }
    if (MediaTypes.isIndex(type)) {
      descriptors(json, "manifests");
      return;
    }
    descriptor(json.path("config"), "config");
    descriptors(json, "layers");
  }

  private static void descriptors(JsonNode json, String field) {
    JsonNode list = json.path(field);
    if (!list.isArray()) {
      throw OciError.MANIFEST_INVALID.with(field + " is not a list of descriptors");
    }
    for (int i = 0; i < list.size(); i++) {
      descriptor(list.get(i), field + "[" + i + "]");
    }
  }

  private static void descriptor(JsonNode d, String where) {
    if (!d.isObject()) {
      throw OciError.MANIFEST_INVALID.with(where + " is not a descriptor");
    }
    if (!d.path("mediaType").isTextual() || d.path("mediaType").asText().isEmpty()) {
      throw OciError.MANIFEST_INVALID.with(where + ".mediaType is missing");
    }
    if (!d.path("size").isIntegralNumber() || d.path("size").asLong() < 0) {
      throw OciError.MANIFEST_INVALID.with(where + ".size is not a size: " + d.path("size"));
    }
    try {
      Digest.of(d.path("digest").asText(""));
    } catch (IllegalArgumentException e) {
      throw OciError.MANIFEST_INVALID.with(where + ".digest: " + e.getMessage());
    }
  }

  /**
   * The manifest type of a push: its {@code Content-Type} (else the {@code mediaType} it declares),
   * which must be a manifest type, agree with a declared {@code mediaType}, and fit the JSON (an
   * index lists {@code manifests}, an image manifest does not). Any other type would be served to
   * every client that pulls these bytes.
   */
  private static String type(JsonNode json, String contentType) {
    String declared = json.path("mediaType").asText("");
    String type =
        contentType == null || contentType.isBlank() ? declared : MediaTypes.bare(contentType);
    if (type.isEmpty()) {
      throw OciError.MANIFEST_INVALID.with("neither Content-Type nor mediaType names the type");
    }
    if (!MediaTypes.isManifest(type)) {
      throw OciError.MANIFEST_INVALID.with(
          "Content-Type "
              + type
              + " is not a manifest type (expected: "
              + String.join(", ", MediaTypes.ACCEPTED_FROM_UPSTREAM)
              + ")");
    }
    if (!declared.isEmpty() && !MediaTypes.bare(declared).equals(type)) {
      throw OciError.MANIFEST_INVALID.with(
          "Content-Type " + type + " differs from the manifest's mediaType " + declared);
    }
    if (MediaTypes.isIndex(type) != json.has("manifests")) {
      throw OciError.MANIFEST_INVALID.with(
          type
              + (MediaTypes.isIndex(type)
                  ? " is an index type, and the manifest lists no manifests"
                  : " is an image manifest type, and the manifest lists manifests"));
    }
    return type;
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
    Digest subject = null;
    if (parsed.json().path("subject").isObject()) {
      subject = digestOf(parsed.json().path("subject"));
    }
    if (target.isLocal()) {
      tag(target, ref, manifest);
      if (subject != null) {
        refer(target, subject, manifest, parsed.json());
      }
    }
    return new Stored(manifest, parsed.named().blobs(), parsed.missing(), subject);
  }

  private void refer(Target target, Digest subject, Manifest manifest, JsonNode json) {
    try {
      referrers.put(
          target.registry(), target.repository().value(), subject, descriptor(manifest, json));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The subject {@code manifest} refers to, if it names one. */
  public static java.util.Optional<Digest> subjectOf(Manifest manifest) {
    JsonNode json = parse(manifest);
    return json.path("subject").isObject()
        ? java.util.Optional.of(digestOf(json.path("subject")))
        : java.util.Optional.empty();
  }

  /** The descriptor that lists {@code manifest} in a referrers index. */
  public static ObjectNode referrerDescriptor(Manifest manifest) {
    return descriptor(manifest, parse(manifest));
  }

  private static ObjectNode descriptor(Manifest manifest, JsonNode json) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", manifest.mediaType());
    d.put("digest", manifest.digest().toString());
    d.put("size", manifest.bytes().length);
    String artifactType = json.path("artifactType").asText("");
    if (artifactType.isEmpty()) {
      artifactType = json.path("config").path("mediaType").asText("");
    }
    if (!artifactType.isEmpty()) {
      d.put("artifactType", artifactType);
    }
    if (json.path("annotations").isObject()) {
      d.set("annotations", json.path("annotations"));
    }
    return d;
  }

  private static JsonNode parse(Manifest manifest) {
    try {
      return JSON.readTree(manifest.bytes());
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

  /** What a manifest names: blobs, and child manifests (of an index). */
  public record Named(List<Digest> blobs, List<Digest> manifests) {}

  private static Named named(JsonNode json, String type) {
    List<Digest> blobsNamed = new ArrayList<>();
    List<Digest> manifestsNamed = new ArrayList<>();
    if (MediaTypes.isIndex(type) || json.has("manifests")) {
      for (JsonNode entry : json.path("manifests")) {
        String entryType = entry.path("mediaType").asText("");
        boolean isManifest =
            MediaTypes.isIndex(entryType)
                || MediaTypes.isImageManifest(entryType)
                || entryType.endsWith("manifest.v1+json");
        (isManifest ? manifestsNamed : blobsNamed).add(digestOf(entry));
      }
    }
    if (json.has("config")) {
      blobsNamed.add(digestOf(json.path("config")));
    }
    for (JsonNode layer : json.path("layers")) {
      blobsNamed.add(digestOf(layer));
    }
    return new Named(blobsNamed, manifestsNamed);
  }

  /**
   * What {@code named} names that {@code target} does not hold: content stored for another
   * repository is not this one's, or naming a digest in a manifest would be a way to read it.
   */
  private List<Digest> missing(Target target, Named named) {
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

  private static Digest digestOf(JsonNode descriptor) {
    try {
      return Digest.of(descriptor.path("digest").asText(""));
    } catch (IllegalArgumentException e) {
      throw OciError.MANIFEST_INVALID.with(
          "a descriptor has no valid digest: " + descriptor.path("digest").asText(""));
    }
  }
}
