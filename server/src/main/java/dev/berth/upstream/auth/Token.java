package dev.berth.upstream.auth;

import java.time.Duration;

/**
 * A bearer token and how long it lives, as the token server said ({@code expires_in}, 60 s when it
 * said nothing). The token's text is never logged: {@link #toString()} leaves it out.
 */
public record Token(String value, Duration lifetime) {
  /** The lifetime the distribution token spec gives tokens that do not say. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  @Override
  public String toString() {
    return "Token[lifetime=" + lifetime + "]";
  }
}
