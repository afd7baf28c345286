package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.net.URI;
import java.net.URISyntaxException;

/** The base URL of a registry endpoint: {@code http} or {@code https}, a host, no path. */
public record Endpoint(URI uri) {

  /** Parses {@code text}; throws {@link InvalidValueException} with {@code not a URL: "..."}. */
  @JsonCreator
  public static Endpoint of(String text) {
    URI uri;
    try {
      uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    } catch (URISyntaxException e) {
      throw notAUrl(text);
    }
    boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
    if (!web || uri.getHost() == null) {
      throw notAUrl(text);
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      throw new InvalidValueException(
          "endpoint must not have a path: \"" + text + "\" (expected: scheme://host[:port])");
    }
    return new Endpoint(uri);
  }

  /** The HTTPS endpoint of a registry host, as used for host patterns. */
  public static Endpoint https(String host) {
    return of("https://" + host);
  }

  private static InvalidValueException notAUrl(String text) {
    return new InvalidValueException(
        "not a URL: \"" + text + "\" (expected: http:// or https:// and a host)");
  }

  @JsonValue
  @Override
  public String toString() {
    return uri.toString();
  }
}
