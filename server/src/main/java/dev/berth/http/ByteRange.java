package dev.berth.http;

import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One range of a {@code Range: bytes=...} header, resolved against a size.
 *
 * @param start the first byte
 * @param end one past the last byte
 */
public record ByteRange(long start, long end) {
  private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  public long length() {
    return end - start;
  }

  /**
   * The range {@code header} asks for in content of {@code size} bytes. Empty when there is no
   * header, it is not a single byte range (the whole content is served then), or the size is not
   * known yet.
   *
   * @throws RegistryException RANGE_NOT_SATISFIABLE when the range lies beyond the content
   */
  public static Optional<ByteRange> parse(String header, long size) {
    if (header == null || size < 0) {
      return Optional.empty();
    }
    Matcher m = SINGLE.matcher(header.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return Optional.empty();
    }
    long start;
    long end;
    try {
      if (m.group(1).isEmpty()) {
        long suffix = Long.parseLong(m.group(2));
        start = Math.max(0, size - suffix);
        end = size;
      } else {
        start = Long.parseLong(m.group(1));
        end = m.group(2).isEmpty() ? size : Math.min(size, Long.parseLong(m.group(2)) + 1);
      }
    } catch (NumberFormatException e) {
      throw unsatisfiable(header, size);
    }
    if (start >= size || end <= start) {
      throw unsatisfiable(header, size);
    }
    return Optional.of(new ByteRange(start, end));
  }

  private static RegistryException unsatisfiable(String header, long size) {
    return OciError.RANGE_NOT_SATISFIABLE.with(
        "range " + header + " is not satisfiable for a blob of " + size + " bytes");
  }

  /** The {@code Content-Range} of this range in content of {@code size} bytes. */
  public String contentRange(long size) {
    return "bytes " + start + "-" + (end - 1) + "/" + size;
  }
}
