package dev.berth.errors;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An upstream call that failed: what the upstream answered (its status and the OCI code in its
 * error body, when it gave them) and whether another endpoint or a later try may succeed at once
 * ({@link #isTemporary()}: connection errors, 408, 429, 5xx, cut bodies) or not.
 */
public final class UpstreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean temporary;
  private final int status;
  private final String code;
  private final @Nullable Duration retryAfter;

  public UpstreamException(
      String message, boolean temporary, int status, @Nullable Throwable cause) {
    this(message, temporary, status, null, cause);
  }

  /** As the other constructor, with the wait the upstream asked for in {@code Retry-After}. */
  public UpstreamException(
      String message,
      boolean temporary,
      int status,
      @Nullable Duration retryAfter,
      @Nullable Throwable cause) {
    this(message, temporary, status, "", retryAfter, cause);
  }

  /** A final answer that was not a success, with the OCI code its body named ("" for none). */
  public UpstreamException(
      String message,
      boolean temporary,
      int status,
      String code,
      @Nullable Duration retryAfter,
      @Nullable Throwable cause) {
    super(message, cause);
    this.temporary = temporary;
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /**
   * Whether an answer with {@code status} says the upstream is failing or overloaded right now
   * (408, 429, 5xx): another endpoint, or the same one later, may answer.
   */
  public static boolean isTemporary(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /** How long the upstream asked callers to wait ({@code Retry-After}), if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public boolean isTemporary() {
    return temporary;
  }

  /** The HTTP status the upstream answered with, or 0 when it gave none. */
  public int status() {
    return status;
  }

  /** The OCI error code the upstream's error body named, or "" when it named none. */
  public String code() {
    return code;
  }
}
