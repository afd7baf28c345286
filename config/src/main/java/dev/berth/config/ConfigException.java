package dev.berth.config;

/**
 * A configuration that cannot be used. The message names the file, the line and the key, as in
 * {@code berth.yaml:12: upstreams[1].endpoints[0]: not a URL: "htp:/x"}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
