package dev.berth.upstream.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Bearer tokens per {@link TokenKey}, each kept until shortly before the expiry its server gave: a
 * token is dropped once less than min(30 s, 10 % of its lifetime) remains, so that no request
 * leaves with a token about to die. Concurrent requests for one key share one token request.
 * Thread-safe.
 */
public final class TokenCache {
  private final AsyncCache<TokenKey, Token> cache;
  private final Function<TokenKey, CompletableFuture<Token>> fetcher;
  private final Ticker ticker;

  TokenCache(Function<TokenKey, CompletableFuture<Token>> fetcher, Ticker ticker) {
    this.fetcher = fetcher;
    this.ticker = ticker;
    this.cache =
        Caffeine.newBuilder()
            .ticker(ticker)
            // Its bookkeeping (a token's expiry once its request completes, evictions) on the
            // calling thread: small work, done before the call returns, never later on a pool.
            .executor(Runnable::run)
            .maximumSize(10_000)
            .expireAfter(Expiry.creating((TokenKey k, Token t) -> usableFor(t.lifetime())))
            .buildAsync();
  }

  /** How long a token that lives {@code lifetime} is handed out. */
  static Duration usableFor(Duration lifetime) {
    Duration tenth = lifetime.dividedBy(10);
    Duration margin = tenth.compareTo(Duration.ofSeconds(30)) < 0 ? tenth : Duration.ofSeconds(30);
    return lifetime.minus(margin);
  }

  /** The cached token for {@code key}, or a new one; a failed fetch is not cached. */
  public CompletableFuture<Token> get(TokenKey key) {
    return cache.get(
        key, (k, executor) -> fetcher.apply(k).thenApply(t -> t.receivedAt(ticker.read())));
  }

  /**
   * Forgets {@code refused}, the token for {@code key} that an upstream refused. A newer token that
   * another request got meanwhile is kept: a burst of 401s for one dead token costs one new token.
   */
  public void invalidate(TokenKey key, Token refused) {
    cache
        .asMap()
        .computeIfPresent(
            key,
            (k, f) ->
                f.isDone()
                        && !f.isCompletedExceptionally()
                        && f.join().value().equals(refused.value())
                    ? null
                    : f);
  }

  /** Seconds since the oldest cached token was received; 0 when there is none. */
  public double oldestAgeSeconds() {
    long now = ticker.read();
    long oldest = 0;
    for (CompletableFuture<Token> f : cache.asMap().values()) {
      if (f.isDone() && !f.isCompletedExceptionally()) {
        oldest = Math.max(oldest, now - f.join().receivedNanos());
      }
    }
    return oldest / 1e9;
  }
}
