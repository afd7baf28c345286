package dev.berth.upstream.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name with a password (or personal access token), or an OAuth2 identity (refresh) token.
 * {@link #toString()} leaves the secret out.
 *
 * @param username the user name; for an identity token, what the source gave (may be empty)
 * @param secret the password, access token or identity token
 * @param identityToken whether {@code secret} is an identity token, traded at the token server with
 *     the OAuth2 {@code refresh_token} grant rather than sent as a password
 */
public record Credential(String username, String secret, boolean identityToken) {
  /** The {@code Authorization} value of HTTP Basic authentication with these credentials. */
  public String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credential[username="
        + username
        + (identityToken ? ", identity token" : ", password")
        + "]";
  }
}
