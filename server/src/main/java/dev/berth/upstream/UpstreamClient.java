package dev.berth.upstream;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.RequestOptions;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.retry.RetryingClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.berth.config.UpstreamConfig;
import dev.berth.errors.UpstreamException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.upstream.auth.Authenticator;
import dev.berth.upstream.auth.CredentialSource;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The client of one upstream registry host. It owns what every call to that host needs: the
 * endpoint chain (tried in order), retries with backoff and jitter that honour {@code Retry-After}
 * (Armeria's {@link RetryingClient}), the challenge-driven token flow, and redirects ({@link
 * EndpointRequests}), which are followed without {@code Authorization} when they leave the
 * endpoint's host. Thread-safe.
 */
public final class UpstreamClient {
  /**
   * How Berth introduces itself to upstreams and token servers: {@code berth/<version>}, which
   * registry operators read in their logs (and some registries require a client's own).
   */
  public static final String USER_AGENT =
      "berth/"
          + java.util.Objects.requireNonNullElse(
              UpstreamClient.class.getPackage().getImplementationVersion(), "dev");

  private static final int MAX_AUTH_TRIES = 3;
  private final String host;
  private final List<WebClient> endpoints;

  /** The same endpoints without Armeria's retries, which would hold a request body in memory. */
  private final List<WebClient> plainEndpoints;

  private final EndpointRequests requests;
  private final Authenticator auth;
  private final Duration idleTimeout;
  private final boolean offline;
  private final RateLimit rateLimit = new RateLimit();

  UpstreamClient(
      String host,
      UpstreamConfig config,
      ClientFactory factory,
      BerthMetrics metrics,
      CredentialSource credentials,
      Executor blocking,
      boolean offline) {
    this.host = host;
    this.offline = offline;
    metrics.rateLimit(host, rateLimit::limit, rateLimit::remaining);
    this.idleTimeout = config.idleTimeout();
    EndpointClients clients = EndpointClients.of(host, config, factory, metrics);
    this.endpoints = clients.retried();
    this.plainEndpoints = clients.plain();
    this.requests = new EndpointRequests(clients.redirects(), config.firstByteTimeout(), rateLimit);
    this.auth =
        new Authenticator(
            host,
            config.credentials().realms(),
            credentials,
            WebClient.builder()
                .factory(factory)
                .setHeader(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .responseTimeout(Duration.ofSeconds(30))
                .build(),
            blocking,
            metrics);
  }

  /** The challenges, credentials and tokens of this host. */
  public Authenticator authenticator() {
    return auth;
  }

  /** The endpoints of this host, in the order they are tried. */
  public List<URI> endpoints() {
    return endpoints.stream().map(EndpointClients::origin).toList();
  }

  /** Sends {@code GET /v2/} to the first endpoint with {@code authorization}, if any. */
  public CompletableFuture<AggregatedHttpResponse> ping(Optional<String> authorization) {
    if (offline) {
      return CompletableFuture.failedFuture(offline("GET /v2/"));
    }
    RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.GET, "/v2/");
    authorization.ifPresent(a -> headers.set(HttpHeaderNames.AUTHORIZATION, a));
    return endpoints
        .get(0)
        .execute(
            HttpRequest.of(headers.build()),
            RequestOptions.builder()
                .maxResponseLength(64 << 10)
                .responseTimeout(idleTimeout)
                .build())
        .aggregate();
  }

  /** The registry host this client serves, e.g. {@code docker.io}. */
  public String host() {
    return host;
  }

  /**
   * Sends {@code call} and reads its whole body (at most {@link UpstreamCall#maxLength()} bytes).
   * Any final status is returned; fails with {@link UpstreamException} when no endpoint answered.
   */
  public CompletableFuture<AggregatedHttpResponse> fetch(UpstreamCall call) {
    // Small answers get a deadline; blob bodies are watched for idleness by their reader instead,
    // and an upload's answer comes only once its body is sent, however long that takes.
    return overEndpoints(call, 0, call.body() == null ? idleTimeout : Duration.ZERO)
        .thenCompose(
            x ->
                HttpResponse.of(x.headers(), x.body())
                    .aggregate()
                    .exceptionally(
                        e -> {
                          throw new CompletionException(
                              new UpstreamException(
                                  call.description()
                                      + ": reading the answer of "
                                      + x.endpoint()
                                      + " failed: "
                                      + e,
                                  true,
                                  0,
                                  e));
                        }));
  }

  /**
   * Sends {@code call} and returns as soon as the final headers arrive, with the body still to
   * stream. Tries each endpoint in turn while the failure is temporary.
   */
  public CompletableFuture<Exchange> exchange(UpstreamCall call) {
    return overEndpoints(call, 0, Duration.ZERO);
  }

  /** What this upstream last said of its pull rate limit (Docker Hub's {@code ratelimit-*}). */
  public RateLimit rateLimit() {
    return rateLimit;
  }

  /** Whether this upstream is never connected to ({@code offline: true}). */
  public boolean isOffline() {
    return offline;
  }

  private UpstreamException offline(String what) {
    return new UpstreamException(
        what
            + ": "
            + host
            + " is not asked: Berth is offline (offline: true in its configuration) and serves"
            + " only content it holds",
        false,
        0,
        null);
  }

  private CompletableFuture<Exchange> overEndpoints(
      UpstreamCall call, int index, Duration timeout) {
    if (offline) {
      // Not a connection, not a token request, not a DNS lookup.
      return CompletableFuture.failedFuture(offline(call.description()));
    }
    WebClient client = (call.body() == null ? endpoints : plainEndpoints).get(index);
    return withAuth(client, call, 1, timeout)
        .handle(
            (x, e) -> {
              Throwable cause = e == null ? null : UpstreamFailure.unwrap(e);
              if (cause == null && !UpstreamException.isTemporary(x.status())) {
                return CompletableFuture.completedFuture(x);
              }
              UpstreamException failure =
                  cause instanceof UpstreamException u
                      ? u
                      : UpstreamFailure.atEndpoint(
                          call, host, EndpointClients.origin(client), x, cause);
              if (x != null) {
                x.body().abort();
              }
              if (index + 1 < endpoints.size() && failure.isTemporary()) {
                return overEndpoints(call, index + 1, timeout);
              }
              return CompletableFuture.<Exchange>failedFuture(failure);
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<Exchange> withAuth(
      WebClient client, UpstreamCall call, int attempt, Duration timeout) {
    URI endpoint = EndpointClients.origin(client);
    return auth.authorization(endpoint, call.scope())
        .thenCompose(
            used ->
                requests
                    .send(client, call, used.header(), timeout)
                    .thenCompose(
                        x -> {
                          if (x.status() != 401 || attempt >= MAX_AUTH_TRIES) {
                            return CompletableFuture.completedFuture(x);
                          }
                          String challenge = x.headers().get(HttpHeaderNames.WWW_AUTHENTICATE);
                          if (!auth.onUnauthorized(endpoint, used, challenge)) {
                            return CompletableFuture.completedFuture(x);
                          }
                          x.body().abort();
                          return withAuth(client, call, attempt + 1, timeout);
                        }));
  }
}
