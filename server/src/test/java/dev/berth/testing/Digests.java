package dev.berth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests in the {@code sha256:<hex>} form, computed independently of Berth's code. */
public final class Digests {
  private Digests() {}

  public static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(hasher().digest(bytes));
  }

  public static String sha256(Path file) {
    MessageDigest md = hasher();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  public static MessageDigest hasher() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
