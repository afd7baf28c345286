package dev.berth.upstream.auth;

import java.time.Duration;

/**
 * A bearer token, how long it lives as the token server said ({@code expires_in}, 60 s when it said
 * nothing, less what passed since its {@code issued_at}), and when Berth received it (in ticker
 * nanoseconds). The token's text is never logged: {@link #toString()} leaves it out.
 */
public record Token(String value, Duration lifetime, long receivedNanos) {
  /** The lifetime the distribution token spec gives tokens that do not say. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  /** A token just received, to be stamped by {@link #receivedAt}. */
  public Token(String value, Duration lifetime) {
    this(value, lifetime, 0);
  }

  /** This token, received at {@code nanos} on the token cache's ticker. */
  Token receivedAt(long nanos) {
    return new Token(value, lifetime, nanos);
  }

  @Override
  public String toString() {
    return "Token[lifetime=" + lifetime + "]";
  }
}
