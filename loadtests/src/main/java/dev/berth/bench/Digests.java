package dev.berth.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests in the OCI form, {@code sha256:<64 hex>}. */
final class Digests {
  private Digests() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static String of(byte[] bytes) {
    return finish(sha256(), bytes);
  }

  static String finish(MessageDigest sha, byte[] last) {
    return "sha256:" + HexFormat.of().formatHex(sha.digest(last));
  }
}
