package dev.berth.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A manifest's original bytes with its media type and digest, and what Berth reads from it. The
 * bytes are what is stored, served and forwarded; they are never re-serialised.
 */
public final class Manifest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final byte[] bytes;
  private final String mediaType;
  private final Digest digest;

  /** A manifest of {@code bytes}, whose digest the caller has computed or verified. */
  public Manifest(byte[] bytes, String mediaType, Digest digest) {
    this.bytes = bytes;
    this.mediaType = mediaType;
    this.digest = digest;
  }

  /** The exact bytes; shared, not copied: callers must not change them. */
  public byte[] bytes() {
    return bytes;
  }

  public String mediaType() {
    return mediaType;
  }

  public Digest digest() {
    return digest;
  }

  /** Wraps bytes received for {@code mediaType}, computing their SHA-256 digest. */
  public static Manifest of(byte[] bytes, String mediaType) {
    return new Manifest(bytes, mediaType, Digest.sha256(bytes));
  }

  /**
   * The manifest type of {@code bytes} received as {@code contentType}: that type when it is a
   * manifest type; else the {@code mediaType} the JSON declares; else an OCI index when it lists
   * {@code manifests}, an OCI image manifest otherwise. An upstream answering {@code text/plain} or
   * {@code application/json} does not decide what Berth serves.
   */
  public static String typeOf(byte[] bytes, String contentType) {
    if (contentType != null && MediaTypes.isManifest(contentType)) {
      return MediaTypes.bare(contentType);
    }
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (IOException e) {
      return MediaTypes.OCI_MANIFEST;
    }
    String declared = json == null ? "" : json.path("mediaType").asText("");
    if (MediaTypes.isManifest(declared)) {
      return MediaTypes.bare(declared);
    }
    return json != null && json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
  }

  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  /** The entries of an index; empty for an image manifest. */
  public List<Descriptor> children() {
    return children(parse());
  }

  private static List<Descriptor> children(JsonNode json) {
    JsonNode manifests = json.path("manifests");
    List<Descriptor> out = new ArrayList<>();
    for (JsonNode m : manifests) {
      JsonNode p = m.path("platform");
      Platform platform =
          p.isMissingNode()
              ? null
              : new Platform(
                  p.path("os").asText(),
                  p.path("architecture").asText(),
                  p.hasNonNull("variant") ? p.path("variant").asText() : null);
      out.add(
          new Descriptor(
              m.path("mediaType").asText(MediaTypes.OCTET_STREAM),
              digestOf(m),
              m.path("size").asLong(),
              platform));
    }
    return out;
  }

  /** The config and layer descriptors of an image manifest; empty for an index. */
  public List<Descriptor> blobs() {
    return blobs(parse());
  }

  private static List<Descriptor> blobs(JsonNode json) {
    List<Descriptor> out = new ArrayList<>();
    List<JsonNode> nodes = new ArrayList<>();
    if (json.path("config").isObject()) {
      nodes.add(json.path("config"));
    }
    json.path("layers").forEach(nodes::add);
    for (JsonNode d : nodes) {
      out.add(
          new Descriptor(
              d.path("mediaType").asText(MediaTypes.OCTET_STREAM),
              digestOf(d),
              d.path("size").asLong(),
              null));
    }
    return out;
  }

  /** The index entry for {@code os/architecture}, if this is an index that has one. */
  public Optional<Descriptor> childFor(Platform wanted) {
    return children().stream()
        .filter(
            d -> {
              Platform p = d.platform();
              return p != null
                  && p.os().equals(wanted.os())
                  && p.architecture().equals(wanted.architecture());
            })
        .findFirst();
  }

  /**
   * What a manifest names: blobs, child manifests (of an index), and the manifest it refers to
   * ({@code subject}, null when none).
   */
  public record Named(List<Digest> blobs, List<Digest> manifests, @Nullable Digest subject) {}

  /**
   * What this manifest names, by kind: its config and layers, and of an index's entries those of a
   * manifest type as manifests and any other (as in BuildKit's cache index) as blobs.
   */
  public Named named() {
    JsonNode json = parse();
    List<Digest> blobsNamed = new ArrayList<>();
    List<Digest> manifestsNamed = new ArrayList<>();
    for (Descriptor entry : children(json)) {
      String type = entry.mediaType();
      boolean isManifest =
          MediaTypes.isIndex(type)
              || MediaTypes.isImageManifest(type)
              || type.endsWith("manifest.v1+json");
      (isManifest ? manifestsNamed : blobsNamed).add(entry.digest());
    }
    blobs(json).forEach(d -> blobsNamed.add(d.digest()));
    return new Named(blobsNamed, manifestsNamed, subject(json).orElse(null));
  }

  /** The manifest this one refers to ({@code subject}), if it names one. */
  public Optional<Digest> subject() {
    return subject(parse());
  }

  private static Optional<Digest> subject(JsonNode json) {
    JsonNode subject = json.path("subject");
    return subject.isObject() ? Optional.of(digestOf(subject)) : Optional.empty();
  }

  /**
   * The descriptor that lists this manifest in a referrers index: its type, digest and size, its
   * {@code artifactType} (else its config's type) and its annotations.
   */
  public ObjectNode referrerDescriptor() {
    JsonNode json = parse();
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", mediaType);
    d.put("digest", digest.toString());
    d.put("size", bytes.length);
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

  /** A descriptor's digest; IllegalArgumentException when it has no valid one. */
  private static Digest digestOf(JsonNode descriptor) {
    return Digest.of(descriptor.path("digest").asText(""));
  }

  private JsonNode parse() {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("manifest " + digest + " is not JSON: " + e.getMessage());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Manifest m && m.digest.equals(digest) && m.mediaType.equals(mediaType);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "Manifest[" + mediaType + " " + digest + ", " + bytes.length + " bytes]";
  }
}
