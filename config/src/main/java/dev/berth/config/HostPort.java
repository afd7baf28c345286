package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A listen address, {@code host:port} or {@code [v6]:port}; port 0 picks a free port. */
public record HostPort(String host, int port) {
  public HostPort {
    if (port < 0 || port > 65535) {
      throw new InvalidValueException("port out of range: " + port + " (expected: 0-65535)");
    }
  }

  /** Parses {@code host:port}; throws {@link InvalidValueException} naming the expected form. */
  @JsonCreator
  public static HostPort of(String text) {
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (colon < 0 || host.isEmpty()) {
      throw new InvalidValueException(
          "not a listen address: \"" + text + "\" (expected: host:port, e.g. 0.0.0.0:5000)");
    }
    try {
      return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new InvalidValueException(
          "not a listen address: \"" + text + "\" (expected: host:port, e.g. 0.0.0.0:5000)");
    }
  }

  @JsonValue
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
