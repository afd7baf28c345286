package dev.berth.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bearer tokens Berth issues to its own clients: who the client proved to be (a user, or {@code
 * anonymous}) until when, signed with HMAC-SHA256 under a key drawn at start. A token says nothing
 * about scope: each request is still checked against the rules. A restart invalidates every token,
 * and the client fetches a new one on its next {@code 401}. Thread-safe.
 */
final class BearerTokens {
  /** How long a token is good for, as Docker Hub issues them. */
  static final Duration LIFETIME = Duration.ofMinutes(5);

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;

  BearerTokens(Clock clock) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.clock = clock;
  }

  /** A token for {@code user} (empty for anonymous), good for {@link #LIFETIME}. */
  String issue(Optional<String> user) {
    long expires = clock.instant().plus(LIFETIME).getEpochSecond();
    byte[] claims = (expires + ":" + user.orElse("")).getBytes(StandardCharsets.UTF_8);
    return B64.encodeToString(claims) + "." + B64.encodeToString(mac(claims));
  }

  /**
   * Who {@code token} was issued to: empty optional inside for anonymous; an empty result when the
   * token is malformed, forged or expired.
   */
  Optional<Optional<String>> verify(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    byte[] claims;
    byte[] signature;
    try {
      claims = B64D.decode(token.substring(0, dot));
      signature = B64D.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(mac(claims), signature)) {
      return Optional.empty();
    }
    String text = new String(claims, StandardCharsets.UTF_8);
    int colon = text.indexOf(':');
    long expires;
    try {
      expires = Long.parseLong(text.substring(0, colon));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      return Optional.empty();
    }
    if (clock.instant().getEpochSecond() >= expires) {
      return Optional.empty();
    }
    String user = text.substring(colon + 1);
    return Optional.of(user.isEmpty() ? Optional.empty() : Optional.of(user));
  }

  private byte[] mac(byte[] claims) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(claims);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
