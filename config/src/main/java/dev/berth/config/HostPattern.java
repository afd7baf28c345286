package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of an upstream: a registry host ({@code ghcr.io}, {@code 127.0.0.1:5001}) or a host
 * pattern in which one {@code *} stands for one or more DNS label characters ({@code a-z}, {@code
 * 0-9}, {@code -}) ({@code *.gcr.io}, {@code *-docker.pkg.dev}).
 */
public record HostPattern(String text) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9-]+");
  private static final Pattern HOST = Pattern.compile("[a-z0-9*]([a-z0-9.*-]*[a-z0-9])?(:\\d+)?");

  /** Parses {@code text}; throws {@link InvalidValueException} naming the expected form. */
  @JsonCreator
  public static HostPattern of(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    long stars = lower.chars().filter(c -> c == '*').count();
    if (!HOST.matcher(lower).matches() || stars > 1) {
      throw new InvalidValueException(
          "not a registry host or host pattern: \""
              + text
              + "\" (expected: e.g. ghcr.io, *.gcr.io or *-docker.pkg.dev)");
    }
    return new HostPattern(lower);
  }

  public boolean isPattern() {
    return text.indexOf('*') >= 0;
  }

  /** Whether {@code host} is this host, or is matched by this pattern. */
  public boolean matches(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    int star = text.indexOf('*');
    if (star < 0) {
      return text.equals(h);
    }
    String prefix = text.substring(0, star);
    String suffix = text.substring(star + 1);
    if (h.length() <= prefix.length() + suffix.length()
        || !h.startsWith(prefix)
        || !h.endsWith(suffix)) {
      return false;
    }
    // DNS label characters only: '@', '#', '?' or '%' would turn the rest of a URL built from the
    // host into a user, a fragment or a query, and Berth would connect to a host nobody configured.
    return LABEL.matcher(h.substring(prefix.length(), h.length() - suffix.length())).matches();
  }

  @JsonValue
  @Override
  public String toString() {
    return text;
  }
}
