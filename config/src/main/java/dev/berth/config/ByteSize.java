package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number of bytes written as {@code 512}, {@code 100MiB}, {@code 50GiB} or {@code 1TB}. Binary
 * (KiB, MiB, GiB, TiB) and decimal (KB, MB, GB, TB) units are accepted.
 */
public record ByteSize(long bytes) {
  private static final Pattern FORMAT =
      Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?", Pattern.CASE_INSENSITIVE);

  public ByteSize {
    if (bytes < 0) {
      throw new InvalidValueException("size must not be negative: " + bytes);
    }
  }

  /** Parses {@code text}; throws {@link InvalidValueException} naming the expected form. */
  @JsonCreator
  public static ByteSize of(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new InvalidValueException(
          "not a size: \"" + text + "\" (expected: a number with an optional unit, e.g. 100MiB)");
    }
    long unit = unit(m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT));
    try {
      return new ByteSize(Math.multiplyExact(Long.parseLong(m.group(1)), unit));
    } catch (ArithmeticException | NumberFormatException e) {
      throw new InvalidValueException("size too large: \"" + text + "\"");
    }
  }

  public static ByteSize ofBytes(long bytes) {
    return new ByteSize(bytes);
  }

  private static long unit(String unit) {
    return switch (unit) {
      case "KB" -> 1000L;
      case "MB" -> 1000L * 1000;
      case "GB" -> 1000L * 1000 * 1000;
      case "TB" -> 1000L * 1000 * 1000 * 1000;
      case "KIB" -> 1L << 10;
      case "MIB" -> 1L << 20;
      case "GIB" -> 1L << 30;
      case "TIB" -> 1L << 40;
      default -> 1L;
    };
  }

  @JsonValue
  @Override
  public String toString() {
    for (String u : new String[] {"TiB", "GiB", "MiB", "KiB"}) {
      long size = unit(u.toUpperCase(Locale.ROOT));
      if (bytes != 0 && bytes % size == 0) {
        return bytes / size + u;
      }
    }
    return Long.toString(bytes);
  }
}
