package dev.berth.upstream.auth;

import java.util.Optional;

/**
 * Where one upstream's credentials come from. {@link #get()} may block (it can read files, run a
 * Docker credential helper or refresh a Google access token) and is called when a token is minted,
 * not for every request.
 */
public interface CredentialSource {
  /**
   * The credentials, with the name of the source that supplied them; empty when this source has
   * none for the upstream (requests then go anonymous).
   *
   * @throws CredentialException when the source is configured but cannot give credentials
   */
  Optional<Supplied> get();

  /** What this source is, for {@code berth creds check} and error messages: never a secret. */
  String describe();

  /** Credentials and the source that supplied them. */
  record Supplied(Credential credential, String source) {}

  /** A configured source that failed: its message names the source and the cause. */
  final class CredentialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CredentialException(String message) {
      super(message);
    }
  }

  /** No credentials: every request goes anonymous. */
  CredentialSource NONE =
      new CredentialSource() {
        @Override
        public Optional<Supplied> get() {
          return Optional.empty();
        }

        @Override
        public String describe() {
          return "none (anonymous)";
        }
      };
}
