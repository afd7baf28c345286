package dev.berth.upstream.auth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code WWW-Authenticate} challenge: {@code Bearer realm="...",service="...",scope="..."}
 * or {@code Basic realm="..."}. One header may hold several challenges (RFC 9110 section 11.6.1);
 * quoted values may hold commas and escaped quotes.
 */
public record Challenge(String scheme, Map<String, String> params) {

  /** The challenge to answer: Bearer before Basic before any other; empty when there is none. */
  public static Optional<Challenge> parse(String header) {
    return parseAll(header).stream()
        .min(Comparator.comparingInt(c -> c.isBearer() ? 0 : c.isBasic() ? 1 : 2));
  }

  /** Every challenge in {@code header}, in order; empty when it is blank. */
  public static List<Challenge> parseAll(String header) {
    List<Challenge> out = new ArrayList<>();
    if (header == null) {
      return out;
    }
    Scanner s = new Scanner(header);
    while (true) {
      s.skip(" \t,");
      String scheme = s.token();
      if (scheme.isEmpty()) {
        // Not a token (a stray character): skip it rather than loop.
        if (!s.atEnd()) {
          s.pos++;
          continue;
        }
        return out;
      }
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        s.skip(" \t,");
        int mark = s.pos;
        String name = s.token();
        s.skip(" \t");
        if (name.isEmpty() || !s.peek('=')) {
          // The next challenge's scheme, or the end.
          s.pos = mark;
          break;
        }
        s.pos++;
        s.skip(" \t");
        params.put(name.toLowerCase(Locale.ROOT), s.value());
      }
      out.add(new Challenge(scheme.toLowerCase(Locale.ROOT), Map.copyOf(params)));
    }
  }

  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  public boolean isBasic() {
    return scheme.equals("basic");
  }

  public String realm() {
    return params.getOrDefault("realm", "");
  }

  public String service() {
    return params.getOrDefault("service", "");
  }

  /** The {@code error} parameter, e.g. {@code invalid_token}; empty when absent. */
  public String error() {
    return params.getOrDefault("error", "");
  }

  private static final class Scanner {
    private final String text;
    private int pos;

    Scanner(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    boolean peek(char c) {
      return !atEnd() && text.charAt(pos) == c;
    }

    void skip(String chars) {
      while (!atEnd() && chars.indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
    }

    /** An RFC 9110 token: letters, digits and {@code !#$%&'*+-.^_`|~}. */
    String token() {
      int start = pos;
      while (!atEnd()
          && (Character.isLetterOrDigit(text.charAt(pos))
              || "!#$%&'*+-.^_`|~".indexOf(text.charAt(pos)) >= 0)) {
        pos++;
      }
      return text.substring(start, pos);
    }

    /** A quoted string (with backslash escapes) or a bare value up to a comma or space. */
    String value() {
      if (!peek('"')) {
        int start = pos;
        while (!atEnd() && text.charAt(pos) != ',' && text.charAt(pos) != ' ') {
          pos++;
        }
        return text.substring(start, pos);
      }
      StringBuilder out = new StringBuilder();
      pos++;
      while (!atEnd() && text.charAt(pos) != '"') {
        if (text.charAt(pos) == '\\' && pos + 1 < text.length()) {
          pos++;
        }
        out.append(text.charAt(pos++));
      }
      if (!atEnd()) {
        pos++; // the closing quote; an unterminated value ends with the header
      }
      return out.toString();
    }
  }
}
