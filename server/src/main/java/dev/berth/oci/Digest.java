package dev.berth.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest, {@code algorithm:hex}. Only {@code sha256} and {@code sha512} are accepted, as
 * the OCI image spec registers them.
 */
public record Digest(String algorithm, String hex) {
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    boolean ok =
        switch (algorithm) {
          case "sha256" -> SHA256.matcher(hex).matches();
          case "sha512" -> SHA512.matcher(hex).matches();
          default -> false;
        };
    if (!ok) {
      throw new IllegalArgumentException(
          "digest: " + algorithm + ":" + hex + " (expected: sha256:<64 hex> or sha512:<128 hex>)");
    }
  }

  /** Parses {@code algorithm:hex}; throws {@link IllegalArgumentException} when malformed. */
  public static Digest of(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "digest: " + text + " (expected: sha256:<64 hex> or sha512:<128 hex>)");
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** Whether {@code text} is a reference by digest rather than a tag. */
  public static boolean looksLikeDigest(String text) {
    return text.indexOf(':') > 0;
  }

  /** The SHA-256 digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return new Digest("sha256", HexFormat.of().formatHex(sha256().digest(bytes)));
  }

  /** A new hasher for this digest's algorithm. */
  public MessageDigest newHasher() {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The digest that {@code hasher}, created by {@link #newHasher()}, has computed. */
  public Digest finish(MessageDigest hasher) {
    return new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
  }

  /** A new SHA-256 hasher, for content whose digest is not known yet. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
