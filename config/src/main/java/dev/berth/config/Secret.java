package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A credential value from the configuration: the text itself (often from {@code ${ENV}}), or {@code
 * file:/path}, a file read each time the value is needed, so that a rotated secret is picked up
 * without a restart. Neither {@link #toString()} nor any error message shows the value.
 */
public final class Secret {
  private static final String FILE = "file:";
  private static final int MAX_FILE = 64 << 10;

  private final @Nullable String literal;
  private final @Nullable Path file;

  private Secret(@Nullable String literal, @Nullable Path file) {
    this.literal = literal;
    this.file = file;
  }

  /** Parses a configured value: {@code file:/path} or the secret itself. */
  @JsonCreator
  public static Secret of(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidValueException("is empty (expected: the secret, ${VAR} or file:/path)");
    }
    if (text.startsWith(FILE)) {
      String path = text.substring(FILE.length());
      if (path.isBlank()) {
        throw new InvalidValueException("file: names no file (expected: file:/path)");
      }
      return new Secret(null, Path.of(path));
    }
    return new Secret(text, null);
  }

  /** The file the secret is read from, if it is one. */
  public java.util.Optional<Path> file() {
    return java.util.Optional.ofNullable(file);
  }

  /**
   * The secret's text; a file's content without its trailing newline.
   *
   * @throws IOException when the file cannot be read; the message names the file, not its content
   */
  public String reveal() throws IOException {
    if (file == null) {
      return java.util.Objects.requireNonNull(literal, "a secret is text or a file");
    }
    if (Files.size(file) > MAX_FILE) {
      throw new IOException(file + " is larger than " + MAX_FILE + " bytes");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new IOException(file + " is empty");
    }
    return text;
  }

  /** Where the secret comes from, fit for logs: {@code file:/path} or {@code inline}. */
  public String origin() {
    return file == null ? "inline" : FILE + file;
  }

  @Override
  public String toString() {
    return "Secret[" + origin() + "]";
  }
}
