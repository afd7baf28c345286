package dev.berth.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.errors.UpstreamException;
import dev.berth.upstream.UpstreamFailure.Retry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one table from an upstream's failure to the client's error and the retry decision, row by
 * row: pull, push, prefetch and forwarding all read it.
 */
class UpstreamFailureTest {
  private static final UpstreamCall READ =
      UpstreamCall.pull(HttpMethod.GET, "library/app", "manifests/1", List.of(), 0, "pull app:1");
  private static final UpstreamCall WRITE =
      new UpstreamCall(HttpMethod.PUT, "/v2/app/manifests/1", List.of(), "s", 0, 0, "push app:1");

  /** An upstream's final answer, to a reading call and to a writing one. */
  @ParameterizedTest(name = "{0} answered: read {1} {2}, write {3} {4}, retry {5}")
  @CsvSource({
    // status, read: code, status;        write: code, status;          retry
    "400, UNAVAILABLE,      503, MANIFEST_INVALID, 400, NEVER",
    "401, DENIED,           403, DENIED,           403, ONCE_FIXED",
    "403, DENIED,           403, DENIED,           403, ONCE_FIXED",
    "404, MANIFEST_UNKNOWN, 404, NAME_UNKNOWN,     404, ONCE_FIXED",
    "405, UNAVAILABLE,      503, MANIFEST_INVALID, 400, NEVER",
    "408, UNAVAILABLE,      503, UNAVAILABLE,      503, AGAIN",
    "409, UNAVAILABLE,      503, MANIFEST_INVALID, 400, NEVER",
    "413, UNAVAILABLE,      503, MANIFEST_INVALID, 400, NEVER",
    "429, TOOMANYREQUESTS,  429, TOOMANYREQUESTS,  429, AGAIN",
    "500, UNAVAILABLE,      503, UNAVAILABLE,      503, AGAIN",
    "502, UNAVAILABLE,      503, UNAVAILABLE,      503, AGAIN",
    "503, UNAVAILABLE,      503, UNAVAILABLE,      503, AGAIN",
    "504, UNAVAILABLE,      503, UNAVAILABLE,      503, AGAIN",
  })
  void anAnswerMapsToOneClientErrorAndOneRetryDecision(
      int status, String readCode, int readStatus, String writeCode, int writeStatus, Retry retry) {
    AggregatedHttpResponse res =
        AggregatedHttpResponse.of(
            HttpStatus.valueOf(status),
            MediaType.JSON,
            "{\"errors\":[{\"code\":\"SOME_CODE\",\"message\":\"echoes <secret>\"}]}");
    RegistryException read =
        UpstreamFailure.answered(READ, res, "up.example", OciError.MANIFEST_UNKNOWN);
    RegistryException write =
        UpstreamFailure.answered(
            WRITE, res, "up.example", OciError.NAME_UNKNOWN, OciError.MANIFEST_INVALID);
    assertThat(read.error().code()).isEqualTo(readCode);
    assertThat(read.error().status().code()).isEqualTo(readStatus);
    assertThat(write.error().code()).isEqualTo(writeCode);
    assertThat(write.error().status().code()).isEqualTo(writeStatus);
    assertThat(UpstreamFailure.retry(read)).isEqualTo(retry);
    assertThat(UpstreamFailure.retry(write)).isEqualTo(retry);
    // The detail names the call, the upstream and its code, never the message it echoed.
    assertThat(read.detail())
        .startsWith("pull app:1: up.example answered " + status + " SOME_CODE")
        .doesNotContain("secret");
    // The answer as streamed (body unread) maps the same.
    Exchange x =
        new Exchange(ResponseHeaders.of(HttpStatus.valueOf(status)), StreamMessage.of(), "e");
    RegistryException streamed = UpstreamFailure.answered(READ, x, OciError.MANIFEST_UNKNOWN);
    assertThat(streamed.error()).isEqualTo(read.error());
    assertThat(UpstreamFailure.retry(streamed)).isEqualTo(retry);
  }

  /** A call that got no answer to map: how it failed decides. */
  @ParameterizedTest(name = "{0}: {1} {2}, retry {3}")
  @CsvSource({
    "connection refused,                  UNAVAILABLE,      503, AGAIN",
    "5xx after every endpoint,            UNAVAILABLE,      503, AGAIN",
    "429 after every endpoint,            TOOMANYREQUESTS,  429, AGAIN",
    "token server refused the credentials, DENIED,          403, ONCE_FIXED",
    "token server sent no JSON,           UNAVAILABLE,      503, AGAIN",
    "token realm that is not https,       UNAVAILABLE,      503, ONCE_FIXED",
    "token realm outside the domain,      DENIED,           403, ONCE_FIXED",
    "answer over the size limit,          MANIFEST_INVALID, 400, NEVER",
    "Berth's disk is full,                UNAVAILABLE,      503, AGAIN",
    "content that failed verification,    DIGEST_INVALID,   502, AGAIN",
    "a manifest Berth refuses,            MANIFEST_INVALID, 400, NEVER",
  })
  void aFailureMapsToOneClientErrorAndOneRetryDecision(
      String failure, String code, int status, Retry retry) {
    Throwable cause =
        switch (failure) {
          case "connection refused" -> new IOException("Connection refused");
          case "5xx after every endpoint" ->
              new UpstreamException("up answered 503", true, 503, null);
          case "429 after every endpoint" ->
              new UpstreamException("up answered 429", true, 429, null);
          case "token server refused the credentials" ->
              new UpstreamException("token server t refused the credentials", false, 401, null);
          case "token server sent no JSON" ->
              new UpstreamException("token server t sent no JSON", true, 0, null);
          case "token realm that is not https" ->
              new UpstreamException("r named the token realm http://t", false, 0, null);
          case "token realm outside the domain" ->
              new UpstreamException("the token realm is outside", false, 403, null);
          case "answer over the size limit" ->
              new IllegalStateException(ContentTooLargeException.get());
          case "Berth's disk is full" -> OciError.UNAVAILABLE.with("the disk is full");
          case "content that failed verification" -> OciError.UPSTREAM_INVALID.with("bad bytes");
          case "a manifest Berth refuses" -> OciError.MANIFEST_INVALID.with("no layers");
          default -> throw new IllegalArgumentException(failure);
        };
    // As the futures deliver it: wrapped.
    RegistryException e = UpstreamFailure.of(READ, new CompletionException(cause));
    assertThat(e.error().code()).isEqualTo(code);
    assertThat(e.error().status().code()).isEqualTo(status);
    if (cause instanceof RegistryException r) {
      assertThat(e).isSameAs(r); // Berth's own errors reach the client as they are.
    } else {
      assertThat(e.detail()).startsWith("pull app:1");
    }
    assertThat(UpstreamFailure.retry(e)).isEqualTo(retry);
    assertThat(UpstreamFailure.retry(new CompletionException(cause))).isEqualTo(retry);
  }

  /** When to try again: the backoff, the upstream's Retry-After, and who waits for a fix. */
  @ParameterizedTest(name = "{0} after {1} tries, until fixed {2}: {3}")
  @CsvSource({
    // status, attempts, untilFixed, retry-after seconds, wait in ms (-1: no other try)
    "503, 1, false, , 1000",
    "503, 2, false, , 2000",
    "503, 3, false, , -1",
    "429, 1, false, 30, 30000",
    "429, 2, false, 1, 2000",
    "401, 1, false, , -1",
    "401, 1, true, , 1000",
    "404, 2, true, , 2000",
    "400, 1, true, , -1",
  })
  void theNextTryFollowsTheBackoffAndRetryAfter(
      int status, int attempts, boolean untilFixed, Long retryAfter, long waitMillis) {
    HttpHeaders headers =
        retryAfter == null
            ? HttpHeaders.of()
            : HttpHeaders.of(HttpHeaderNames.RETRY_AFTER, retryAfter.toString());
    AggregatedHttpResponse res =
        AggregatedHttpResponse.of(
            ResponseHeaders.builder(HttpStatus.valueOf(status)).add(headers).build());
    RegistryException e =
        UpstreamFailure.answered(READ, res, "up.example", OciError.MANIFEST_UNKNOWN);
    Backoff noJitter = Backoff.exponential(1_000, 60_000).withMaxAttempts(3);
    assertThat(UpstreamFailure.nextTry(e, attempts, noJitter, untilFixed))
        .isEqualTo(
            waitMillis < 0
                ? java.util.Optional.empty()
                : java.util.Optional.of(Duration.ofMillis(waitMillis)));
  }
}
