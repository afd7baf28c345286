package dev.berth.oci;

import java.util.regex.Pattern;

/**
 * A repository name in the OCI distribution grammar: path components of lowercase letters and
 * digits joined by {@code .}, {@code _}, {@code __} or dashes, separated by {@code /}.
 */
public record RepositoryName(String value) {
  private static final Pattern GRAMMAR =
      Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  private static final int MAX_LENGTH = 255;

  public RepositoryName {
    if (value.length() > MAX_LENGTH || !GRAMMAR.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "repository name: \""
              + value
              + "\" (expected: lowercase components such as library/alpine, at most 255 chars)");
    }
  }

  public static RepositoryName of(String value) {
    return new RepositoryName(value);
  }

  /** Whether the name has one component only, as Docker Hub's official images do. */
  public boolean isSingleComponent() {
    return value.indexOf('/') < 0;
  }

  /** Whether this name is {@code prefix} or lies below it. */
  public boolean startsWith(String prefix) {
    return value.equals(prefix) || value.startsWith(prefix + "/");
  }

  @Override
  public String toString() {
    return value;
  }
}
