package dev.berth.upstream.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import com.linecorp.armeria.client.WebClient;
import dev.berth.errors.UpstreamException;
import dev.berth.metrics.BerthMetrics;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers registry challenges for one upstream host. It remembers the last challenge each endpoint
 * sent and, for the next request there, supplies Basic credentials or a bearer token for the
 * request's scope: from the token cache, or minted with the upstream's {@link CredentialSource}.
 * {@code Authorization} only goes to the endpoint that challenged for it. A failure to get a token
 * is logged once when it starts and once when it ends, and shown in {@code /readyz}. Thread-safe.
 */
public final class Authenticator {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  private static final long BASIC_MEMO_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String upstream;
  private final List<String> realms;
  private final Set<String> refusedRealms = ConcurrentHashMap.newKeySet();
  private final CredentialSource source;
  private final TokenFetcher fetcher;
  private final TokenCache tokens;
  private final Executor blocking;
  private final BerthMetrics metrics;
  private final Ticker ticker;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private volatile @Nullable Memo basic;

  /** The {@code Authorization} a request carried, and the token behind it, if any. */
  public record Authorization(
      Optional<String> header, @Nullable TokenKey key, @Nullable Token token) {
    static final Authorization NONE = new Authorization(Optional.empty(), null, null);

    static Authorization of(String header) {
      return new Authorization(Optional.of(header), null, null);
    }
  }

  private record Memo(Optional<CredentialSource.Supplied> supplied, long atNanos) {}

  /**
   * An authenticator for the upstream host {@code upstream}, getting tokens through {@code
   * tokenClient} and credentials from {@code source} on {@code blocking}.
   */
  public Authenticator(
      String upstream,
      List<String> realms,
      CredentialSource source,
      WebClient tokenClient,
      Executor blocking,
      BerthMetrics metrics) {
    this(
        upstream,
        realms,
        source,
        tokenClient,
        blocking,
        metrics,
        Ticker.systemTicker(),
        Clock.systemUTC());
  }

  Authenticator(
      String upstream,
      List<String> realms,
      CredentialSource source,
      WebClient tokenClient,
      Executor blocking,
      BerthMetrics metrics,
      Ticker ticker,
      Clock clock) {
    this.upstream = upstream;
    this.realms = realms;
    this.source = source;
    this.fetcher = new TokenFetcher(tokenClient, clock);
    this.tokens = new TokenCache(this::mint, ticker);
    this.blocking = blocking;
    this.metrics = metrics;
    this.ticker = ticker;
    metrics.tokenAge(upstream, tokens::oldestAgeSeconds);
  }

  /** Where this upstream's credentials come from. */
  public CredentialSource source() {
    return source;
  }

  /**
   * The {@code Authorization} for a request to {@code endpoint} in {@code scope}, after that
   * endpoint has challenged; none before (the request goes out bare and collects the challenge).
   */
  public CompletableFuture<Authorization> authorization(URI endpoint, String scope) {
    Challenge challenge = challenges.get(endpoint.getAuthority());
    if (challenge == null) {
      return CompletableFuture.completedFuture(Authorization.NONE);
    }
    if (challenge.isBasic()) {
      return credentials()
          .thenApply(s -> s.map(c -> Authorization.of(c.credential().basic())))
          .thenApply(a -> a.orElse(Authorization.NONE));
    }
    try {
      checkRealm(endpoint, challenge);
    } catch (UpstreamException e) {
      return CompletableFuture.failedFuture(e);
    }
    TokenKey key = key(challenge, scope);
    return tokens
        .get(key)
        .thenApply(t -> new Authorization(Optional.of("Bearer " + t.value()), key, t));
  }

  /**
   * Records the challenge of a {@code 401} from {@code endpoint} to a request that carried {@code
   * used}, and drops that token or those credentials; returns whether a retry can succeed.
   */
  public boolean onUnauthorized(URI endpoint, Authorization used, String wwwAuthenticate) {
    Optional<Challenge> parsed = Challenge.parse(wwwAuthenticate);
    if (parsed.isEmpty()) {
      return false;
    }
    Challenge challenge = parsed.get();
    challenges.put(endpoint.getAuthority(), challenge);
    TokenKey usedKey = used.key();
    Token usedToken = used.token();
    if (usedKey != null && usedToken != null) {
      tokens.invalidate(usedKey, usedToken);
    }
    if (challenge.isBasic()) {
      // Credentials sent and refused: read them again once, then give up.
      basic = null;
      return source != CredentialSource.NONE;
    }
    return challenge.isBearer() && !challenge.realm().isEmpty();
  }

  /** Why tokens cannot be had right now, if they cannot. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure.get());
  }

  /**
   * Mints a token for {@code scope} as {@code endpoint}'s {@code challenge} asks, bypassing the
   * cache: for {@code berth creds check}.
   */
  public CompletableFuture<Token> mintFresh(URI endpoint, Challenge challenge, String scope) {
    try {
      checkRealm(endpoint, challenge);
    } catch (UpstreamException e) {
      return CompletableFuture.failedFuture(e);
    }
    return mint(key(challenge, scope));
  }

  /** The credentials from the source, read at most every 10 s for Basic challenges. */
  public CompletableFuture<Optional<CredentialSource.Supplied>> credentials() {
    Memo m = basic;
    if (m != null && ticker.read() - m.atNanos() < BASIC_MEMO_NANOS) {
      return CompletableFuture.completedFuture(m.supplied());
    }
    return CompletableFuture.supplyAsync(source::get, blocking)
        .whenComplete(
            (s, e) -> {
              if (e == null) {
                basic = new Memo(s, ticker.read());
              }
              recordOutcome(e, "credentials");
            });
  }

  private CompletableFuture<Token> mint(TokenKey key) {
    return CompletableFuture.supplyAsync(source::get, blocking)
        .thenCompose(s -> fetcher.fetch(key, s.map(CredentialSource.Supplied::credential)))
        .whenComplete((t, e) -> recordOutcome(e, "token"));
  }

  private void recordOutcome(Throwable e, String what) {
    if (e == null) {
      if (what.equals("token")) {
        metrics.tokenRequest(upstream, "success");
      }
      String previous = failure.getAndSet(null);
      if (previous != null) {
        log.info("{}: {} can be had again", upstream, what);
      }
      return;
    }
    Throwable cause = unwrap(e);
    boolean refused =
        cause instanceof CredentialSource.CredentialException
            || (cause instanceof UpstreamException u && (u.status() == 401 || u.status() == 403));
    if (what.equals("token")) {
      metrics.tokenRequest(upstream, refused ? "refused" : "error");
    }
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    if (failure.getAndSet(message) == null) {
      log.warn("{}: cannot get a {} ({}): {}", upstream, what, source.describe(), message);
    }
  }

  private void checkRealm(URI endpoint, Challenge challenge) {
    URI realm;
    try {
      realm = URI.create(challenge.realm());
    } catch (IllegalArgumentException e) {
      throw new UpstreamException(
          endpoint.getAuthority() + " named a token realm that is not a URL", false, 0, null);
    }
    String scheme = realm.getScheme() == null ? "" : realm.getScheme();
    boolean plainAllowed = "http".equals(endpoint.getScheme());
    if (!scheme.equals("https") && !(plainAllowed && scheme.equals("http"))) {
      throw new UpstreamException(
          endpoint.getAuthority()
              + " named the token realm "
              + challenge.realm()
              + ", which is not https: credentials are not sent there",
          false,
          0,
          null);
    }
    String host = realm.getHost() == null ? "" : realm.getHost().toLowerCase(Locale.ROOT);
    if (!Realms.mayReceive(endpoint.getHost(), host, realms)) {
      // Once per realm host; a bounded set, as an upstream names whatever realms it likes.
      if (refusedRealms.size() < 1_000 && refusedRealms.add(host)) {
        log.warn(
            "{}: {} named the token realm host {}, outside its own domain and not in"
                + " credentials.realms: no credentials are sent there",
            upstream,
            endpoint.getHost(),
            host);
      }
      // 403: the client gets DENIED naming the upstream.
      throw new UpstreamException(
          upstream
              + ": the token realm "
              + host
              + " is outside "
              + endpoint.getHost()
              + "'s domain and not in credentials.realms; no credentials are sent there",
          false,
          403,
          null);
    }
  }

  private TokenKey key(Challenge challenge, String scope) {
    return new TokenKey(
        challenge.realm(),
        challenge.service(),
        Scopes.merge(java.util.List.of(scope)),
        source.describe());
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
