package dev.berth.upstream;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.WebClientBuilder;
import com.linecorp.armeria.client.circuitbreaker.CircuitBreaker;
import com.linecorp.armeria.client.circuitbreaker.CircuitBreakerClient;
import com.linecorp.armeria.client.circuitbreaker.CircuitBreakerRule;
import com.linecorp.armeria.client.circuitbreaker.FailFastException;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.client.retry.RetryRule;
import com.linecorp.armeria.client.retry.RetryingClient;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpStatus;
import dev.berth.config.UpstreamConfig;
import dev.berth.metrics.BerthMetrics;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How each endpoint of an upstream is called: Armeria's retrying client (backoff with jitter that
 * honours {@code Retry-After}, on 429, 5xx and connection failures), a circuit breaker per endpoint
 * of a chain, no total timeout and no length cap (blobs are long), counted per status. Each
 * endpoint also has a client without retries, for requests whose bodies must not be held in memory
 * for a retry, and there is one client for redirects to blob storage.
 *
 * @param retried one client per endpoint, in order, with retries
 * @param plain the same endpoints without retries
 * @param redirects a client of no endpoint, for absolute redirect targets
 */
record EndpointClients(List<WebClient> retried, List<WebClient> plain, WebClient redirects) {
  private static final Backoff BACKOFF = Backoff.exponential(200, 5_000).withJitter(0.2);
  private static final Duration BREAKER_OPEN = Duration.ofSeconds(10);

  /** What counts against an endpoint: connection failures, timeouts, 5xx and 429. */
  private static final CircuitBreakerRule BREAKER_RULE =
      CircuitBreakerRule.builder()
          .onServerErrorStatus()
          .onStatus(HttpStatus.TOO_MANY_REQUESTS)
          .onException()
          .thenFailure()
          .orElse(CircuitBreakerRule.builder().thenSuccess());

  static EndpointClients of(
      String host, UpstreamConfig config, ClientFactory factory, BerthMetrics metrics) {
    RetryRule rule =
        RetryRule.builder()
            .onStatus(HttpStatus.TOO_MANY_REQUESTS)
            .onServerErrorStatus()
            // An endpoint whose breaker is open is not retried: the next endpoint is tried.
            .onException((ctx, e) -> !isFailFast(e))
            .thenBackoff(BACKOFF);
    var retrying =
        RetryingClient.builder(rule)
            .maxTotalAttempts(config.maxAttempts())
            // Its default per-attempt timeout would cut long blob bodies.
            .responseTimeoutForEachAttempt(Duration.ZERO)
            .useRetryAfter(true)
            .newDecorator();
    List<URI> uris = config.endpointsFor(host).stream().map(e -> e.uri()).toList();
    List<CircuitBreaker> breakers =
        uris.stream()
            .map(
                u ->
                    CircuitBreaker.builder(host + " " + u)
                        .failureRateThreshold(0.5)
                        .minimumRequestThreshold(3)
                        .counterSlidingWindow(Duration.ofSeconds(20))
                        .counterUpdateInterval(Duration.ofMillis(500))
                        .circuitOpenWindow(BREAKER_OPEN)
                        .trialRequestInterval(Duration.ofSeconds(3))
                        .build())
            .toList();
    List<WebClient> endpoints = new ArrayList<>();
    List<WebClient> plainEndpoints = new ArrayList<>();
    for (int i = 0; i < uris.size(); i++) {
      WebClientBuilder retried = base(host, uris.get(i), factory, metrics);
      WebClientBuilder plain = base(host, uris.get(i), factory, metrics);
      if (uris.size() > 1) {
        // One breaker per endpoint of a chain, shared by both clients of it: a dead mirror costs
        // nothing once it is open, until a trial request finds it alive again. A lone endpoint
        // has no other to go to, so it gets none.
        var breaker = CircuitBreakerClient.newDecorator(breakers.get(i), BREAKER_RULE);
        retried.decorator(breaker);
        plain.decorator(breaker);
      }
      endpoints.add(retried.decorator(retrying).build());
      plainEndpoints.add(plain.build());
    }
    WebClient redirects =
        WebClient.builder()
            .factory(factory)
            .setHeader(HttpHeaderNames.USER_AGENT, UpstreamClient.USER_AGENT)
            .responseTimeout(Duration.ZERO)
            .maxResponseLength(0)
            .decorator(metrics.upstreamCounter(host))
            .build();
    return new EndpointClients(List.copyOf(endpoints), List.copyOf(plainEndpoints), redirects);
  }

  /** A client of {@code uri} without a total timeout or a length limit, counted per status. */
  private static WebClientBuilder base(
      String host, URI uri, ClientFactory factory, BerthMetrics metrics) {
    // A plain-HTTP registry speaks HTTP/1.1 (Distribution, Harbor and zot have no h2c): no upgrade
    // attempt, and no HTTP/2 stream shared with a download that was reset.
    URI target =
        "http".equals(uri.getScheme()) ? URI.create("h1c" + uri.toString().substring(4)) : uri;
    return WebClient.builder(target)
        .factory(factory)
        .setHeader(HttpHeaderNames.USER_AGENT, UpstreamClient.USER_AGENT)
        .responseTimeout(Duration.ZERO)
        .maxResponseLength(0)
        .decorator(metrics.upstreamCounter(host));
  }

  /** The endpoint {@code client} was made for, as configured ({@code http}, not {@code h1c}). */
  static URI origin(WebClient client) {
    URI uri = client.uri();
    return "h1c".equals(uri.getScheme()) ? URI.create("http" + uri.toString().substring(3)) : uri;
  }

  private static boolean isFailFast(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FailFastException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
