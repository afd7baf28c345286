package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL database that holds state with {@code storage.backend: shared}.
 *
 * @param url its JDBC URL ({@code jdbc:postgresql://host:5432/berth}); parameters such as {@code
 *     sslmode} go in it
 * @param user the role Berth logs in as; it creates its tables at start
 * @param password that role's password, {@code ${ENV}} or {@code file:/path}; null for none
 * @param poolSize the most connections Berth holds open (1 to 100)
 */
public record DatabaseConfig(String url, String user, @Nullable Secret password, int poolSize) {
  public static final int DEFAULT_POOL_SIZE = 10;

  public DatabaseConfig {
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new InvalidValueException(
          "url: \"" + url + "\" is not a PostgreSQL JDBC URL (expected: jdbc:postgresql://...)");
    }
    if (user == null || user.isBlank()) {
      throw new InvalidValueException("user is required");
    }
    if (poolSize < 1 || poolSize > 100) {
      throw new InvalidValueException("poolSize: " + poolSize + " (expected: 1-100)");
    }
  }

  /** {@code url} without a password given as one of its parameters, for logs and messages. */
  public static String shown(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1<redacted>");
  }

  /** The URL as {@link #shown(String)} shows it. */
  public String shownUrl() {
    return shown(url);
  }

  /** Without the password, and without a password given as a URL parameter. */
  @Override
  public String toString() {
    return "DatabaseConfig[url="
        + shownUrl()
        + ", user="
        + user
        + ", password="
        + password
        + ", poolSize="
        + poolSize
        + "]";
  }

  @JsonCreator
  static DatabaseConfig fromJson(
      @JsonProperty("url") @Nullable String url,
      @JsonProperty("user") @Nullable String user,
      @JsonProperty("password") @Nullable Secret password,
      @JsonProperty("poolSize") @Nullable Integer poolSize) {
    if (url == null) {
      throw new InvalidValueException("url is required");
    }
    if (user == null) {
      throw new InvalidValueException("user is required");
    }
    return new DatabaseConfig(url, user, password, poolSize == null ? DEFAULT_POOL_SIZE : poolSize);
  }
}
