package dev.berth.upstream.auth;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Google credentials through google-auth-library: a credentials file (service account key or
 * workload identity federation) or application default credentials (which include the metadata
 * server of GCE and Cloud Build). The registry gets the user {@code oauth2accesstoken} and a
 * current access token as password; the library decides when to refresh it. Thread-safe.
 */
final class GoogleSource implements CredentialSource {
  static final String USERNAME = "oauth2accesstoken";
  private static final List<String> SCOPES =
      List.of("https://www.googleapis.com/auth/cloud-platform");

  private final @Nullable Path keyFile;
  private final boolean required;
  private @Nullable GoogleCredentials credentials;
  private boolean absent;

  /** From {@code keyFile}, or application default credentials when it is null. */
  GoogleSource(@Nullable Path keyFile, boolean required) {
    this.keyFile = keyFile;
    this.required = required;
  }

  @Override
  public String describe() {
    return keyFile == null ? "google application default credentials" : "google key " + keyFile;
  }

  @Override
  public synchronized Optional<Supplied> get() {
    GoogleCredentials google = credentials();
    if (google == null) {
      return Optional.empty();
    }
    try {
      google.refreshIfExpired();
      AccessToken token = google.getAccessToken();
      if (token == null) {
        throw new CredentialException(describe() + ": the library gave no access token");
      }
      return Optional.of(
          new Supplied(new Credential(USERNAME, token.getTokenValue(), false), describe()));
    } catch (IOException e) {
      throw new CredentialException(describe() + ": cannot refresh the access token: " + e);
    }
  }

  private @Nullable GoogleCredentials credentials() {
    if (credentials != null || absent) {
      return credentials;
    }
    try {
      if (keyFile != null) {
        try (InputStream in = Files.newInputStream(keyFile)) {
          credentials = GoogleCredentials.fromStream(in).createScoped(SCOPES);
        }
      } else {
        credentials = GoogleCredentials.getApplicationDefault().createScoped(SCOPES);
      }
      return credentials;
    } catch (IOException e) {
      if (required || keyFile != null) {
        throw new CredentialException(describe() + ": " + e.getMessage());
      }
      // Public images on Google's registries need none; remembered so ADC is not probed again.
      absent = true;
      return null;
    }
  }
}
