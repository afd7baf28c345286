package dev.berth.upstream.auth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code WWW-Authenticate} challenge: {@code Bearer realm="...",service="...",scope="..."}
 * or {@code Basic realm="..."}.
 */
public record Challenge(String scheme, Map<String, String> params) {
  private static final Pattern PARAM =
      Pattern.compile("([A-Za-z_]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,\\s]*))");

  /** Parses a header value; empty when it is blank or has no scheme. */
  public static Optional<Challenge> parse(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String h = header.trim();
    int space = h.indexOf(' ');
    String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
    Map<String, String> params = new LinkedHashMap<>();
    if (space > 0) {
      Matcher m = PARAM.matcher(h.substring(space + 1));
      while (m.find()) {
        String value = m.group(2) != null ? m.group(2).replace("\\\"", "\"") : m.group(3);
        params.put(m.group(1).toLowerCase(Locale.ROOT), value);
      }
    }
    return Optional.of(new Challenge(scheme, Map.copyOf(params)));
  }

  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  public String realm() {
    return params.getOrDefault("realm", "");
  }

  public String service() {
    return params.getOrDefault("service", "");
  }
}
