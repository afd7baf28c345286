package dev.berth.upstream;

import com.linecorp.armeria.client.RequestOptions;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.SplitHttpResponse;
import dev.berth.errors.UpstreamException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request to one endpoint of an upstream: its headers and body, an answer that must start
 * within {@code firstByteTimeout} (uploads excepted: they are answered after their body), the
 * upstream's rate-limit headers noted, and redirects followed (up to {@value #MAX_REDIRECTS}),
 * without {@code Authorization} once they leave the endpoint's host.
 */
final class EndpointRequests {
  private static final int MAX_REDIRECTS = 5;

  private final WebClient redirects;
  private final Duration firstByteTimeout;
  private final RateLimit rateLimit;

  EndpointRequests(WebClient redirects, Duration firstByteTimeout, RateLimit rateLimit) {
    this.redirects = redirects;
    this.firstByteTimeout = firstByteTimeout;
    this.rateLimit = rateLimit;
  }

  /** Sends {@code call} to the endpoint of {@code client}, with {@code authorization} if any. */
  CompletableFuture<Exchange> send(
      WebClient client, UpstreamCall call, Optional<String> authorization, Duration timeout) {
    RequestHeadersBuilder headers = RequestHeaders.builder(call.method(), call.path());
    authorization.ifPresent(a -> headers.set(HttpHeaderNames.AUTHORIZATION, a));
    return execute(client, call, headers, EndpointClients.origin(client), 0, timeout);
  }

  private CompletableFuture<Exchange> execute(
      WebClient client,
      UpstreamCall call,
      RequestHeadersBuilder headers,
      URI base,
      int hops,
      Duration timeout) {
    if (!call.accept().isEmpty()) {
      headers.set(HttpHeaderNames.ACCEPT, String.join(", ", call.accept()));
    }
    if (call.rangeStart() > 0) {
      headers.set(HttpHeaderNames.RANGE, "bytes=" + call.rangeStart() + "-");
    }
    HttpRequest request;
    if (call.body() == null) {
      request = HttpRequest.of(headers.build());
    } else {
      headers
          .contentLength(call.body().length())
          .set(HttpHeaderNames.CONTENT_TYPE, call.body().contentType());
      request = HttpRequest.of(headers.build(), call.body().open().get());
    }
    SplitHttpResponse split =
        client
            .execute(
                request,
                RequestOptions.builder()
                    .maxResponseLength(call.maxLength())
                    .responseTimeout(timeout)
                    .build())
            .split();
    String endpoint = base.getScheme() + "://" + base.getAuthority();
    CompletableFuture<ResponseHeaders> answered = split.headers();
    if (call.body() == null) {
      // An upload is answered after its whole body; any other request must start to answer soon.
      // A copy: Armeria's own future cannot be completed by the timeout.
      answered =
          answered
              .thenApply(h -> h)
              .orTimeout(firstByteTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .whenComplete(
                  (h, e) -> {
                    if (UpstreamFailure.unwrap(e) instanceof TimeoutException) {
                      split.body().abort();
                    }
                  })
              .exceptionally(
                  e -> {
                    if (UpstreamFailure.unwrap(e) instanceof TimeoutException) {
                      throw new CompletionException(
                          new UpstreamException(
                              call.description()
                                  + ": "
                                  + endpoint
                                  + " sent no answer within "
                                  + firstByteTimeout.toSeconds()
                                  + " s (firstByteTimeout)",
                              true,
                              0,
                              e));
                    }
                    throw new CompletionException(UpstreamFailure.unwrap(e));
                  });
    }
    return answered.thenCompose(
        h -> {
          rateLimit.update(h.get("ratelimit-limit"), h.get("ratelimit-remaining"));
          String location = h.get(HttpHeaderNames.LOCATION);
          if (!h.status().isRedirection() || location == null || hops >= MAX_REDIRECTS) {
            return CompletableFuture.completedFuture(new Exchange(h, split.body(), endpoint));
          }
          split.body().abort();
          return redirect(
              call, headers, base, URI.create(base.toString()).resolve(location), hops, timeout);
        });
  }

  private CompletableFuture<Exchange> redirect(
      UpstreamCall call,
      RequestHeadersBuilder previous,
      URI base,
      URI target,
      int hops,
      Duration timeout) {
    RequestHeadersBuilder headers = previous.build().toBuilder();
    String path =
        target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
    headers.path(path).method(call.method() == HttpMethod.HEAD ? HttpMethod.HEAD : HttpMethod.GET);
    headers.authority(target.getAuthority()).scheme(target.getScheme());
    if (!target.getAuthority().equalsIgnoreCase(base.getAuthority())) {
      // Blob storage (S3, GCS, a CDN) gets the signed URL alone: never the registry's token.
      headers.remove(HttpHeaderNames.AUTHORIZATION);
    }
    return execute(redirects, call, headers, target, hops + 1, timeout);
  }
}
