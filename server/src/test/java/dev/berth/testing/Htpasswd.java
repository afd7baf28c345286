package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** An htpasswd file of bcrypt entries, as {@code htpasswd -B} writes them, for Berth's auth. */
public final class Htpasswd {
  private Htpasswd() {}

  /** Writes {@code dir/htpasswd} with one entry per {@code user:password}; returns its path. */
  public static Path write(Path dir, String... userPasswords) {
    StringBuilder lines = new StringBuilder();
    for (String userPass : userPasswords) {
      int colon = userPass.indexOf(':');
      lines
          .append(userPass, 0, colon)
          .append(':')
          .append(BCrypt.hashpw(userPass.substring(colon + 1), BCrypt.gensalt(4)))
          .append('\n');
    }
    try {
      return Files.writeString(dir.resolve("htpasswd"), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
