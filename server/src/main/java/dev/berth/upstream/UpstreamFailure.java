package dev.berth.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.errors.UpstreamException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * What an upstream's failure means, written once for pull, push, prefetch and forwarding: the error
 * Berth's client gets for it, and whether another try may succeed, and when.
 *
 * <pre>
 * the upstream                             the client gets                   another try
 * no answer (connection, timeout, cut)     503 UNAVAILABLE                   AGAIN
 * 408, 5xx                                 503 UNAVAILABLE                   AGAIN
 * 429                                      429 TOOMANYREQUESTS               AGAIN, not before Retry-After
 * 401, 403, a token server's refusal       403 DENIED                        ONCE_FIXED
 * 404                                      the call's "unknown" code         ONCE_FIXED
 * any other 4xx                            the call's "refused" code         NEVER
 * an answer over the call's size limit     400 MANIFEST_INVALID              NEVER
 * </pre>
 *
 * <p>An upstream's 401 is {@code DENIED}, not {@code UNAUTHORIZED}: the upstream refused Berth's
 * own credentials (or wants some Berth does not hold), which the client cannot change by logging in
 * to Berth. A reading call's "unknown" code is the resource's ({@code MANIFEST_UNKNOWN}, {@code
 * BLOB_UNKNOWN}, {@code NAME_UNKNOWN}) and its "refused" code {@code UNAVAILABLE}; a writing call
 * names its own ({@code MANIFEST_INVALID}, {@code BLOB_UPLOAD_INVALID}). {@code ONCE_FIXED}
 * failures change only when someone acts on the upstream's side (credentials, a repository
 * created): a durable forward tries them again until its deadline, a pull or a prefetch does not.
 */
public final class UpstreamFailure {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether another try of a failed call may succeed. */
  public enum Retry {
    /** The upstream was unreachable, overloaded or failing: a later try may succeed. */
    AGAIN,
    /** Refused credentials or an unknown name: a later try succeeds only once someone acts. */
    ONCE_FIXED,
    /** The request itself was refused: the same request fails the same way. */
    NEVER
  }

  private UpstreamFailure() {}

  /** The client's error for {@code call}, which got no final answer: {@code e} says why. */
  public static RegistryException of(UpstreamCall call, Throwable e) {
    return of(call.description(), call.maxLength(), e);
  }

  /** As {@link #of(UpstreamCall, Throwable)}, for work of several calls that {@code what} names. */
  public static RegistryException of(String what, Throwable e) {
    return of(what, 0, e);
  }

  private static RegistryException of(String what, int maxLength, Throwable e) {
    Throwable t = UpstreamFailure.unwrap(e);
    if (t instanceof RegistryException r) {
      return r;
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ContentTooLargeException) {
        return OciError.MANIFEST_INVALID.with(
            what
                + ": the upstream's answer is larger than Berth accepts"
                + (maxLength > 0 ? " (" + maxLength + " bytes)" : ""),
            t);
      }
    }
    if (t instanceof UpstreamException u) {
      String said = String.valueOf(u.getMessage());
      String detail = said.startsWith(what) ? said : what + ": " + said;
      return clientError(u, detail, OciError.UPSTREAM_UNAVAILABLE, OciError.UPSTREAM_UNAVAILABLE);
    }
    return OciError.UPSTREAM_UNAVAILABLE.with(what + ": " + t, t);
  }

  /**
   * The client's error for a reading call's final answer that is not a success; the caller has read
   * or aborted its body.
   */
  public static RegistryException answered(UpstreamCall call, Exchange x, OciError unknown) {
    return answered(call, x.headers(), "", x.endpoint(), unknown, OciError.UPSTREAM_UNAVAILABLE);
  }

  /** As above, for an answer read whole; the OCI code its error body names goes in the detail. */
  public static RegistryException answered(
      UpstreamCall call, AggregatedHttpResponse res, String endpoint, OciError unknown) {
    return answered(call, res, endpoint, unknown, OciError.UPSTREAM_UNAVAILABLE);
  }

  /** As above, for a writing call, whose refusal the client gets as {@code refused}. */
  public static RegistryException answered(
      UpstreamCall call,
      AggregatedHttpResponse res,
      String endpoint,
      OciError unknown,
      OciError refused) {
    return answered(call, res.headers(), codeIn(res), endpoint, unknown, refused);
  }

  private static RegistryException answered(
      UpstreamCall call,
      ResponseHeaders headers,
      String code,
      String endpoint,
      OciError unknown,
      OciError refused) {
    int status = headers.status().code();
    String said = code.isEmpty() ? headers.status().toString() : status + " " + code;
    String detail =
        call.description()
            + ": "
            + endpoint
            + " answered "
            + said
            + (status == 401
                ? "; the upstream refused Berth's credentials, or wants some Berth does not hold"
                    + " (berth creds check tells which)"
                : "");
    UpstreamException answer =
        new UpstreamException(
            detail,
            UpstreamException.isTemporary(status),
            status,
            code,
            UpstreamFailure.retryAfter(headers.get(HttpHeaderNames.RETRY_AFTER)),
            null);
    return clientError(answer, detail, unknown, refused);
  }

  private static RegistryException clientError(
      UpstreamException u, String detail, OciError unknown, OciError refused) {
    int status = u.status();
    OciError error =
        switch (status) {
          case 401, 403 -> OciError.DENIED;
          case 404 -> unknown;
          case 429 -> OciError.TOOMANYREQUESTS;
          default ->
              status >= 400 && status < 500 && status != 408
                  ? refused
                  : OciError.UPSTREAM_UNAVAILABLE;
        };
    return error.with(detail, u);
  }

  /** Whether another try of what failed with {@code e} may succeed. */
  public static Retry retry(Throwable e) {
    RegistryException t = of("", 0, e);
    UpstreamException u = upstreamCause(t);
    if (u != null) {
      if (u.isTemporary()) {
        return Retry.AGAIN;
      }
      return switch (u.status()) {
        case 0, 401, 403, 404 -> Retry.ONCE_FIXED;
        default -> UpstreamException.isTemporary(u.status()) ? Retry.AGAIN : Retry.NEVER;
      };
    }
    return switch (t.error()) {
      case UNAVAILABLE, UPSTREAM_UNAVAILABLE, TOOMANYREQUESTS, UPSTREAM_INVALID -> Retry.AGAIN;
      case DENIED, UNAUTHORIZED, NAME_UNKNOWN, MANIFEST_UNKNOWN, BLOB_UNKNOWN -> Retry.ONCE_FIXED;
      default -> Retry.NEVER;
    };
  }

  /**
   * When to try again after {@code attempts} tries, the last of which failed with {@code e}: the
   * backoff's delay, or the upstream's {@code Retry-After} when longer; empty when no try should
   * follow (the backoff's attempts are spent, or {@link #retry} says so). {@code untilFixed} tries
   * {@link Retry#ONCE_FIXED} failures again too, for work that waits for someone to act.
   */
  public static Optional<Duration> nextTry(
      Throwable e, int attempts, Backoff backoff, boolean untilFixed) {
    Retry retry = retry(e);
    if (retry == Retry.NEVER || (retry == Retry.ONCE_FIXED && !untilFixed)) {
      return Optional.empty();
    }
    long millis = backoff.nextDelayMillis(attempts);
    if (millis < 0) {
      return Optional.empty();
    }
    Duration wait = Duration.ofMillis(millis);
    UpstreamException u = upstreamCause(UpstreamFailure.unwrap(e));
    Duration asked = u == null ? Duration.ZERO : u.retryAfter().orElse(Duration.ZERO);
    return Optional.of(asked.compareTo(wait) > 0 ? asked : wait);
  }

  private static @Nullable UpstreamException upstreamCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof UpstreamException u) {
        return u;
      }
    }
    return null;
  }

  private static String codeIn(AggregatedHttpResponse res) {
    try {
      JsonNode code = JSON.readTree(res.contentUtf8()).path("errors").path(0).path("code");
      // A code, never a message: an upstream may echo what it was sent.
      return code.isTextual() && code.asText().matches("[A-Z_]{1,40}") ? code.asText() : "";
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * The failure of {@code call} at {@code origin}, an endpoint of {@code host}: what it answered
   * ({@code x}), or else what went wrong on the way ({@code cause}). Worth another try.
   */
  static UpstreamException atEndpoint(
      UpstreamCall call, String host, URI origin, @Nullable Exchange x, @Nullable Throwable cause) {
    String endpoint = origin.getScheme() + "://" + origin.getAuthority();
    if (x != null) {
      return new UpstreamException(
          call.description() + ": " + host + " (" + endpoint + ") answered " + x.headers().status(),
          true,
          x.status(),
          retryAfter(x.headers().get(HttpHeaderNames.RETRY_AFTER)),
          null);
    }
    Throwable why = Objects.requireNonNull(cause, "a call without an answer has a cause");
    return new UpstreamException(
        call.description() + ": " + host + " (" + endpoint + ") failed: " + describe(why),
        true,
        0,
        why);
  }

  /** A {@code Retry-After} value, in seconds or as an HTTP date; null when absent or unreadable. */
  static @Nullable Duration retryAfter(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      try {
        var at =
            java.time.ZonedDateTime.parse(
                value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(java.time.Instant.now(), at.toInstant());
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (java.time.format.DateTimeParseException unreadable) {
        return null;
      }
    }
  }

  private static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The cause behind the {@link CompletionException} wrappers of a failed future. */
  public static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
