package dev.berth.config;

/**
 * A value that fails validation, raised by the validating factories of the configuration's value
 * types. The loader adds the file, line and key.
 */
public final class InvalidValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;

  /** A problem with the value being read; the loader knows where it is. */
  public InvalidValueException(String message) {
    this("", message);
  }

  /** A problem found after binding, at {@code path} (e.g. {@code upstreams[2].name}). */
  public InvalidValueException(String path, String message) {
    super(message);
    this.path = path;
  }

  /** The key path the problem is at, or empty when the loader knows it from the parser. */
  public String path() {
    return path;
  }
}
