package dev.berth.oci;

import java.util.Optional;
import java.util.regex.Pattern;

/** What a manifest request names: a tag, or a digest. Exactly one of the two is present. */
public record ManifestReference(Optional<String> tag, Optional<Digest> digest) {
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  /** Parses a tag or a digest; throws {@link IllegalArgumentException} naming which failed. */
  public static ManifestReference of(String text) {
    if (Digest.looksLikeDigest(text)) {
      return new ManifestReference(Optional.empty(), Optional.of(Digest.of(text)));
    }
    if (!TAG.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "tag: \"" + text + "\" (expected: [A-Za-z0-9_][A-Za-z0-9._-]{0,127})");
    }
    return new ManifestReference(Optional.of(text), Optional.empty());
  }

  public static ManifestReference of(Digest digest) {
    return new ManifestReference(Optional.empty(), Optional.of(digest));
  }

  public boolean isDigest() {
    return digest.isPresent();
  }

  @Override
  public String toString() {
    return tag.orElseGet(() -> digest.orElseThrow().toString());
  }
}
