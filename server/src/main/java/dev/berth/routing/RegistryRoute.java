package dev.berth.routing;

import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.oci.ManifestReference;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A parsed {@code /v2/} request: what it acts on and the reference it names.
 *
 * @param kind the kind of resource
 * @param target the repository, with the registry it belongs to
 * @param reference what the path names after the kind, parsed once
 * @param namespace the {@code ns} the client sent, or null
 */
public record RegistryRoute(
    Kind kind, Target target, Reference reference, @Nullable String namespace) {
  /** What a {@code /v2/<name>/...} path acts on. */
  public enum Kind {
    MANIFEST,
    BLOB,
    UPLOAD,
    TAGS,
    REFERRERS
  }

  /**
   * The last part of a route's path, as sent and as read: the tag or digest of a {@link
   * Kind#MANIFEST}, the digest of a {@link Kind#BLOB} or the subject of {@link Kind#REFERRERS}, the
   * upload id of an {@link Kind#UPLOAD} (may be empty), nothing for {@link Kind#TAGS}. Each route
   * answers a reference it cannot use with its own error code.
   *
   * @param text the reference as sent
   * @param manifest the tag or digest it is, or null when it is neither
   * @param problem why it is no tag or digest ("" when it is one)
   */
  public record Reference(String text, @Nullable ManifestReference manifest, String problem) {
    /** Reads {@code text} once. */
    public static Reference parse(String text) {
      try {
        return new Reference(text, ManifestReference.of(text), "");
      } catch (IllegalArgumentException e) {
        return new Reference(text, null, String.valueOf(e.getMessage()));
      }
    }

    /** The tag or digest it names; {@code invalid} with the reason when it is neither. */
    public ManifestReference manifestOr(OciError invalid) {
      if (manifest == null) {
        throw invalid.with(problem);
      }
      return manifest;
    }

    /** The digest it names; {@code invalid} with the reason when it is no digest. */
    public Digest digestOr(OciError invalid) {
      return digest()
          .orElseThrow(() -> invalid.with(problem.isEmpty() ? "not a digest: " + text : problem));
    }

    /** The digest it names, if it is one. */
    public Optional<Digest> digest() {
      return manifest == null ? Optional.empty() : manifest.digest();
    }

    /** Whether it is written as a digest ({@code algorithm:hex}), valid or not. */
    public boolean looksLikeDigest() {
      return Digest.looksLikeDigest(text);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
