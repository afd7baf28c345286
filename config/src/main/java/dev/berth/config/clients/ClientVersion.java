package dev.berth.config.clients;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client's release, as far as where it reads its registry configuration depends on it: {@code
 * major.minor}. Read from what {@code containerd --version}, {@code docker version} or a user
 * prints: {@code containerd github.com/containerd/containerd/v2 v2.1.0 abc123}, {@code Docker
 * version 29.0.1, build 1a2b3c}, {@code 29.0.1}.
 */
public record ClientVersion(int major, int minor) {
  private static final Pattern VERSION =
      Pattern.compile("(?<![\\w.])v?(\\d{1,4})\\.(\\d{1,4})(?:\\.\\d{1,6})?(?![\\w.])");

  /** The first {@code major.minor[.patch]} in {@code text}, if any. */
  public static Optional<ClientVersion> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = VERSION.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(
        new ClientVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
  }

  /** Whether this release is {@code major.minor} or later. */
  public boolean atLeast(int major, int minor) {
    return this.major > major || (this.major == major && this.minor >= minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
