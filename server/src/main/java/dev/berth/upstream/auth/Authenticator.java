package dev.berth.upstream.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import com.linecorp.armeria.client.WebClient;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers registry challenges for one upstream: remembers the last {@code Bearer} challenge each
 * endpoint sent, and supplies the {@code Authorization} for a scope from the token cache. Only
 * anonymous tokens for now; configured credentials plug in here. Thread-safe.
 */
public final class Authenticator {
  private final TokenCache tokens;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();

  public Authenticator(WebClient tokenClient) {
    TokenFetcher fetcher = new TokenFetcher(tokenClient);
    this.tokens = new TokenCache(fetcher::fetch, Ticker.systemTicker());
  }

  /**
   * The {@code Authorization} value for a request to {@code authority} in {@code scope}, when that
   * endpoint has challenged before; empty when it has not (the request goes out bare).
   */
  public CompletableFuture<Optional<String>> authorization(String authority, String scope) {
    Challenge challenge = challenges.get(authority);
    if (challenge == null || !challenge.isBearer()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return tokens.get(key(challenge, scope)).thenApply(t -> Optional.of("Bearer " + t.value()));
  }

  /**
   * Records the challenge of a {@code 401} from {@code authority} and drops the token that was
   * refused; returns whether a retry can succeed (a bearer challenge with a realm).
   */
  public boolean onUnauthorized(String authority, String scope, String wwwAuthenticate) {
    Optional<Challenge> parsed = Challenge.parse(wwwAuthenticate);
    if (parsed.isEmpty() || !parsed.get().isBearer() || parsed.get().realm().isEmpty()) {
      return false;
    }
    Challenge previous = challenges.put(authority, parsed.get());
    if (previous != null && previous.isBearer()) {
      tokens.invalidate(key(previous, scope));
    }
    tokens.invalidate(key(parsed.get(), scope));
    return true;
  }

  private static TokenKey key(Challenge challenge, String scope) {
    return new TokenKey(challenge.realm(), challenge.service(), scope, "");
  }
}
